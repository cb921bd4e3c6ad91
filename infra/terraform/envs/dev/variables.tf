variable "region" {
  type        = string
  description = "AWS region of the environment."
  default     = "us-east-1"
}

variable "domain_name" {
  type        = string
  description = "DNS name of the API/WebSocket endpoint, e.g. anc-dev.example.com."
}

variable "route53_zone_id" {
  type        = string
  description = "Hosted zone of domain_name (certificate validation and the ALB alias); null: validate by hand."
  default     = null
}

variable "image_tag" {
  type        = string
  description = "Tag of the gateway, silo and classifier images in ECR (deploy.sh passes the git commit)."
  default     = "latest"
}

variable "alert_subscriptions" {
  type = list(object({
    protocol = string
    endpoint = string
  }))
  description = "Subscribers of the alarms and emergency-alert topics."
  default     = []
}

variable "enable_cloudfront" {
  type        = bool
  description = "CloudFront in front of the ALB (optional in dev)."
  default     = false
}

variable "enable_waf" {
  type        = bool
  description = "WAF on the ALB (optional in dev)."
  default     = false
}

variable "enable_sagemaker" {
  type        = bool
  description = "The SageMaker classifier endpoint (otherwise the embedded classifier)."
  default     = false
}

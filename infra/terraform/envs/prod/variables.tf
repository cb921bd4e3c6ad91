variable "region" {
  type        = string
  description = "AWS region of the environment."
  default     = "us-east-1"
}

variable "domain_name" {
  type        = string
  description = "DNS name of the API/WebSocket endpoint, e.g. anc.example.com."
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

variable "cloudfront_aliases" {
  type        = list(string)
  description = "Alternate names of the CloudFront distribution (e.g. app.example.com); empty uses *.cloudfront.net."
  default     = []
}

variable "cloudfront_certificate_arn" {
  type        = string
  description = "ACM certificate in us-east-1 for cloudfront_aliases; null with no aliases."
  default     = null
}

variable "azs" {
  type        = number
  description = "Availability zones of the tasks (2 or 3)."
  default     = 3
  validation {
    condition     = var.azs >= 2 && var.azs <= 3
    error_message = "prod is multi-AZ: azs must be 2 or 3."
  }
}

variable "enable_sagemaker" {
  type        = bool
  description = "The SageMaker classifier endpoint (otherwise the embedded classifier)."
  default     = true
}

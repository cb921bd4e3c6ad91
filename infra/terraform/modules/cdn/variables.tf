variable "name" {
  type        = string
  description = "Name prefix, e.g. anc-prod."
}

variable "enabled" {
  type        = bool
  description = "Create the distribution (optional in dev, required in prod)."
  default     = true
}

variable "origin_domain_name" {
  type        = string
  description = "The ALB's DNS name as its certificate names it (the cluster module's domain_name): CloudFront connects over HTTPS and checks the name."
}

variable "aliases" {
  type        = list(string)
  description = "Alternate domain names of the distribution; empty uses the *.cloudfront.net name."
  default     = []
}

variable "acm_certificate_arn_us_east_1" {
  type        = string
  description = "ACM certificate in us-east-1 covering aliases (CloudFront reads certificates only there); null with no aliases."
  default     = null
}

variable "web_acl_arn" {
  type        = string
  description = "WAFv2 web ACL with scope CLOUDFRONT (created in us-east-1); null: none."
  default     = null
}

variable "api_path_patterns" {
  type        = list(string)
  description = "Paths that reach the API uncached (REST, the device WebSocket, health and metrics)."
  default     = ["/v1/*", "/healthz", "/readyz", "/metrics"]
}

variable "price_class" {
  type        = string
  description = "CloudFront price class."
  default     = "PriceClass_100"
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}

variable "name" {
  type        = string
  description = "Name prefix, e.g. anc-dev (IoT names allow only letters, digits and underscores: '-' becomes '_')."
}

variable "emergency_topic_arn" {
  type        = string
  description = "SNS topic that receives every message on anc/alerts/+."
}

variable "telemetry_bucket_name" {
  type        = string
  description = "S3 bucket for the telemetry rule (objects under telemetry/)."
}

variable "telemetry_bucket_arn" {
  type        = string
  description = "ARN of telemetry_bucket_name."
}

variable "sample_seconds" {
  type        = number
  description = "The telemetry and metrics rules keep one stats event per device per this many seconds (devices send one a second; every kept event costs a rule action, an S3 PUT or a PutMetricData)."
  default     = 60
  validation {
    condition     = var.sample_seconds >= 1 && var.sample_seconds <= 3600
    error_message = "sample_seconds must be between 1 and 3600."
  }
}

variable "metrics_namespace" {
  type        = string
  description = "CloudWatch namespace of the metrics rule (the seed's processing namespace)."
  default     = "ANC/Processing"
}

variable "error_log_retention_days" {
  type        = number
  description = "Retention of the rules' error-action log group."
  default     = 30
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}

variable "bucket_name" {
  type        = string
  description = "Name of the recordings and telemetry bucket (globally unique)."
}

variable "recordings_ia_days" {
  type        = number
  description = "Days after which objects under recordings/ move to STANDARD_IA."
  default     = 30
}

variable "recordings_glacier_days" {
  type        = number
  description = "Days after which objects under recordings/ move to GLACIER_IR (the seed: archive old audio after 90 days)."
  default     = 90
}

variable "recordings_expire_days" {
  type        = number
  description = "Days after which objects under recordings/ are deleted; 0 keeps them."
  default     = 365
}

variable "telemetry_expire_days" {
  type        = number
  description = "Days after which objects under telemetry/ (the IoT telemetry rule) are deleted."
  default     = 30
}

variable "force_destroy" {
  type        = bool
  description = "Let terraform destroy delete a non-empty bucket (dev only)."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}

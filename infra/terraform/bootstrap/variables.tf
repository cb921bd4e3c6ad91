variable "region" {
  type        = string
  description = "Region of the state bucket and lock table (the environments' backend blocks say us-east-1)."
  default     = "us-east-1"
}

variable "state_bucket" {
  type        = string
  description = "Name of the S3 bucket holding every environment's Terraform state."
  default     = "anc-platform-terraform-state"
}

variable "lock_table" {
  type        = string
  description = "Name of the DynamoDB table Terraform locks state in (hash key LockID)."
  default     = "terraform-lock"
}

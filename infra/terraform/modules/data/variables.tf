variable "table_prefix" {
  type        = string
  description = "Prefix of both table names; the app's DynamoDB:TablePrefix must be the same (DynamoDbOptions: <prefix>membership, <prefix>grain-state)."
  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,200}$", var.table_prefix))
    error_message = "table_prefix may hold only letters, digits, '_', '-' and '.'."
  }
}

variable "billing_mode" {
  type        = string
  description = "PAY_PER_REQUEST (on-demand; dev) or PROVISIONED (with autoscaling between the capacities below)."
  default     = "PAY_PER_REQUEST"
  validation {
    condition     = contains(["PAY_PER_REQUEST", "PROVISIONED"], var.billing_mode)
    error_message = "billing_mode must be PAY_PER_REQUEST or PROVISIONED."
  }
}

variable "grain_state_capacity" {
  type = object({
    min_read  = number
    max_read  = number
    min_write = number
    max_write = number
  })
  description = "PROVISIONED only: read/write capacity bounds of the grain-state table (checkpoints: one write per session per Session:CheckpointSeconds)."
  default     = { min_read = 5, max_read = 200, min_write = 50, max_write = 1000 }
}

variable "membership_capacity" {
  type = object({
    read  = number
    write = number
  })
  description = "PROVISIONED only: fixed read/write capacity of the membership table (a few rows per silo, read on every table refresh)."
  default     = { read = 10, write = 5 }
}

variable "point_in_time_recovery" {
  type        = bool
  description = "Continuous backups (point-in-time recovery) on both tables."
  default     = true
}

variable "deletion_protection" {
  type        = bool
  description = "DynamoDB deletion protection on both tables (prod)."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}

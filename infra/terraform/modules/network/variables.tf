variable "name" {
  type        = string
  description = "Name prefix of every resource, e.g. anc-dev."
}

variable "cidr" {
  type        = string
  description = "The VPC's IPv4 CIDR block."
  default     = "10.40.0.0/16"
}

variable "az_count" {
  type        = number
  description = "Availability zones to spread subnets over: 1 in dev (single-AZ), 2 or 3 in prod."
  default     = 2
  validation {
    condition     = var.az_count >= 1 && var.az_count <= 3
    error_message = "az_count must be 1, 2 or 3."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all private subnets (cheaper, one AZ's failure cuts egress) instead of one per AZ."
  default     = true
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}

variable "name" {
  type        = string
  description = "Name prefix, e.g. anc-dev."
}

variable "subscriptions" {
  type = list(object({
    protocol = string
    endpoint = string
  }))
  description = "Who hears alarms and emergency alerts: e.g. { protocol = \"email\", endpoint = \"oncall@example.com\" } or an https webhook."
  default     = []
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}

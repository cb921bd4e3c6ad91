variable "name" {
  type        = string
  description = "Name prefix, e.g. anc-dev."
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the application, collector and EMF log groups."
  default     = 30
}

variable "alarms_topic_arn" {
  type        = string
  description = "SNS topic the alarms notify (alarm and OK)."
}

variable "ecs_cluster_name" {
  type        = string
  description = "ECS cluster whose silo service the silo-count alarm watches (Container Insights)."
}

variable "silo_service_name" {
  type        = string
  description = "ECS service of the worker silos."
}

variable "gateway_service_name" {
  type        = string
  description = "ECS service of the gateways."
}

variable "min_silos" {
  type        = number
  description = "The silo-count alarm fires when fewer silo tasks than this run for 3 minutes."
  default     = 1
}

variable "latency_threshold_ms" {
  type        = number
  description = "The latency alarm fires when the average gateway Latency (frame received → reply queued) exceeds this for 3 minutes; a frame's budget is Gateway:FrameDeadlineMs (40)."
  default     = 20
}

variable "error_rate_threshold" {
  type        = number
  description = "The error-rate alarm fires when (ErrorCount + ValidationErrors) / Throughput exceeds this fraction for 5 minutes."
  default     = 0.01
}

variable "cluster_metrics_namespace" {
  type        = string
  description = "CloudWatch namespace for the Orleans metrics the autoscaling uses (orleans-grains per grain type)."
  default     = "ANC/Cluster"
}

variable "session_grain_type" {
  type        = string
  description = "The value of the 'type' tag Orleans gives SessionGrain in orleans-grains (read it from the gateway's /metrics)."
  default     = "AncOrleans.Grains.Sessions.SessionGrain"
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}

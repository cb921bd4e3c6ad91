variable "name" {
  type        = string
  description = "Name prefix of every resource, e.g. anc-dev."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the cluster (network module)."
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Subnets of the load balancers."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Subnets of the Fargate tasks (no public IP)."
}

# ---- Images and sizes

variable "gateway_image" {
  type        = string
  description = "Gateway image (ECR URI with tag or digest), built by infra/docker/build.sh."
}

variable "silo_image" {
  type        = string
  description = "Worker silo image (ECR URI with tag or digest), built by infra/docker/build.sh."
}

variable "ecr_repository_arns" {
  type        = list(string)
  description = "ECR repositories the execution role may pull from (the gateway's and the silo's)."
}

variable "collector_image" {
  type        = string
  description = "AWS Distro for OpenTelemetry collector image (the sidecar)."
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.1"
}

variable "gateway_cpu" {
  type        = number
  description = "Fargate CPU units of a gateway task (1024 = 1 vCPU)."
  default     = 1024
}

variable "gateway_memory" {
  type        = number
  description = "Memory (MiB) of a gateway task."
  default     = 2048
}

variable "silo_cpu" {
  type        = number
  description = "Fargate CPU units of a silo task (1024 = 1 vCPU)."
  default     = 1024
}

variable "silo_memory" {
  type        = number
  description = "Memory (MiB) of a silo task (≈ 1.2 MB per session measured, docs/measurements/benchmarks.md)."
  default     = 2048
}

variable "gateway_count" {
  type        = number
  description = "Gateway tasks (the initial count when autoscaling is on)."
  default     = 1
}

variable "silo_count" {
  type        = number
  description = "Worker silo tasks (the initial count when autoscaling is on)."
  default     = 1
}

variable "use_fargate_spot" {
  type        = bool
  description = "Run the tasks on Fargate Spot (dev: about 70 % cheaper, tasks may be reclaimed with a 2-minute warning)."
  default     = false
}

variable "stop_timeout_seconds" {
  type        = number
  description = "Seconds between SIGTERM and SIGKILL (Fargate allows at most 120). A silo must leave membership within it."
  default     = 60
  validation {
    condition     = var.stop_timeout_seconds >= 10 && var.stop_timeout_seconds <= 120
    error_message = "stop_timeout_seconds must be between 10 and 120 (Fargate's limit)."
  }
}

# ---- Autoscaling

variable "enable_autoscaling" {
  type        = bool
  description = "Target-tracking autoscaling of both services (prod)."
  default     = false
}

variable "gateway_min" {
  type        = number
  description = "Fewest gateway tasks under autoscaling."
  default     = 2
}

variable "gateway_max" {
  type        = number
  description = "Most gateway tasks under autoscaling."
  default     = 10
}

variable "silo_min" {
  type        = number
  description = "Fewest silo tasks under autoscaling."
  default     = 2
}

variable "silo_max" {
  type        = number
  description = "Most silo tasks under autoscaling."
  default     = 40
}

variable "cpu_target_percent" {
  type        = number
  description = "Target average CPU of each service's tasks."
  default     = 60
}

variable "sessions_per_silo_target" {
  type        = number
  description = "Target sessions (SessionGrain activations) per silo task; size it from the measured cost per session (infra/README.md)."
  default     = 16
}

variable "cluster_metrics_namespace" {
  type        = string
  description = "CloudWatch namespace where the collector puts orleans-grains (observability module)."
}

variable "session_grain_type" {
  type        = string
  description = "The orleans-grains 'type' dimension value of SessionGrain (observability module)."
}

# ---- Load balancing, TLS, WAF

variable "domain_name" {
  type        = string
  description = "DNS name of the API and WebSocket endpoint (ACM certificate subject), e.g. anc-dev.example.com."
}

variable "route53_zone_id" {
  type        = string
  description = "Route 53 hosted zone for the certificate's DNS validation and the ALB alias; null: validate by hand (the certificate stays pending until you add the records)."
  default     = null
}

variable "alb_ingress_cidrs" {
  type        = list(string)
  description = "IPv4 ranges allowed to the ALB's 443/80 (devices and browsers; CloudFront's prefix list is an alternative)."
  default     = ["0.0.0.0/0"]
}

variable "alb_idle_timeout_seconds" {
  type        = number
  description = "ALB idle timeout: must exceed websocket_keepalive_seconds, or the ALB cuts quiet WebSockets."
  default     = 120
}

variable "websocket_keepalive_seconds" {
  type        = number
  description = "The gateway's WebSocket keep-alive (ping) interval: 15 s in gateway.core/GatewayHosting.cs (UseWebSockets KeepAliveInterval)."
  default     = 15
}

variable "deregistration_delay_seconds" {
  type        = number
  description = "Time the ALB lets a deregistered gateway's connections drain (keep it below stop_timeout_seconds)."
  default     = 45
}

variable "enable_waf" {
  type        = bool
  description = "Attach a WAFv2 web ACL (AWS managed common, known-bad-inputs and IP-reputation rules, a per-IP rate limit) to the ALB."
  default     = false
}

variable "waf_rate_limit" {
  type        = number
  description = "Requests per 5 minutes per IP before WAF blocks (a device makes one upgrade request per connection)."
  default     = 2000
}

variable "enable_mqtt_nlb" {
  type        = bool
  description = "An NLB terminating MQTT over TLS on 8883 and forwarding to the gateway's embedded broker (needs mqtt_enabled; see README: the embedded broker listens on loopback today)."
  default     = false
}

variable "mqtt_ingress_cidrs" {
  type        = list(string)
  description = "IPv4 ranges allowed to the NLB's 8883."
  default     = ["0.0.0.0/0"]
}

variable "mqtt_enabled" {
  type        = bool
  description = "Mqtt:Enabled in the gateway (its embedded broker and bridge)."
  default     = false
}

variable "load_balancer_deletion_protection" {
  type        = bool
  description = "Deletion protection on the load balancers (prod)."
  default     = false
}

# ---- What the app is configured with

variable "cluster_id" {
  type        = string
  description = "Orleans:ClusterId (one deployment; a blue/green pair would differ here)."
}

variable "service_id" {
  type        = string
  description = "Orleans:ServiceId (stable across deployments: grain state is keyed by it)."
  default     = "anc-orleans"
}

variable "table_prefix" {
  type        = string
  description = "DynamoDB:TablePrefix (data module)."
}

variable "table_arns" {
  type        = list(string)
  description = "The membership and grain-state tables (data module): the task role may use these only."
}

variable "state_time_to_live" {
  type        = string
  description = "DynamoDB:StateTimeToLive (TimeSpan, e.g. 30.00:00:00); empty keeps grain state for ever."
  default     = "30.00:00:00"
}

variable "checkpoint_seconds" {
  type        = number
  description = "Session:CheckpointSeconds: a checkpoint is ≈ 27 DynamoDB write units (docs/reliability.md), so 1,000 sessions at 5 s need 5,400 WCU; see infra/README.md, cost."
  default     = 5
  validation {
    condition     = var.checkpoint_seconds >= 1
    error_message = "checkpoint_seconds must be at least 1."
  }
}

variable "admin_key_secret_arn" {
  type        = string
  description = "Secrets Manager secret holding Auth:AdminKey (at least 32 characters), injected as Auth__AdminKey."
}

variable "reader_key_secret_arn" {
  type        = string
  description = "Secrets Manager secret holding Auth:ReaderKey; null: no reader role."
  default     = null
}

variable "classifier_endpoint_name" {
  type        = string
  description = "SageMaker endpoint of the classifier (ml module); null: Classifier:Backend=embedded."
  default     = null
}

variable "classifier_endpoint_arn" {
  type        = string
  description = "ARN of classifier_endpoint_name (for sagemaker:InvokeEndpoint); null with it."
  default     = null
}

variable "recordings_bucket_arn" {
  type        = string
  description = "Bucket of session recordings (storage module): the gateway may write and read under recordings/."
}

variable "gateway_log_group" {
  type        = string
  description = "Log group of the gateway containers (observability module)."
}

variable "silo_log_group" {
  type        = string
  description = "Log group of the silo containers (observability module)."
}

variable "collector_log_group" {
  type        = string
  description = "Log group of the collector sidecars (observability module)."
}

variable "metrics_log_group_arn" {
  type        = string
  description = "EMF log group the collector writes metrics to (observability module)."
}

variable "adot_config_parameter_arn" {
  type        = string
  description = "SSM parameter with the collector's configuration (observability module)."
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}

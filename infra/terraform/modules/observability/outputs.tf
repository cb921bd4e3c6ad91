output "gateway_log_group" {
  description = "Log group of the gateway containers."
  value       = aws_cloudwatch_log_group.gateway.name
}

output "silo_log_group" {
  description = "Log group of the silo containers."
  value       = aws_cloudwatch_log_group.silo.name
}

output "collector_log_group" {
  description = "Log group of the ADOT collector sidecars."
  value       = aws_cloudwatch_log_group.collector.name
}

output "metrics_log_group_arn" {
  description = "ARN of the EMF log group (the collector writes to it)."
  value       = aws_cloudwatch_log_group.metrics.arn
}

output "adot_config_parameter_arn" {
  description = "SSM parameter holding the collector configuration (AOT_CONFIG_CONTENT)."
  value       = aws_ssm_parameter.adot_config.arn
}

output "cluster_metrics_namespace" {
  description = "Namespace of the Orleans metrics used for autoscaling."
  value       = var.cluster_metrics_namespace
}

output "session_grain_type" {
  description = "The orleans-grains 'type' dimension value of SessionGrain."
  value       = var.session_grain_type
}

output "dashboard_name" {
  description = "The CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "alarm_names" {
  description = "The alarms."
  value       = [aws_cloudwatch_metric_alarm.latency.alarm_name, aws_cloudwatch_metric_alarm.error_rate.alarm_name, aws_cloudwatch_metric_alarm.silo_count.alarm_name]
}

output "thing_type_name" {
  description = "Thing type for devices (thing name = device id)."
  value       = aws_iot_thing_type.device.name
}

output "device_policy_name" {
  description = "Policy to attach to each device certificate."
  value       = aws_iot_policy.device.name
}

output "bridge_policy_name" {
  description = "Policy to attach to the gateway bridge's certificate."
  value       = aws_iot_policy.bridge.name
}

output "rule_names" {
  description = "The topic rules."
  value       = [aws_iot_topic_rule.alerts.name, aws_iot_topic_rule.telemetry.name, aws_iot_topic_rule.metrics.name]
}

output "rule_error_log_group" {
  description = "Log group of the rules' error action."
  value       = aws_cloudwatch_log_group.rule_errors.name
}

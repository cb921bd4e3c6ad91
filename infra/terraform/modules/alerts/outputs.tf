output "alarms_topic_arn" {
  description = "SNS topic for CloudWatch alarms."
  value       = aws_sns_topic.alarms.arn
}

output "emergency_topic_arn" {
  description = "SNS topic for emergency alerts (the IoT rule on anc/alerts/+)."
  value       = aws_sns_topic.emergency.arn
}

output "cluster_name" {
  description = "The ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "gateway_service_name" {
  description = "The gateway service."
  value       = aws_ecs_service.gateway.name
}

output "silo_service_name" {
  description = "The worker-silo service."
  value       = aws_ecs_service.silo.name
}

output "alb_dns_name" {
  description = "The ALB's DNS name (HTTPS and WSS)."
  value       = aws_lb.alb.dns_name
}

output "alb_arn" {
  description = "The ALB's ARN."
  value       = aws_lb.alb.arn
}

output "mqtt_nlb_dns_name" {
  description = "The MQTT/TLS NLB's DNS name, or null."
  value       = var.enable_mqtt_nlb ? aws_lb.mqtt[0].dns_name : null
}

output "tasks_security_group_id" {
  description = "Security group of the tasks (Orleans ports open only within it)."
  value       = aws_security_group.tasks.id
}

output "certificate_arn" {
  description = "The ACM certificate of domain_name."
  value       = aws_acm_certificate.this.arn
}

output "gateway_environment" {
  description = "The gateway container's environment (configuration keys the app binds)."
  value       = local.gateway_environment
}

output "silo_environment" {
  description = "The silo container's environment (configuration keys the app binds)."
  value       = local.silo_environment
}

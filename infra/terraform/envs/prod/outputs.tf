output "api_url" {
  description = "REST API (HTTPS)."
  value       = "https://${var.domain_name}"
}

output "websocket_url" {
  description = "Device WebSocket (WSS): append /v1/devices/{id}/stream."
  value       = "wss://${var.domain_name}"
}

output "alb_dns_name" {
  description = "The ALB (point domain_name at it when route53_zone_id is null)."
  value       = module.cluster.alb_dns_name
}

output "cloudfront_domain_name" {
  description = "CloudFront's name, or null when disabled."
  value       = module.cdn.domain_name
}

output "ecr_repository_urls" {
  description = "ECR repositories deploy.sh pushes to."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "admin_key_secret_arn" {
  description = "Secret holding Auth:AdminKey (deploy.sh puts a value once)."
  value       = aws_secretsmanager_secret.admin_key.arn
}

output "table_prefix" {
  description = "DynamoDB:TablePrefix."
  value       = module.data.table_prefix
}

output "recordings_bucket" {
  description = "S3 bucket of recordings (prefix recordings/) and telemetry."
  value       = module.storage.bucket_name
}

output "dashboard_name" {
  description = "The CloudWatch dashboard."
  value       = module.observability.dashboard_name
}

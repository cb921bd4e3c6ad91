output "domain_name" {
  description = "The distribution's *.cloudfront.net name, or null when disabled."
  value       = var.enabled ? aws_cloudfront_distribution.this[0].domain_name : null
}

output "distribution_id" {
  description = "The distribution's id, or null when disabled."
  value       = var.enabled ? aws_cloudfront_distribution.this[0].id : null
}

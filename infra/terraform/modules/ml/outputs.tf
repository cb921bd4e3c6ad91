output "endpoint_name" {
  description = "The endpoint's name (Classifier:EndpointName), or null when disabled."
  value       = var.enabled ? aws_sagemaker_endpoint.classifier[0].name : null
}

output "endpoint_arn" {
  description = "The endpoint's ARN (the task role's sagemaker:InvokeEndpoint), or null when disabled."
  value       = var.enabled ? aws_sagemaker_endpoint.classifier[0].arn : null
}

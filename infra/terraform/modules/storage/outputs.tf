output "bucket_name" {
  description = "The bucket's name."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "The bucket's ARN."
  value       = aws_s3_bucket.this.arn
}

output "recordings_prefix" {
  description = "Key prefix of session recordings."
  value       = "recordings/"
}

output "telemetry_prefix" {
  description = "Key prefix of IoT telemetry objects."
  value       = "telemetry/"
}

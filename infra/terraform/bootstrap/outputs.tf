output "state_bucket" {
  description = "The state bucket (the environments' backend bucket)."
  value       = aws_s3_bucket.state.bucket
}

output "lock_table" {
  description = "The lock table (the environments' backend dynamodb_table)."
  value       = aws_dynamodb_table.lock.name
}

output "table_prefix" {
  description = "The prefix to set as DynamoDB:TablePrefix in the app."
  value       = var.table_prefix
}

output "membership_table_name" {
  description = "The membership table's name."
  value       = aws_dynamodb_table.membership.name
}

output "grain_state_table_name" {
  description = "The grain-state table's name."
  value       = aws_dynamodb_table.grain_state.name
}

output "directory_table_name" {
  description = "The session grain directory's table name."
  value       = aws_dynamodb_table.directory.name
}

output "table_arns" {
  description = "ARNs of the app's tables (for the task role's policy)."
  value       = [aws_dynamodb_table.membership.arn, aws_dynamodb_table.grain_state.arn, aws_dynamodb_table.directory.arn]
}

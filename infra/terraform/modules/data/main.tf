# The three tables the app uses, with the key schema its providers create when a table is missing
# (aws/DynamoDb/DynamoDbTables.cs, DynamoDbMembershipTable.cs, DynamoDbGrainStorage.cs, DynamoDbGrainDirectory.cs). Creating them here keeps
# that code path a no-op in AWS: the task role is then not granted dynamodb:CreateTable.

locals {
  membership_table  = "${var.table_prefix}membership"
  grain_state_table = "${var.table_prefix}grain-state"
  directory_table   = "${var.table_prefix}directory"
  provisioned       = var.billing_mode == "PROVISIONED"
}

# Membership: hash ClusterId (S), range Row (S): one row per silo and a "#version" row per cluster.
# The app writes no expiry attribute here: defunct rows are removed by Orleans' CleanupDefunctSiloEntries, so TTL
# would have nothing to act on and is not enabled.
resource "aws_dynamodb_table" "membership" {
  name                        = local.membership_table
  billing_mode                = var.billing_mode
  hash_key                    = "ClusterId"
  range_key                   = "Row"
  read_capacity               = local.provisioned ? var.membership_capacity.read : null
  write_capacity              = local.provisioned ? var.membership_capacity.write : null
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "ClusterId"
    type = "S"
  }

  attribute {
    name = "Row"
    type = "S"
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

# Grain state: hash Id (S). Items carry ExpiresAt (epoch seconds) when DynamoDB:StateTimeToLive is set.
resource "aws_dynamodb_table" "grain_state" {
  name                        = local.grain_state_table
  billing_mode                = var.billing_mode
  hash_key                    = "Id"
  read_capacity               = local.provisioned ? var.grain_state_capacity.min_read : null
  write_capacity              = local.provisioned ? var.grain_state_capacity.min_write : null
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "Id"
    type = "S"
  }

  ttl {
    attribute_name = "ExpiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled = true
  }

  lifecycle {
    # Autoscaling changes the capacities.
    ignore_changes = [read_capacity, write_capacity]
  }

  tags = var.tags
}

resource "aws_appautoscaling_target" "grain_state_read" {
  count              = local.provisioned ? 1 : 0
  service_namespace  = "dynamodb"
  resource_id        = "table/${aws_dynamodb_table.grain_state.name}"
  scalable_dimension = "dynamodb:table:ReadCapacityUnits"
  min_capacity       = var.grain_state_capacity.min_read
  max_capacity       = var.grain_state_capacity.max_read
}

resource "aws_appautoscaling_target" "grain_state_write" {
  count              = local.provisioned ? 1 : 0
  service_namespace  = "dynamodb"
  resource_id        = "table/${aws_dynamodb_table.grain_state.name}"
  scalable_dimension = "dynamodb:table:WriteCapacityUnits"
  min_capacity       = var.grain_state_capacity.min_write
  max_capacity       = var.grain_state_capacity.max_write
}

resource "aws_appautoscaling_policy" "grain_state_read" {
  count              = local.provisioned ? 1 : 0
  name               = "${local.grain_state_table}-read"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.grain_state_read[0].service_namespace
  resource_id        = aws_appautoscaling_target.grain_state_read[0].resource_id
  scalable_dimension = aws_appautoscaling_target.grain_state_read[0].scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value = 70
    predefined_metric_specification {
      predefined_metric_type = "DynamoDBReadCapacityUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "grain_state_write" {
  count              = local.provisioned ? 1 : 0
  name               = "${local.grain_state_table}-write"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.grain_state_write[0].service_namespace
  resource_id        = aws_appautoscaling_target.grain_state_write[0].resource_id
  scalable_dimension = aws_appautoscaling_target.grain_state_write[0].scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value = 70
    predefined_metric_specification {
      predefined_metric_type = "DynamoDBWriteCapacityUtilization"
    }
  }
}

# Session grain directory: hash GrainId (S), one small item per live session activation (silo, activation id).
# On-demand in both environments: writes follow session starts and moves, not frames, and are bursty (a scale-in
# migrates a silo's sessions at once). No TTL: an entry naming a dead silo is replaced on the session's next call.
# No point-in-time recovery: the entries describe running processes, worthless after a restore.
resource "aws_dynamodb_table" "directory" {
  name                        = local.directory_table
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "GrainId"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "GrainId"
    type = "S"
  }

  server_side_encryption {
    enabled = true
  }

  tags = var.tags
}

# AWS IoT Core for devices that connect over MQTT with their own certificate: the thing type, the per-device policy
# (a device may use only anc/<its thing name>/...), the gateway bridge's policy, and the topic rules.
# Topics are the app's (gateway.core/Mqtt/MqttBridge.cs, EmbeddedBroker.cs; infra/aws/*.json):
#   device → cloud: anc/{id}/audio, anc/{id}/control, anc/{id}/shadow/update
#   cloud → device: anc/{id}/antinoise, anc/{id}/events, anc/{id}/coefficients, anc/{id}/shadow/update/accepted|rejected
#   alerts:         anc/alerts/{id}
# In HCL, "$${iot:Connection.Thing.ThingName}" is the literal policy variable ${iot:...}; "${...}" would be Terraform
# interpolation. The same holds for the rules' substitution templates ($${topic(2)}).

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  iot_name = replace(var.name, "-", "_")
  arn      = "arn:aws:iot:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  thing    = "$${iot:Connection.Thing.ThingName}"
}

resource "aws_iot_thing_type" "device" {
  name = "${local.iot_name}_anc_device"
  properties {
    description           = "AncOrleans noise-cancelling device (thing name = device id)"
    searchable_attributes = ["model", "firmware"]
  }
  tags = var.tags
}

resource "aws_iot_policy" "device" {
  name = "${var.name}-device"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "iot:Connect"
        Resource  = "${local.arn}:client/${local.thing}"
        Condition = { Bool = { "iot:Connection.Thing.IsAttached" = "true" } }
      },
      {
        Effect = "Allow"
        Action = "iot:Publish"
        Resource = [
          "${local.arn}:topic/anc/${local.thing}/audio",
          "${local.arn}:topic/anc/${local.thing}/control",
          "${local.arn}:topic/anc/${local.thing}/shadow/update",
        ]
      },
      {
        Effect = "Allow"
        Action = "iot:Subscribe"
        Resource = [
          "${local.arn}:topicfilter/anc/${local.thing}/antinoise",
          "${local.arn}:topicfilter/anc/${local.thing}/events",
          "${local.arn}:topicfilter/anc/${local.thing}/coefficients",
          "${local.arn}:topicfilter/anc/${local.thing}/shadow/*",
        ]
      },
      {
        Effect = "Allow"
        Action = "iot:Receive"
        Resource = [
          "${local.arn}:topic/anc/${local.thing}/antinoise",
          "${local.arn}:topic/anc/${local.thing}/events",
          "${local.arn}:topic/anc/${local.thing}/coefficients",
          "${local.arn}:topic/anc/${local.thing}/shadow/*",
        ]
      },
    ]
  })
  tags = var.tags
}

# The gateway's MQTT bridge (Mqtt:EmbeddedBroker=false, Mqtt:UseTls=true, its own certificate): client ids
# anc-gateway-*, reads every device's inbound topics and writes their outbound ones and anc/alerts/*.
resource "aws_iot_policy" "bridge" {
  name = "${var.name}-gateway-bridge"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "iot:Connect", Resource = "${local.arn}:client/anc-gateway-*" },
      {
        Effect = "Allow"
        Action = "iot:Subscribe"
        Resource = [
          "${local.arn}:topicfilter/anc/+/audio",
          "${local.arn}:topicfilter/anc/+/control",
          "${local.arn}:topicfilter/anc/+/shadow/update",
        ]
      },
      {
        Effect   = "Allow"
        Action   = "iot:Receive"
        Resource = ["${local.arn}:topic/anc/*/audio", "${local.arn}:topic/anc/*/control", "${local.arn}:topic/anc/*/shadow/update"]
      },
      {
        Effect = "Allow"
        Action = "iot:Publish"
        Resource = [
          "${local.arn}:topic/anc/*/antinoise",
          "${local.arn}:topic/anc/*/events",
          "${local.arn}:topic/anc/*/coefficients",
          "${local.arn}:topic/anc/*/shadow/update/accepted",
          "${local.arn}:topic/anc/*/shadow/update/rejected",
          "${local.arn}:topic/anc/alerts/*",
        ]
      },
    ]
  })
  tags = var.tags
}

# ---- Topic rules: each has an error action that writes the failed message and the error to a log group.

resource "aws_cloudwatch_log_group" "rule_errors" {
  name              = "/aws/iot/${var.name}/rule-errors"
  retention_in_days = var.error_log_retention_days
  tags              = var.tags
}

data "aws_iam_policy_document" "iot_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["iot.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "rules" {
  name               = "${var.name}-iot-rules"
  assume_role_policy = data.aws_iam_policy_document.iot_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "rules" {
  statement {
    sid       = "EmergencyAlertsToSns"
    actions   = ["sns:Publish"]
    resources = [var.emergency_topic_arn]
  }
  statement {
    sid       = "TelemetryToS3"
    actions   = ["s3:PutObject"]
    resources = ["${var.telemetry_bucket_arn}/telemetry/*"]
  }
  statement {
    sid     = "MetricsToCloudWatch"
    actions = ["cloudwatch:PutMetricData"]
    # iam-wildcard: PutMetricData supports no resource-level permission; the condition pins the namespace.
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [var.metrics_namespace]
    }
  }
  statement {
    sid       = "RuleErrorsToLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.rule_errors.arn}:*"]
  }
}

resource "aws_iam_role_policy" "rules" {
  name   = "rules"
  role   = aws_iam_role.rules.id
  policy = data.aws_iam_policy_document.rules.json
}

# anc/alerts/+ → SNS (the alert JSON as it is).
resource "aws_iot_topic_rule" "alerts" {
  name        = "${local.iot_name}_alerts"
  description = "Emergency alerts from the gateway (anc/alerts/{device}) to SNS"
  enabled     = true
  sql         = "SELECT *, topic(3) AS deviceId FROM 'anc/alerts/+'"
  sql_version = "2016-03-23"

  sns {
    target_arn     = var.emergency_topic_arn
    role_arn       = aws_iam_role.rules.arn
    message_format = "RAW"
  }

  error_action {
    cloudwatch_logs {
      log_group_name = aws_cloudwatch_log_group.rule_errors.name
      role_arn       = aws_iam_role.rules.arn
    }
  }
  tags = var.tags
}

# Telemetry: the per-second stats event of each session (anc/{id}/events, type "stats"), sampled, to S3.
resource "aws_iot_topic_rule" "telemetry" {
  name        = "${local.iot_name}_telemetry"
  description = "Session stats events (sampled) to S3 telemetry/"
  enabled     = true
  sql         = "SELECT *, topic(2) AS deviceId, timestamp() AS receivedAt FROM 'anc/+/events' WHERE type = 'stats' AND (timestamp() % ${var.sample_seconds * 1000}) < 1000"
  sql_version = "2016-03-23"

  s3 {
    bucket_name = var.telemetry_bucket_name
    key         = "telemetry/$${topic(2)}/$${parse_time('yyyy/MM/dd', timestamp())}/$${timestamp()}.json"
    role_arn    = aws_iam_role.rules.arn
  }

  error_action {
    cloudwatch_logs {
      log_group_name = aws_cloudwatch_log_group.rule_errors.name
      role_arn       = aws_iam_role.rules.arn
    }
  }
  tags = var.tags
}

# Metrics: the same sampled stats event's short-term noise reduction as NoiseReductionDB, per device.
resource "aws_iot_topic_rule" "metrics" {
  name        = "${local.iot_name}_metrics"
  description = "NoiseReductionDB from session stats events (sampled) to CloudWatch"
  enabled     = true
  sql         = "SELECT stats.reductionDbShortTerm AS reduction, topic(2) AS deviceId FROM 'anc/+/events' WHERE type = 'stats' AND isNumber(stats.reductionDbShortTerm) AND (timestamp() % ${var.sample_seconds * 1000}) < 1000"
  sql_version = "2016-03-23"

  cloudwatch_metric {
    metric_namespace = var.metrics_namespace
    metric_name      = "NoiseReductionDB"
    metric_unit      = "None"
    metric_value     = "$${reduction}"
    role_arn         = aws_iam_role.rules.arn
  }

  error_action {
    cloudwatch_logs {
      log_group_name = aws_cloudwatch_log_group.rule_errors.name
      role_arn       = aws_iam_role.rules.arn
    }
  }
  tags = var.tags
}

# Log groups, the ADOT collector's configuration (SSM parameter read by the sidecar), the dashboard with the seed's
# metrics and the alarms.

data "aws_region" "current" {}

locals {
  emf_log_group = "/anc/${var.name}/metrics"
  adot_config = templatefile("${path.module}/adot-config.yaml.tftpl", {
    region                   = data.aws_region.current.name
    emf_log_group            = local.emf_log_group
    cluster_namespace        = var.cluster_metrics_namespace
    session_grain_type_regex = "^${replace(var.session_grain_type, ".", "\\.")}$"
  })
}

resource "aws_cloudwatch_log_group" "gateway" {
  name              = "/anc/${var.name}/gateway"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "silo" {
  name              = "/anc/${var.name}/silo"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "collector" {
  name              = "/anc/${var.name}/adot-collector"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# The EMF exporter writes here; CloudWatch extracts the metrics from these log events.
resource "aws_cloudwatch_log_group" "metrics" {
  name              = local.emf_log_group
  retention_in_days = 7
  tags              = var.tags
}

resource "aws_ssm_parameter" "adot_config" {
  name  = "/anc/${var.name}/adot-config"
  type  = "String"
  tier  = "Advanced" # the config is above the 4 KB standard-tier limit
  value = local.adot_config
  tags  = var.tags
}

# ---- Dashboard: the seed's metrics, plus the cluster's shape.

locals {
  metric_widgets = [
    { title = "Noise reduction (dB)", ns = "ANC/Processing", metrics = ["NoiseReductionDB"], stat = "Average" },
    { title = "Grain call time per frame (ms)", ns = "ANC/Processing", metrics = ["ProcessingTimeMs"], stat = "Average" },
    { title = "Residual level (dB)", ns = "ANC/Processing", metrics = ["ErrorPower"], stat = "Average" },
    { title = "Latency at the gateway (ms)", ns = "ANC/Performance", metrics = ["Latency"], stat = "Average" },
    { title = "Throughput (frames answered)", ns = "ANC/Performance", metrics = ["Throughput"], stat = "Sum" },
    { title = "Errors", ns = "ANC/Errors", metrics = ["ErrorCount", "ValidationErrors"], stat = "Sum" },
    { title = "Frames dropped", ns = "ANC/Errors", metrics = ["FramesDropped", "FramesRateLimited", "FramesQueueFull", "FramesResent"], stat = "Sum" },
    { title = "Refused (auth, access)", ns = "ANC/Errors", metrics = ["AuthRefused", "AccessRefused"], stat = "Sum" },
  ]
  dashboard_widgets = concat(
    [for i, w in local.metric_widgets : {
      type   = "metric"
      x      = (i % 3) * 8
      y      = floor(i / 3) * 6
      width  = 8
      height = 6
      properties = {
        title   = w.title
        region  = data.aws_region.current.name
        view    = "timeSeries"
        stat    = w.stat
        period  = 60
        metrics = [for m in w.metrics : [w.ns, m]]
      }
    }],
    [
      {
        type   = "metric"
        x      = 0
        y      = 18
        width  = 12
        height = 6
        properties = {
          title  = "Running tasks"
          region = data.aws_region.current.name
          stat   = "Average"
          period = 60
          metrics = [
            ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", var.ecs_cluster_name, "ServiceName", var.silo_service_name],
            ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", var.ecs_cluster_name, "ServiceName", var.gateway_service_name],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 18
        width  = 12
        height = 6
        properties = {
          title   = "Sessions per silo (SessionGrain activations, average over silos)"
          region  = data.aws_region.current.name
          stat    = "Average"
          period  = 60
          metrics = [[var.cluster_metrics_namespace, "orleans-grains", "type", var.session_grain_type]]
        }
      },
    ],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = "${var.name}-anc"
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}

# ---- Alarms → SNS.

resource "aws_cloudwatch_metric_alarm" "latency" {
  alarm_name          = "${var.name}-latency"
  alarm_description   = "Average gateway latency (frame received → reply queued) above ${var.latency_threshold_ms} ms for 3 minutes."
  namespace           = "ANC/Performance"
  metric_name         = "Latency"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 3
  threshold           = var.latency_threshold_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarms_topic_arn]
  ok_actions          = [var.alarms_topic_arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "error_rate" {
  alarm_name          = "${var.name}-error-rate"
  alarm_description   = "(ErrorCount + ValidationErrors) / Throughput above ${var.error_rate_threshold} for 5 minutes."
  evaluation_periods  = 5
  threshold           = var.error_rate_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarms_topic_arn]
  ok_actions          = [var.alarms_topic_arn]

  metric_query {
    id          = "rate"
    expression  = "IF(frames > 0, (errors + invalid) / frames, 0)"
    label       = "error rate"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "ANC/Errors"
      metric_name = "ErrorCount"
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "invalid"
    metric {
      namespace   = "ANC/Errors"
      metric_name = "ValidationErrors"
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "frames"
    metric {
      namespace   = "ANC/Performance"
      metric_name = "Throughput"
      period      = 60
      stat        = "Sum"
    }
  }
  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "silo_count" {
  alarm_name          = "${var.name}-silo-count"
  alarm_description   = "Fewer than ${var.min_silos} silo tasks running for 3 minutes."
  namespace           = "ECS/ContainerInsights"
  metric_name         = "RunningTaskCount"
  dimensions          = { ClusterName = var.ecs_cluster_name, ServiceName = var.silo_service_name }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 3
  threshold           = var.min_silos
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = [var.alarms_topic_arn]
  ok_actions          = [var.alarms_topic_arn]
  tags                = var.tags
}

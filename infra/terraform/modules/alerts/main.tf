# One topic for operational alarms (CloudWatch) and one for emergency alerts (the IoT rule on anc/alerts/+),
# so a pager can follow one without the other.

data "aws_caller_identity" "current" {}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = "alias/aws/sns"
  tags              = var.tags
}

resource "aws_sns_topic" "emergency" {
  name              = "${var.name}-emergency-alerts"
  kms_master_key_id = "alias/aws/sns"
  tags              = var.tags
}

# CloudWatch alarms may publish to the alarms topic, from this account only.
data "aws_iam_policy_document" "alarms" {
  statement {
    sid       = "CloudWatchAlarms"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms.json
}

resource "aws_sns_topic_subscription" "alarms" {
  count     = length(var.subscriptions)
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = var.subscriptions[count.index].protocol
  endpoint  = var.subscriptions[count.index].endpoint
}

resource "aws_sns_topic_subscription" "emergency" {
  count     = length(var.subscriptions)
  topic_arn = aws_sns_topic.emergency.arn
  protocol  = var.subscriptions[count.index].protocol
  endpoint  = var.subscriptions[count.index].endpoint
}

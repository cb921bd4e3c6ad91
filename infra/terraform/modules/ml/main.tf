# Optional SageMaker real-time endpoint for the noise classifier (Classifier:Backend=sagemaker; the silos fall back
# to the embedded model on any failure, docs/classifier-sagemaker.md).

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "sagemaker" {
  count              = var.enabled ? 1 : 0
  name               = "${var.name}-classifier-sagemaker"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "sagemaker" {
  statement {
    sid     = "EcrAuth"
    actions = ["ecr:GetAuthorizationToken"]
    # iam-wildcard: ecr:GetAuthorizationToken has no resource-level permission.
    resources = ["*"]
  }
  statement {
    sid       = "EcrPull"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [var.ecr_repository_arn]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["arn:aws:logs:*:*:log-group:/aws/sagemaker/Endpoints/${var.name}-classifier:*"]
  }
  dynamic "statement" {
    for_each = var.model_bucket_arn == null ? [] : [var.model_bucket_arn]
    content {
      sid       = "ModelData"
      actions   = ["s3:GetObject"]
      resources = ["${statement.value}/*"]
    }
  }
}

resource "aws_iam_role_policy" "sagemaker" {
  count  = var.enabled ? 1 : 0
  name   = "serving"
  role   = aws_iam_role.sagemaker[0].id
  policy = data.aws_iam_policy_document.sagemaker.json
}

resource "aws_sagemaker_model" "classifier" {
  count              = var.enabled ? 1 : 0
  name               = "${var.name}-classifier"
  execution_role_arn = aws_iam_role.sagemaker[0].arn
  primary_container {
    image          = var.image
    model_data_url = var.model_data_url
    mode           = "SingleModel"
  }
  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.image != "" && var.ecr_repository_arn != ""
      error_message = "ml.enabled needs image and ecr_repository_arn."
    }
  }
}

resource "aws_sagemaker_endpoint_configuration" "classifier" {
  count = var.enabled ? 1 : 0
  name  = "${var.name}-classifier-${substr(sha1(jsonencode([var.image, var.model_data_url, var.instance_type, var.instance_count])), 0, 8)}"
  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.classifier[0].name
    initial_instance_count = var.instance_count
    instance_type          = var.instance_type
  }
  tags = var.tags
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_sagemaker_endpoint" "classifier" {
  count                = var.enabled ? 1 : 0
  name                 = "${var.name}-classifier"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.classifier[0].name
  tags                 = var.tags
}

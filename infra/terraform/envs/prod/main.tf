# prod: multi-AZ (a NAT gateway per AZ), on-demand Fargate, autoscaling on CPU and sessions per silo, CloudFront and
# WAF required, deletion protection on tables and load balancers, the SageMaker classifier (ml.m5.xlarge × 2).

locals {
  name = "anc-prod"
  tags = { Project = "anc-orleans", Environment = "prod", ManagedBy = "terraform" }
}

data "aws_caller_identity" "current" {}

resource "aws_ecr_repository" "this" {
  for_each             = toset(["gateway", "silo", "classifier"])
  name                 = "anc-prod/${each.key}"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
}

# The admin key's secret; its value is put by deploy.sh (never in Terraform state).
resource "aws_secretsmanager_secret" "admin_key" {
  name                    = "${local.name}/auth-admin-key"
  description             = "Auth:AdminKey of the gateways (at least 32 characters)"
  recovery_window_in_days = 30
}

module "network" {
  source             = "../../modules/network"
  name               = local.name
  az_count           = var.azs
  single_nat_gateway = false
}

module "data" {
  source       = "../../modules/data"
  table_prefix = "${local.name}-"
  # Checkpoints are a steady write load (1,000 sessions / 30 s × 27 WCU ≈ 900 WCU): provisioned with autoscaling
  # costs about 40 % of on-demand for it (infra/README.md, cost).
  billing_mode           = "PROVISIONED"
  grain_state_capacity   = { min_read = 5, max_read = 200, min_write = 200, max_write = 3000 }
  point_in_time_recovery = true
  deletion_protection    = true
}

module "storage" {
  source                 = "../../modules/storage"
  bucket_name            = "${local.name}-recordings-${data.aws_caller_identity.current.account_id}"
  force_destroy          = false
  recordings_expire_days = 365
}

module "alerts" {
  source        = "../../modules/alerts"
  name          = local.name
  subscriptions = var.alert_subscriptions
}

module "iot" {
  source                = "../../modules/iot"
  name                  = local.name
  emergency_topic_arn   = module.alerts.emergency_topic_arn
  telemetry_bucket_name = module.storage.bucket_name
  telemetry_bucket_arn  = module.storage.bucket_arn
  sample_seconds        = 300
}

module "ml" {
  source             = "../../modules/ml"
  name               = local.name
  enabled            = var.enable_sagemaker
  image              = "${aws_ecr_repository.this["classifier"].repository_url}:${var.image_tag}"
  ecr_repository_arn = aws_ecr_repository.this["classifier"].arn
  instance_type      = "ml.m5.xlarge"
  instance_count     = 2
}

module "observability" {
  source               = "../../modules/observability"
  name                 = local.name
  log_retention_days   = 90
  alarms_topic_arn     = module.alerts.alarms_topic_arn
  ecs_cluster_name     = module.cluster.cluster_name
  silo_service_name    = module.cluster.silo_service_name
  gateway_service_name = module.cluster.gateway_service_name
  min_silos            = 2
}

module "cluster" {
  source             = "../../modules/cluster"
  name               = local.name
  vpc_id             = module.network.vpc_id
  public_subnet_ids  = module.network.public_subnet_ids
  private_subnet_ids = module.network.private_subnet_ids

  gateway_image       = "${aws_ecr_repository.this["gateway"].repository_url}:${var.image_tag}"
  silo_image          = "${aws_ecr_repository.this["silo"].repository_url}:${var.image_tag}"
  ecr_repository_arns = [aws_ecr_repository.this["gateway"].arn, aws_ecr_repository.this["silo"].arn]
  gateway_cpu         = 2048
  gateway_memory      = 4096
  silo_cpu            = 2048
  silo_memory         = 4096
  gateway_count       = 2
  silo_count          = 3
  use_fargate_spot    = false

  enable_autoscaling       = true
  gateway_min              = 2
  gateway_max              = 20
  silo_min                 = 3
  silo_max                 = 60
  cpu_target_percent       = 60
  sessions_per_silo_target = 28
  checkpoint_seconds       = 30

  cluster_metrics_namespace = module.observability.cluster_metrics_namespace
  session_grain_type        = module.observability.session_grain_type

  domain_name                       = var.domain_name
  route53_zone_id                   = var.route53_zone_id
  enable_waf                        = true
  load_balancer_deletion_protection = true

  cluster_id                = "${local.name}-1"
  table_prefix              = module.data.table_prefix
  table_arns                = module.data.table_arns
  admin_key_secret_arn      = aws_secretsmanager_secret.admin_key.arn
  classifier_endpoint_name  = module.ml.endpoint_name
  classifier_endpoint_arn   = module.ml.endpoint_arn
  recordings_bucket_arn     = module.storage.bucket_arn
  gateway_log_group         = module.observability.gateway_log_group
  silo_log_group            = module.observability.silo_log_group
  collector_log_group       = module.observability.collector_log_group
  metrics_log_group_arn     = module.observability.metrics_log_group_arn
  adot_config_parameter_arn = module.observability.adot_config_parameter_arn
}

# WAF for CloudFront (scope CLOUDFRONT lives in us-east-1).
resource "aws_wafv2_web_acl" "cloudfront" {
  provider = aws.us_east_1
  name     = "${local.name}-cloudfront"
  scope    = "CLOUDFRONT"

  default_action {
    allow {}
  }

  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = 10
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"
        rule_action_override {
          name = "SizeRestrictions_BODY"
          action_to_use {
            count {}
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "common"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 20
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit              = 2000
        aggregate_key_type = "IP"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "rate-limit-per-ip"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${local.name}-cloudfront"
    sampled_requests_enabled   = true
  }
}

module "cdn" {
  source                        = "../../modules/cdn"
  name                          = local.name
  enabled                       = true
  origin_domain_name            = var.domain_name
  aliases                       = var.cloudfront_aliases
  acm_certificate_arn_us_east_1 = var.cloudfront_certificate_arn
  web_acl_arn                   = aws_wafv2_web_acl.cloudfront.arn
}

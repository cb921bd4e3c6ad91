# dev: single-AZ tasks, Fargate Spot, no autoscaling, CloudFront and WAF optional, on-demand tables, nothing
# protected from deletion (the seed's environment table).

locals {
  name = "anc-dev"
  tags = { Project = "anc-orleans", Environment = "dev", ManagedBy = "terraform" }
}

resource "aws_ecr_repository" "this" {
  for_each             = toset(["gateway", "silo", "classifier"])
  name                 = "anc/${each.key}"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = true
  image_scanning_configuration {
    scan_on_push = true
  }
}

# The admin key's secret; its value is put by deploy.sh (never in Terraform state).
resource "aws_secretsmanager_secret" "admin_key" {
  name                    = "${local.name}/auth-admin-key"
  description             = "Auth:AdminKey of the gateways (at least 32 characters)"
  recovery_window_in_days = 0
}

module "network" {
  source             = "../../modules/network"
  name               = local.name
  az_count           = 1
  single_nat_gateway = true
}

module "data" {
  source                 = "../../modules/data"
  table_prefix           = "${local.name}-"
  billing_mode           = "PAY_PER_REQUEST"
  point_in_time_recovery = true
  deletion_protection    = false
}

module "storage" {
  source                 = "../../modules/storage"
  bucket_name            = "${local.name}-recordings-${data.aws_caller_identity.current.account_id}"
  force_destroy          = true
  recordings_expire_days = 30
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
  sample_seconds        = 60
}

module "ml" {
  source             = "../../modules/ml"
  name               = local.name
  enabled            = var.enable_sagemaker
  image              = "${aws_ecr_repository.this["classifier"].repository_url}:${var.image_tag}"
  ecr_repository_arn = aws_ecr_repository.this["classifier"].arn
  instance_type      = "ml.t3.medium"
  instance_count     = 1
}

module "observability" {
  source               = "../../modules/observability"
  name                 = local.name
  log_retention_days   = 14
  alarms_topic_arn     = module.alerts.alarms_topic_arn
  ecs_cluster_name     = module.cluster.cluster_name
  silo_service_name    = module.cluster.silo_service_name
  gateway_service_name = module.cluster.gateway_service_name
  min_silos            = 1
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
  gateway_cpu         = 1024
  gateway_memory      = 2048
  silo_cpu            = 1024
  silo_memory         = 2048
  gateway_count       = 1
  silo_count          = 1
  use_fargate_spot    = true
  enable_autoscaling  = false

  cluster_metrics_namespace = module.observability.cluster_metrics_namespace
  session_grain_type        = module.observability.session_grain_type

  domain_name     = var.domain_name
  route53_zone_id = var.route53_zone_id
  enable_waf      = var.enable_waf

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

module "cdn" {
  source             = "../../modules/cdn"
  name               = local.name
  enabled            = var.enable_cloudfront
  origin_domain_name = var.domain_name
}

data "aws_caller_identity" "current" {}

# ECS on Fargate: one cluster, a gateway service behind an ALB (HTTPS + WSS) and a worker-silo service, an ADOT
# collector sidecar in each task, least-privilege task roles, autoscaling, ACM, WAF and an optional NLB for MQTT/TLS.
#
# Orleans on ECS (issue 15): silo port 11111 and gateway port 30000 are reachable only from the tasks' own security
# group (self-ingress), never from a load balancer or the internet; the ALB health check is the liveness endpoint
# /healthz, which does not depend on the cluster or storage, so a slow membership table never gets healthy tasks
# replaced; SIGTERM gives a silo stop_timeout_seconds to leave membership.

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  region       = data.aws_region.current.name
  account      = data.aws_caller_identity.current.account_id
  http_port    = 8080
  silo_port    = 11111
  gateway_port = 30000
  mqtt_port    = 1883
  sagemaker    = var.classifier_endpoint_name != null

  # Every variable below is a configuration key the app binds (Section__Key); tests/integration/Infra checks each
  # against the options classes by reflection. Nothing else may set an app container's environment.
  #
  # The image's own environment files (infra/docker/<app>.env: KEY=VALUE lines, # comments), shared with the local
  # cluster and the image test, come first; this deployment's values below override them. A missing file is empty.
  gateway_env_file = {
    for line in split("\n", try(file("${path.module}/../../../docker/gateway.env"), "")) :
    trimspace(split("=", line)[0]) => trimspace(join("=", slice(split("=", line), 1, length(split("=", line)))))
    if length(trimspace(line)) > 0 && !startswith(trimspace(line), "#") && strcontains(line, "=")
  }
  silo_env_file = {
    for line in split("\n", try(file("${path.module}/../../../docker/silo.env"), "")) :
    trimspace(split("=", line)[0]) => trimspace(join("=", slice(split("=", line), 1, length(split("=", line)))))
    if length(trimspace(line)) > 0 && !startswith(trimspace(line), "#") && strcontains(line, "=")
  }

  common_environment = {
    Clustering__Provider      = "dynamodb"
    Persistence__Provider     = "dynamodb"
    DynamoDB__Region          = local.region
    DynamoDB__TablePrefix     = var.table_prefix
    DynamoDB__StateTimeToLive = var.state_time_to_live
    Orleans__ClusterId        = var.cluster_id
    Orleans__ServiceId        = var.service_id
    Orleans__SiloPort         = tostring(local.silo_port)
    Orleans__GatewayPort      = tostring(local.gateway_port)
    Classifier__Backend       = local.sagemaker ? "sagemaker" : "embedded"
    Classifier__EndpointName  = local.sagemaker ? var.classifier_endpoint_name : ""
    Classifier__Region        = local.region
    # Sessions spread over every silo by resource-optimised placement, rather than staying on the gateway that
    # started them (Orleans' 5 % local preference): the silo service is what scales (docs/deployment-aws.md).
    Placement__LocalSiloPreferenceMargin = "0"
    Session__CheckpointSeconds           = tostring(var.checkpoint_seconds)
  }

  gateway_only_environment = {
    Urls                   = "http://+:${local.http_port}"
    ASPNETCORE_ENVIRONMENT = "Production"
    Auth__Mode             = "production"
    Mqtt__Enabled          = tostring(var.mqtt_enabled)
    Mqtt__EmbeddedBroker   = "true"
  }

  silo_only_environment = {
    DOTNET_ENVIRONMENT = "Production"
  }

  gateway_environment = merge(local.gateway_env_file, local.common_environment, local.gateway_only_environment)
  silo_environment    = merge(local.silo_env_file, local.common_environment, local.silo_only_environment)

  # Secrets: name → Secrets Manager ARN (the execution role reads them at task start); unset ones are left out.
  gateway_secret_arns = {
    Auth__AdminKey  = var.admin_key_secret_arn
    Auth__ReaderKey = var.reader_key_secret_arn
  }
  gateway_secrets = { for k, v in local.gateway_secret_arns : k => v if v != null }

  secret_arns = compact([var.admin_key_secret_arn, var.reader_key_secret_arn])

  log_options = {
    "awslogs-region"        = local.region
    "awslogs-stream-prefix" = "ecs"
  }

  # The ADOT collector sidecar (essential = false: a collector failure never stops the app).
  collector_container = {
    name      = "adot-collector"
    image     = var.collector_image
    essential = false
    secrets   = [{ name = "AOT_CONFIG_CONTENT", valueFrom = var.adot_config_parameter_arn }]
    logConfiguration = {
      logDriver = "awslogs"
      options   = merge(local.log_options, { "awslogs-group" = var.collector_log_group })
    }
  }

  gateway_container = {
    name        = "gateway"
    image       = var.gateway_image
    essential   = true
    stopTimeout = var.stop_timeout_seconds
    portMappings = concat(
      [
        { containerPort = local.http_port, protocol = "tcp", name = "http" },
        { containerPort = local.silo_port, protocol = "tcp", name = "silo" },
        { containerPort = local.gateway_port, protocol = "tcp", name = "orleans-gateway" },
      ],
      var.mqtt_enabled ? [{ containerPort = local.mqtt_port, protocol = "tcp", name = "mqtt" }] : [],
    )
    environment            = [for k in sort(keys(local.gateway_environment)) : { name = k, value = local.gateway_environment[k] }]
    secrets                = [for k in sort(keys(local.gateway_secrets)) : { name = k, valueFrom = local.gateway_secrets[k] }]
    readonlyRootFilesystem = false
    logConfiguration = {
      logDriver = "awslogs"
      options   = merge(local.log_options, { "awslogs-group" = var.gateway_log_group })
    }
  }

  silo_container = {
    name        = "silo"
    image       = var.silo_image
    essential   = true
    stopTimeout = var.stop_timeout_seconds
    portMappings = [
      { containerPort = local.silo_port, protocol = "tcp", name = "silo" },
      { containerPort = local.gateway_port, protocol = "tcp", name = "orleans-gateway" },
    ]
    environment = [for k in sort(keys(local.silo_environment)) : { name = k, value = local.silo_environment[k] }]
    logConfiguration = {
      logDriver = "awslogs"
      options   = merge(local.log_options, { "awslogs-group" = var.silo_log_group })
    }
  }

  capacity_provider = var.use_fargate_spot ? "FARGATE_SPOT" : "FARGATE"
}

# ---------------------------------------------------------------- ECS cluster

resource "aws_ecs_cluster" "this" {
  name = "${var.name}-cluster"
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
  tags = var.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]
  default_capacity_provider_strategy {
    capacity_provider = local.capacity_provider
    weight            = 1
  }
}

# ---------------------------------------------------------------- Security groups

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "ALB: HTTPS and WSS from clients, HTTP only to redirect"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  for_each          = toset(var.alb_ingress_cidrs)
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS and WSS"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  for_each          = toset(var.alb_ingress_cidrs)
  security_group_id = aws_security_group.alb.id
  description       = "HTTP, redirected to HTTPS"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  security_group_id            = aws_security_group.alb.id
  description                  = "To the gateways' HTTP port"
  ip_protocol                  = "tcp"
  from_port                    = local.http_port
  to_port                      = local.http_port
  referenced_security_group_id = aws_security_group.tasks.id
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "Gateway and silo tasks: Orleans ports only among themselves"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "tasks_http_from_alb" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "Gateway HTTP from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = local.http_port
  to_port                      = local.http_port
  referenced_security_group_id = aws_security_group.alb.id
}

# Silo-to-silo (11111) and Orleans gateway (30000): self-ingress only.
resource "aws_vpc_security_group_ingress_rule" "tasks_silo_self" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "Orleans silo port, between the cluster's tasks only"
  ip_protocol                  = "tcp"
  from_port                    = local.silo_port
  to_port                      = local.silo_port
  referenced_security_group_id = aws_security_group.tasks.id
}

resource "aws_vpc_security_group_ingress_rule" "tasks_gateway_self" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "Orleans gateway port, between the cluster's tasks only"
  ip_protocol                  = "tcp"
  from_port                    = local.gateway_port
  to_port                      = local.gateway_port
  referenced_security_group_id = aws_security_group.tasks.id
}

resource "aws_vpc_security_group_ingress_rule" "tasks_mqtt_from_nlb" {
  count                        = var.enable_mqtt_nlb ? 1 : 0
  security_group_id            = aws_security_group.tasks.id
  description                  = "MQTT from the NLB (TLS terminated there)"
  ip_protocol                  = "tcp"
  from_port                    = local.mqtt_port
  to_port                      = local.mqtt_port
  referenced_security_group_id = aws_security_group.nlb[0].id
}

resource "aws_vpc_security_group_egress_rule" "tasks_silo_self" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "Orleans silo port of the other tasks"
  ip_protocol                  = "tcp"
  from_port                    = local.silo_port
  to_port                      = local.silo_port
  referenced_security_group_id = aws_security_group.tasks.id
}

resource "aws_vpc_security_group_egress_rule" "tasks_gateway_self" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "Orleans gateway port of the other tasks"
  ip_protocol                  = "tcp"
  from_port                    = local.gateway_port
  to_port                      = local.gateway_port
  referenced_security_group_id = aws_security_group.tasks.id
}

resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to AWS APIs (DynamoDB and S3 through gateway endpoints, the rest through NAT) and ECR"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "tasks_mqtts" {
  count             = var.mqtt_enabled ? 1 : 0
  security_group_id = aws_security_group.tasks.id
  description       = "MQTT over TLS to an external broker (IoT Core)"
  ip_protocol       = "tcp"
  from_port         = 8883
  to_port           = 8883
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_security_group" "nlb" {
  count       = var.enable_mqtt_nlb ? 1 : 0
  name        = "${var.name}-nlb"
  description = "NLB: MQTT over TLS from devices"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "nlb_mqtts" {
  for_each          = var.enable_mqtt_nlb ? toset(var.mqtt_ingress_cidrs) : toset([])
  security_group_id = aws_security_group.nlb[0].id
  description       = "MQTT over TLS"
  ip_protocol       = "tcp"
  from_port         = 8883
  to_port           = 8883
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "nlb_to_tasks" {
  count                        = var.enable_mqtt_nlb ? 1 : 0
  security_group_id            = aws_security_group.nlb[0].id
  description                  = "To the gateways' MQTT port"
  ip_protocol                  = "tcp"
  from_port                    = local.mqtt_port
  to_port                      = local.mqtt_port
  referenced_security_group_id = aws_security_group.tasks.id
}

# ---------------------------------------------------------------- ACM

resource "aws_acm_certificate" "this" {
  domain_name       = var.domain_name
  validation_method = "DNS"
  tags              = var.tags
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each = var.route53_zone_id == null ? {} : {
    for o in aws_acm_certificate.this.domain_validation_options : o.domain_name => o
  }
  zone_id         = var.route53_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  count                   = var.route53_zone_id == null ? 0 : 1
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}

locals {
  certificate_arn = var.route53_zone_id == null ? aws_acm_certificate.this.arn : aws_acm_certificate_validation.this[0].certificate_arn
}

# ---------------------------------------------------------------- ALB (HTTPS + WSS)

resource "aws_lb" "alb" {
  name                       = "${var.name}-alb"
  load_balancer_type         = "application"
  internal                   = false
  security_groups            = [aws_security_group.alb.id]
  subnets                    = var.public_subnet_ids
  idle_timeout               = var.alb_idle_timeout_seconds
  drop_invalid_header_fields = true
  enable_deletion_protection = var.load_balancer_deletion_protection
  tags                       = var.tags

  lifecycle {
    precondition {
      condition     = var.alb_idle_timeout_seconds > var.websocket_keepalive_seconds
      error_message = "alb_idle_timeout_seconds must exceed websocket_keepalive_seconds, or the ALB closes quiet WebSockets between keep-alives."
    }
  }
}

resource "aws_lb_target_group" "gateway" {
  name                 = "${var.name}-gw"
  port                 = local.http_port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = var.deregistration_delay_seconds

  # Liveness, not readiness: /healthz never depends on the cluster or storage (ECS replaces tasks the ALB finds
  # unhealthy, so a readiness check here would let a slow membership table kill healthy gateways).
  health_check {
    path                = "/healthz"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 4
  }

  lifecycle {
    precondition {
      condition     = var.deregistration_delay_seconds < var.stop_timeout_seconds + 60
      error_message = "deregistration_delay_seconds is far above stop_timeout_seconds: connections would outlive the task."
    }
  }
  tags = var.tags
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.alb.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = local.certificate_arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.gateway.arn
  }
}

resource "aws_lb_listener" "http_redirect" {
  load_balancer_arn = aws_lb.alb.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_route53_record" "alb" {
  count   = var.route53_zone_id == null ? 0 : 1
  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = "A"
  alias {
    name                   = aws_lb.alb.dns_name
    zone_id                = aws_lb.alb.zone_id
    evaluate_target_health = true
  }
}

# ---------------------------------------------------------------- WAF on the ALB

resource "aws_wafv2_web_acl" "alb" {
  count = var.enable_waf ? 1 : 0
  name  = "${var.name}-alb"
  scope = "REGIONAL"

  default_action {
    allow {}
  }

  dynamic "rule" {
    for_each = {
      AWSManagedRulesCommonRuleSet          = 10
      AWSManagedRulesKnownBadInputsRuleSet  = 20
      AWSManagedRulesAmazonIpReputationList = 30
    }
    content {
      name     = rule.key
      priority = rule.value
      override_action {
        none {}
      }
      statement {
        managed_rule_group_statement {
          vendor_name = "AWS"
          name        = rule.key
          # The REST API takes JSON bodies above the common rule set's 8 KB body limit (device provisioning,
          # configuration): count, do not block, on that one rule.
          dynamic "rule_action_override" {
            for_each = rule.key == "AWSManagedRulesCommonRuleSet" ? ["SizeRestrictions_BODY"] : []
            content {
              name = rule_action_override.value
              action_to_use {
                count {}
              }
            }
          }
        }
      }
      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = rule.key
        sampled_requests_enabled   = true
      }
    }
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 40
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit              = var.waf_rate_limit
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
    metric_name                = "${var.name}-alb"
    sampled_requests_enabled   = true
  }
  tags = var.tags
}

resource "aws_wafv2_web_acl_association" "alb" {
  count        = var.enable_waf ? 1 : 0
  resource_arn = aws_lb.alb.arn
  web_acl_arn  = aws_wafv2_web_acl.alb[0].arn
}

# ---------------------------------------------------------------- Optional NLB: MQTT over TLS

resource "aws_lb" "mqtt" {
  count                      = var.enable_mqtt_nlb ? 1 : 0
  name                       = "${var.name}-mqtt"
  load_balancer_type         = "network"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [aws_security_group.nlb[0].id]
  enable_deletion_protection = var.load_balancer_deletion_protection
  tags                       = var.tags

  lifecycle {
    precondition {
      condition     = var.mqtt_enabled
      error_message = "enable_mqtt_nlb needs mqtt_enabled = true (the gateway's broker)."
    }
  }
}

resource "aws_lb_target_group" "mqtt" {
  count                = var.enable_mqtt_nlb ? 1 : 0
  name                 = "${var.name}-mqtt"
  port                 = local.mqtt_port
  protocol             = "TCP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = var.deregistration_delay_seconds
  health_check {
    protocol = "TCP"
  }
  tags = var.tags
}

resource "aws_lb_listener" "mqtts" {
  count             = var.enable_mqtt_nlb ? 1 : 0
  load_balancer_arn = aws_lb.mqtt[0].arn
  port              = 8883
  protocol          = "TLS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = local.certificate_arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.mqtt[0].arn
  }
}

# ---------------------------------------------------------------- IAM: execution role (pull, logs, secrets)

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-ecs-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid     = "EcrAuth"
    actions = ["ecr:GetAuthorizationToken"]
    # iam-wildcard: ecr:GetAuthorizationToken has no resource-level permission (it is account-wide by design).
    resources = ["*"]
  }
  statement {
    sid       = "EcrPull"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = var.ecr_repository_arns
  }
  statement {
    sid     = "Logs"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [
      "arn:aws:logs:${local.region}:${local.account}:log-group:${var.gateway_log_group}:*",
      "arn:aws:logs:${local.region}:${local.account}:log-group:${var.silo_log_group}:*",
      "arn:aws:logs:${local.region}:${local.account}:log-group:${var.collector_log_group}:*",
    ]
  }
  statement {
    sid       = "Secrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = local.secret_arns
  }
  statement {
    sid       = "CollectorConfig"
    actions   = ["ssm:GetParameters"]
    resources = [var.adot_config_parameter_arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# ---------------------------------------------------------------- IAM: task roles (what the app may do)

# Both: our tables only (membership, grain state, session directory), with the calls the providers make (aws/DynamoDb: Describe/Get/Put/Update/Delete/Query
# and TransactWriteItems, which is authorised per contained Put/Update/ConditionCheck). No CreateTable: the data
# module creates the tables, so the app's create-if-missing path only describes them.
data "aws_iam_policy_document" "common" {
  statement {
    sid = "DynamoDbOurTables"
    actions = [
      "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
      "dynamodb:Query", "dynamodb:ConditionCheckItem",
    ]
    resources = var.table_arns
  }
  statement {
    sid       = "CollectorMetrics"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${var.metrics_log_group_arn}:*"]
  }
  statement {
    sid     = "CollectorTraces"
    actions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    # iam-wildcard: these X-Ray actions support no resource-level permission.
    resources = ["*"]
  }
  dynamic "statement" {
    for_each = var.classifier_endpoint_arn == null ? [] : [var.classifier_endpoint_arn]
    content {
      sid       = "ClassifierEndpoint"
      actions   = ["sagemaker:InvokeEndpoint"]
      resources = [statement.value]
    }
  }
}

data "aws_iam_policy_document" "gateway" {
  source_policy_documents = [data.aws_iam_policy_document.common.json]
  statement {
    sid       = "Recordings"
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = ["${var.recordings_bucket_arn}/recordings/*"]
  }
  # The MQTT bridge (when pointed at IoT Core): its client ids and our topics only (infra/aws/iot-bridge-policy.json).
  statement {
    sid       = "IotConnect"
    actions   = ["iot:Connect"]
    resources = ["arn:aws:iot:${local.region}:${local.account}:client/anc-gateway-*"]
  }
  statement {
    sid     = "IotPublishOurTopics"
    actions = ["iot:Publish"]
    resources = [
      "arn:aws:iot:${local.region}:${local.account}:topic/anc/*/antinoise",
      "arn:aws:iot:${local.region}:${local.account}:topic/anc/*/events",
      "arn:aws:iot:${local.region}:${local.account}:topic/anc/*/coefficients",
      "arn:aws:iot:${local.region}:${local.account}:topic/anc/*/shadow/update/accepted",
      "arn:aws:iot:${local.region}:${local.account}:topic/anc/*/shadow/update/rejected",
      "arn:aws:iot:${local.region}:${local.account}:topic/anc/alerts/*",
    ]
  }
  statement {
    sid     = "IotSubscribeOurTopics"
    actions = ["iot:Subscribe"]
    resources = [
      "arn:aws:iot:${local.region}:${local.account}:topicfilter/anc/+/audio",
      "arn:aws:iot:${local.region}:${local.account}:topicfilter/anc/+/control",
      "arn:aws:iot:${local.region}:${local.account}:topicfilter/anc/+/shadow/update",
    ]
  }
  statement {
    sid     = "IotReceiveOurTopics"
    actions = ["iot:Receive"]
    resources = [
      "arn:aws:iot:${local.region}:${local.account}:topic/anc/*/audio",
      "arn:aws:iot:${local.region}:${local.account}:topic/anc/*/control",
      "arn:aws:iot:${local.region}:${local.account}:topic/anc/*/shadow/update",
    ]
  }
}

resource "aws_iam_role" "gateway_task" {
  name               = "${var.name}-gateway-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "gateway_task" {
  name   = "gateway"
  role   = aws_iam_role.gateway_task.id
  policy = data.aws_iam_policy_document.gateway.json
}

resource "aws_iam_role" "silo_task" {
  name               = "${var.name}-silo-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "silo_task" {
  name   = "silo"
  role   = aws_iam_role.silo_task.id
  policy = data.aws_iam_policy_document.common.json
}

# ---------------------------------------------------------------- Task definitions

resource "aws_ecs_task_definition" "gateway" {
  family                   = "${var.name}-gateway"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.gateway_cpu
  memory                   = var.gateway_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.gateway_task.arn
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
  container_definitions = jsonencode([local.gateway_container, local.collector_container])
  tags                  = var.tags
}

resource "aws_ecs_task_definition" "silo" {
  family                   = "${var.name}-silo"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.silo_cpu
  memory                   = var.silo_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.silo_task.arn
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }
  container_definitions = jsonencode([local.silo_container, local.collector_container])
  tags                  = var.tags
}

# ---------------------------------------------------------------- Services

resource "aws_ecs_service" "gateway" {
  name                              = "${var.name}-gateway"
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.gateway.arn
  desired_count                     = var.enable_autoscaling ? max(var.gateway_min, var.gateway_count) : var.gateway_count
  health_check_grace_period_seconds = 90
  enable_execute_command            = false
  propagate_tags                    = "SERVICE"

  capacity_provider_strategy {
    capacity_provider = local.capacity_provider
    weight            = 1
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.gateway.arn
    container_name   = "gateway"
    container_port   = local.http_port
  }

  dynamic "load_balancer" {
    for_each = var.enable_mqtt_nlb ? [aws_lb_target_group.mqtt[0].arn] : []
    content {
      target_group_arn = load_balancer.value
      container_name   = "gateway"
      container_port   = local.mqtt_port
    }
  }

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  lifecycle {
    # Autoscaling owns the count once the service exists.
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.https]
  tags       = var.tags
}

resource "aws_ecs_service" "silo" {
  name                   = "${var.name}-silo"
  cluster                = aws_ecs_cluster.this.id
  task_definition        = aws_ecs_task_definition.silo.arn
  desired_count          = var.enable_autoscaling ? max(var.silo_min, var.silo_count) : var.silo_count
  enable_execute_command = false
  propagate_tags         = "SERVICE"

  capacity_provider_strategy {
    capacity_provider = local.capacity_provider
    weight            = 1
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  # One silo replaced at a time: a new one joins before an old one leaves.
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  lifecycle {
    ignore_changes = [desired_count]
  }
  tags = var.tags
}

# ---------------------------------------------------------------- Autoscaling (prod)

# Both services scale on CPU the same way; the silos also on sessions per silo (below).
locals {
  scaled_services = var.enable_autoscaling ? {
    gateway = { service = aws_ecs_service.gateway.name, min = var.gateway_min, max = var.gateway_max }
    silo    = { service = aws_ecs_service.silo.name, min = var.silo_min, max = var.silo_max }
  } : {}
}

resource "aws_appautoscaling_target" "service" {
  for_each           = local.scaled_services
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${each.value.service}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = each.value.min
  max_capacity       = each.value.max
}

resource "aws_appautoscaling_policy" "cpu" {
  for_each           = aws_appautoscaling_target.service
  name               = "${var.name}-${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = each.value.service_namespace
  resource_id        = each.value.resource_id
  scalable_dimension = each.value.scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

# Sessions per silo: the collector puts Orleans' orleans-grains for SessionGrain into cluster_metrics_namespace with
# dimension type; every silo reports its own count, so the Average over a minute is the mean sessions per silo.
# (The gateway co-hosts a silo and holds sessions too; it is in the average.)
resource "aws_appautoscaling_policy" "silo_sessions" {
  count              = var.enable_autoscaling ? 1 : 0
  name               = "${var.name}-silo-sessions"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.service["silo"].service_namespace
  resource_id        = aws_appautoscaling_target.service["silo"].resource_id
  scalable_dimension = aws_appautoscaling_target.service["silo"].scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value       = var.sessions_per_silo_target
    scale_in_cooldown  = 600
    scale_out_cooldown = 60
    customized_metric_specification {
      namespace   = var.cluster_metrics_namespace
      metric_name = "orleans-grains"
      statistic   = "Average"
      dimensions {
        name  = "type"
        value = var.session_grain_type
      }
    }
  }
}

terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70, < 7.0"
    }
  }

  # State in S3 with DynamoDB locking (the seed's first-time setup; infra/terraform/bootstrap creates both).
  # deploy.sh passes -backend-config=bucket=… when ANC_TF_STATE_BUCKET is set.
  backend "s3" {
    bucket         = "anc-platform-terraform-state"
    key            = "prod/terraform.tfstate"
    region         = "us-east-1"
    encrypt        = true
    dynamodb_table = "terraform-lock"
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = local.tags
  }
}

# CloudFront reads WAF web ACLs and certificates only in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
  default_tags {
    tags = local.tags
  }
}

terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70, < 7.0"
    }
  }
  # Local state: this is what creates the remote state's bucket and lock table.
}

provider "aws" {
  region = var.region
}

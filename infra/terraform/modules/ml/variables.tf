variable "name" {
  type        = string
  description = "Name prefix, e.g. anc-dev."
}

variable "enabled" {
  type        = bool
  description = "Create the SageMaker model, endpoint configuration and endpoint (otherwise the silos use the embedded classifier)."
  default     = false
}

variable "image" {
  type        = string
  description = "Serving image of the classifier (the SageMaker container contract: GET /ping, POST /invocations on 8080), built by infra/docker/build.sh."
  default     = ""
}

variable "ecr_repository_arn" {
  type        = string
  description = "ECR repository of image (SageMaker's execution role pulls from it)."
  default     = ""
}

variable "model_data_url" {
  type        = string
  description = "S3 URL of a model archive (model.tar.gz) to mount at /opt/ml/model; null: the image carries its model."
  default     = null
}

variable "model_bucket_arn" {
  type        = string
  description = "ARN of the bucket holding model_data_url (read access for SageMaker); null with it."
  default     = null
}

variable "instance_type" {
  type        = string
  description = "Endpoint instance type (seed: ml.t3.medium in dev, ml.m5.xlarge in prod)."
  default     = "ml.t3.medium"
}

variable "instance_count" {
  type        = number
  description = "Endpoint instances (seed: 1 in dev, 2 in prod)."
  default     = 1
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}

output "vpc_id" {
  description = "The VPC's id."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "The VPC's CIDR block."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnets (load balancers, NAT)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (the Fargate tasks)."
  value       = aws_subnet.private[*].id
}

output "availability_zones" {
  description = "The availability zones of the private subnets (the tasks)."
  value       = slice(local.azs, 0, var.az_count)
}

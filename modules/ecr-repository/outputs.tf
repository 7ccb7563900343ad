output "repository_name" {
  description = "Name of the repository."
  value       = aws_ecr_repository.this.name
}

output "repository_arn" {
  description = "ARN of the repository (for IAM policies of pushers and pullers)."
  value       = aws_ecr_repository.this.arn
}

output "repository_url" {
  description = "Repository URL without tag or digest, <account>.dkr.ecr.<region>.amazonaws.com/<name>; an image URI pinned by digest is \"<repository_url>@sha256:<digest>\"."
  value       = aws_ecr_repository.this.repository_url
}

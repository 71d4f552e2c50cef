{# One bucket's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
output "storage_{{ r.label }}_arn" {
value = aws_s3_bucket.{{ r.label }}.arn
}


{# One database's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
output "database_{{ r.label }}_endpoint" {
value = aws_db_instance.{{ r.label }}.endpoint
}


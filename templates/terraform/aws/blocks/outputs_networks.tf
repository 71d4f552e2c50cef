{# One network's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `n` and the globals `v`. #}
output "network_{{ n.label }}_id" {
value = aws_vpc.{{ n.label }}.id
}


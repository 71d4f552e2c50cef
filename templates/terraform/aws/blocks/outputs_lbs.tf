{# One load balancer's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
output "load_balancer_{{ r.label }}_dns_name" {
value = aws_lb.{{ r.label }}.dns_name
}


{# One load balancer's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
output "load_balancer_{{ r.label }}_ip" {
value = google_compute_global_address.{{ r.label }}.address
}


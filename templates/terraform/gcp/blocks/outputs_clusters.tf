{# One Kubernetes cluster's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
output "k8s_{{ r.label }}_endpoint" {
value = google_container_cluster.{{ r.label }}.endpoint
}


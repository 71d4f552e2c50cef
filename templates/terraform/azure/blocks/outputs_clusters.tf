{# One Kubernetes cluster's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
output "k8s_{{ r.label }}_private_fqdn" {
value = azurerm_kubernetes_cluster.{{ r.label }}.private_fqdn
}


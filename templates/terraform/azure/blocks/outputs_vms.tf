{# One VM's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
output "vm_{{ r.label }}_private_ip" {
value = azurerm_network_interface.{{ r.label }}.private_ip_address
}


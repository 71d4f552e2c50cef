{# One database's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
output "database_{{ r.label }}_fqdn" {
value = azurerm_postgresql_flexible_server.{{ r.label }}.fqdn
}


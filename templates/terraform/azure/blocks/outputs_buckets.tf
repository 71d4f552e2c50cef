{# One bucket's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
output "storage_{{ r.label }}_blob_endpoint" {
value = azurerm_storage_account.{{ r.label }}.primary_blob_endpoint
}


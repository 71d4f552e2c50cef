{# One bucket's part of storage.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
{% include "terraform/shared/_decommission.tf" -%}
resource "azurerm_storage_account" "{{ r.label }}" {
# checkov:skip=CKV_AZURE_206: geo-replication doubles the price the lobby charged; ZRS keeps three copies across zones
# checkov:skip=CKV2_AZURE_1: a customer-managed key lives in the team's Key Vault; data is encrypted with Microsoft-managed keys, twice
# checkov:skip=CKV2_AZURE_33: reached through a private endpoint in the team's own network; public access is off
# checkov:skip=CKV_AZURE_33: only blobs are used; queue logging (queue_properties) is deprecated in azurerm 4
name                              = "{{ r.physical }}"
location                          = "{{ r.region }}"
resource_group_name               = azurerm_resource_group.chatops.name
account_tier                      = "Standard"
account_replication_type          = "ZRS"
account_kind                      = "StorageV2"
min_tls_version                   = "TLS1_2"
https_traffic_only_enabled        = true
allow_nested_items_to_be_public   = false
shared_access_key_enabled         = false
infrastructure_encryption_enabled = true
public_network_access_enabled     = false
{% include "terraform/azure/_tags.tf" %}

blob_properties {
versioning_enabled = true

delete_retention_policy {
days = 7
}

container_delete_retention_policy {
days = 7
}
}

network_rules {
default_action = "Deny"
bypass         = ["AzureServices"]
}
}

resource "azurerm_storage_container" "{{ r.label }}" {
# checkov:skip=CKV2_AZURE_21: blob read logs need a diagnostic setting with a destination workspace of the team's
name                  = "data"
storage_account_id    = azurerm_storage_account.{{ r.label }}.id
container_access_type = "private"
}


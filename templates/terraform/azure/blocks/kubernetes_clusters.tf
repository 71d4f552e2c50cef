{# One Kubernetes cluster's part of kubernetes.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
{% include "terraform/shared/_decommission.tf" -%}
resource "azurerm_kubernetes_cluster" "{{ r.label }}" {
# checkov:skip=CKV_AZURE_4: container insights need a Log Analytics workspace and a retention the team chooses and pays for
# checkov:skip=CKV_AZURE_117: a disk encryption set needs a customer-managed key in the team's Key Vault
# checkov:skip=CKV_AZURE_226: the catalogue's node sizes have no local disk large enough for an ephemeral OS disk
# checkov:skip=CKV_AZURE_232: one pool runs system pods and workloads: the nodes written are the nodes the lobby charged
{% if !v.encryption_at_host %}
# checkov:skip=CKV_AZURE_227: encryption at host needs the subscription feature EncryptionAtHost; turn on terraform.azure_encryption_at_host once it is registered
{% endif %}
name                              = "{{ r.name }}"
location                          = "{{ r.region }}"
resource_group_name               = azurerm_resource_group.chatops.name
dns_prefix                        = "{{ r.dns_prefix }}"
private_cluster_enabled           = true
local_account_disabled            = true
role_based_access_control_enabled = true
azure_policy_enabled              = true
# The paid tier's uptime SLA is the cluster fee the catalogue charges.
sku_tier                  = "Standard"
automatic_upgrade_channel = "patch"
node_os_upgrade_channel   = "NodeImage"
{% include "terraform/azure/_tags.tf" %}

default_node_pool {
name                        = "system"
vm_size                     = "{{ r.size }}"
node_count                  = {{ r.nodes }}
vnet_subnet_id              = azurerm_subnet.{{ r.subnet }}.id
host_encryption_enabled     = {{ v.encryption_at_host }}
max_pods                    = 50
only_critical_addons_enabled = false
temporary_name_for_rotation = "systemtmp"
}

identity {
type = "SystemAssigned"
}

key_vault_secrets_provider {
secret_rotation_enabled = true
}

azure_active_directory_role_based_access_control {
azure_rbac_enabled = true
tenant_id          = data.azurerm_client_config.current.tenant_id
}

network_profile {
network_plugin = "azure"
network_policy = "azure"
service_cidr   = "172.20.0.0/16"
dns_service_ip = "172.20.0.10"
}
}


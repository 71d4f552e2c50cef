{# One database's part of database.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
{% include "terraform/shared/_decommission.tf" -%}
resource "azurerm_postgresql_flexible_server" "{{ r.label }}" {
# checkov:skip=CKV2_AZURE_57: {% if r.public %}public access approved in chat (access:public); TLS required, clients only from the approved ingress{% else %}injected into its network's delegated subnet with a private DNS zone, the private mode flexible servers offer instead of an endpoint{% endif %}
name                          = "{{ r.physical }}"
location                      = "{{ r.region }}"
resource_group_name           = azurerm_resource_group.chatops.name
version                       = "16"
sku_name                      = "{{ r.size }}"
storage_mb                    = 32768
backup_retention_days         = 7
geo_redundant_backup_enabled  = true
public_network_access_enabled = {{ r.public }}
{% if !r.public %}
delegated_subnet_id = azurerm_subnet.{{ r.net }}_postgres.id
private_dns_zone_id = azurerm_private_dns_zone.postgres.id
depends_on          = [azurerm_private_dns_zone_virtual_network_link.{{ r.net }}_postgres]
{% endif %}
{% include "terraform/azure/_tags.tf" %}

authentication {
active_directory_auth_enabled = true
password_auth_enabled         = false
tenant_id                     = data.azurerm_client_config.current.tenant_id
}

lifecycle {
ignore_changes = [zone]
}
}

resource "azurerm_postgresql_flexible_server_configuration" "{{ r.label }}_tls" {
name      = "require_secure_transport"
server_id = azurerm_postgresql_flexible_server.{{ r.label }}.id
value     = "on"
}

# Password log-in is off: each principal in var.postgresql_entra_admins administers the server and
# logs in with an Entra token as its password (`az account get-access-token --resource-type oss-rdbms`).
resource "azurerm_postgresql_flexible_server_active_directory_administrator" "{{ r.label }}_entra" {
for_each            = var.postgresql_entra_admins
server_name         = azurerm_postgresql_flexible_server.{{ r.label }}.name
resource_group_name = azurerm_resource_group.chatops.name
tenant_id           = data.azurerm_client_config.current.tenant_id
object_id           = each.value.object_id
principal_name      = each.key
principal_type      = each.value.principal_type
}
{% for i in r.ingress %}
resource "azurerm_postgresql_flexible_server_firewall_rule" "{{ r.label }}_{{ i.name }}" {
name             = "{{ i.name }}"
server_id        = azurerm_postgresql_flexible_server.{{ r.label }}.id
start_ip_address = "{{ i.first }}"
end_ip_address   = "{{ i.last }}"
}
{% endfor %}
{% if !r.clients.is_empty() %}

# Only its clients reach {{ r.name }} (the network's other machines are denied PostgreSQL).
resource "azurerm_network_security_rule" "{{ r.label }}_clients" {
name                        = "postgres-{{ r.name }}-clients"
resource_group_name         = azurerm_resource_group.chatops.name
network_security_group_name = azurerm_network_security_group.{{ r.net }}.name
priority                    = {{ r.priority }}
direction                   = "Inbound"
access                      = "Allow"
protocol                    = "Tcp"
source_port_range           = "*"
destination_port_range      = "5432"
source_address_prefixes     = [{% for m in r.clients %}azurerm_network_interface.{{ m.label }}.private_ip_address{% if !loop.last %}, {% endif %}{% endfor %}]
destination_address_prefix  = azurerm_subnet.{{ r.net }}_postgres.address_prefixes[0]
}
{% endif %}


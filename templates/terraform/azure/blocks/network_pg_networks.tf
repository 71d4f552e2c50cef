{# One network hosting a private PostgreSQL server's part of network.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `n` and the globals `v`. #}
# PostgreSQL flexible servers of this network live in a subnet delegated to them.
resource "azurerm_subnet" "{{ n.label }}_postgres" {
name                            = "postgres"
resource_group_name             = azurerm_resource_group.chatops.name
virtual_network_name            = azurerm_virtual_network.{{ n.label }}.name
address_prefixes                = ["10.{{ n.index }}.16.0/24"]
default_outbound_access_enabled = false

delegation {
name = "postgres"

service_delegation {
name    = "Microsoft.DBforPostgreSQL/flexibleServers"
actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
}
}
}

resource "azurerm_subnet_network_security_group_association" "{{ n.label }}_postgres" {
subnet_id                 = azurerm_subnet.{{ n.label }}_postgres.id
network_security_group_id = azurerm_network_security_group.{{ n.label }}.id
}

{% if n.restricted %}
# A database of this network names its clients: PostgreSQL from the rest of the network is denied.
resource "azurerm_network_security_rule" "{{ n.label }}_postgres_others" {
name                        = "postgres-deny-others"
resource_group_name         = azurerm_resource_group.chatops.name
network_security_group_name = azurerm_network_security_group.{{ n.label }}.name
priority                    = 4000
direction                   = "Inbound"
access                      = "Deny"
protocol                    = "Tcp"
source_port_range           = "*"
destination_port_range      = "5432"
source_address_prefix       = "VirtualNetwork"
destination_address_prefix  = azurerm_subnet.{{ n.label }}_postgres.address_prefixes[0]
}
{% endif %}

resource "azurerm_private_dns_zone_virtual_network_link" "{{ n.label }}_postgres" {
name                  = "postgres-{{ n.index }}"
resource_group_name   = azurerm_resource_group.chatops.name
private_dns_zone_name = azurerm_private_dns_zone.postgres.name
virtual_network_id    = azurerm_virtual_network.{{ n.label }}.id
registration_enabled  = false
{% include "terraform/azure/_tags.tf" %}
}


{# One network's part of network.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `n` and the globals `v`. #}
resource "azurerm_virtual_network" "{{ n.label }}" {
name                = "{{ n.name }}"
location            = "{{ n.region }}"
resource_group_name = azurerm_resource_group.chatops.name
address_space       = ["10.{{ n.index }}.0.0/16"]
{% include "terraform/azure/_tags.tf" %}
}

resource "azurerm_subnet" "{{ n.label }}" {
name                            = "default"
resource_group_name             = azurerm_resource_group.chatops.name
virtual_network_name            = azurerm_virtual_network.{{ n.label }}.name
address_prefixes                = ["10.{{ n.index }}.0.0/20"]
default_outbound_access_enabled = false
}

resource "azurerm_network_security_group" "{{ n.label }}" {
name                = "nsg-{{ n.name }}"
location            = "{{ n.region }}"
resource_group_name = azurerm_resource_group.chatops.name
{% include "terraform/azure/_tags.tf" %}
}

resource "azurerm_subnet_network_security_group_association" "{{ n.label }}" {
subnet_id                 = azurerm_subnet.{{ n.label }}.id
network_security_group_id = azurerm_network_security_group.{{ n.label }}.id
}


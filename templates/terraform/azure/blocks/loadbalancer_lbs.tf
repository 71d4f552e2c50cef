{# One load balancer's part of loadbalancer.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
{% include "terraform/shared/_decommission.tf" -%}
resource "azurerm_lb" "{{ r.label }}" {
name                = "{{ r.name }}"
location            = "{{ r.region }}"
resource_group_name = azurerm_resource_group.chatops.name
sku                 = "Standard"
{% include "terraform/azure/_tags.tf" %}

frontend_ip_configuration {
name                          = "frontend"
subnet_id                     = azurerm_subnet.{{ r.subnet }}.id
private_ip_address_allocation = "Dynamic"
}
}

resource "azurerm_lb_backend_address_pool" "{{ r.label }}" {
name            = "backend"
loadbalancer_id = azurerm_lb.{{ r.label }}.id
}

resource "azurerm_lb_probe" "{{ r.label }}" {
name            = "http"
loadbalancer_id = azurerm_lb.{{ r.label }}.id
protocol        = "Http"
port            = 80
request_path    = "/"
}

resource "azurerm_lb_rule" "{{ r.label }}" {
name                           = "http"
loadbalancer_id                = azurerm_lb.{{ r.label }}.id
protocol                       = "Tcp"
frontend_port                  = 80
backend_port                   = 80
frontend_ip_configuration_name = "frontend"
backend_address_pool_ids       = [azurerm_lb_backend_address_pool.{{ r.label }}.id]
probe_id                       = azurerm_lb_probe.{{ r.label }}.id
}
{% if !r.targets.is_empty() %}

resource "azurerm_network_interface_backend_address_pool_association" "{{ r.label }}" {
for_each = {
{% for m in r.targets -%}
"{{ m.name }}" = azurerm_network_interface.{{ m.label }}.id
{% endfor -%}
}
network_interface_id    = each.value
ip_configuration_name   = "internal"
backend_address_pool_id = azurerm_lb_backend_address_pool.{{ r.label }}.id
}
{% endif %}


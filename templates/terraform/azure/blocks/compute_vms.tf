{# One VM's part of compute.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
resource "azurerm_network_interface" "{{ r.label }}" {
name                = "{{ r.name }}-nic"
location            = "{{ r.region }}"
resource_group_name = azurerm_resource_group.chatops.name
{% include "terraform/azure/_tags.tf" %}

ip_configuration {
name                          = "internal"
subnet_id                     = azurerm_subnet.{{ r.subnet }}.id
private_ip_address_allocation = "Dynamic"
}
}

{% include "terraform/shared/_decommission.tf" -%}
resource "azurerm_linux_virtual_machine" "{{ r.label }}" {
name                            = "{{ r.name }}"
location                        = "{{ r.region }}"
resource_group_name             = azurerm_resource_group.chatops.name
size                            = "{{ r.size }}"
admin_username                  = "chatops"
disable_password_authentication = true
encryption_at_host_enabled      = {{ v.encryption_at_host }}
secure_boot_enabled             = true
vtpm_enabled                    = true
allow_extension_operations      = false
network_interface_ids           = [azurerm_network_interface.{{ r.label }}.id]
{% include "terraform/azure/_tags.tf" %}

admin_ssh_key {
username   = "chatops"
public_key = var.admin_ssh_public_key
}

os_disk {
caching              = "ReadWrite"
storage_account_type = "Premium_LRS"
}

source_image_reference {
publisher = "Canonical"
offer     = "ubuntu-24_04-lts"
sku       = "{% if r.arm %}server-arm64{% else %}server{% endif %}"
version   = "latest"
}
}


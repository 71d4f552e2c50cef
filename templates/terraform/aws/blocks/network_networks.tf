{# One network's part of network.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `n` and the globals `v`. #}
{% let tag_name = n.name.as_str() %}
resource "aws_vpc" "{{ n.label }}" {
# checkov:skip=CKV2_AWS_11: flow logs need a destination (log group or bucket) and a retention the team chooses and pays for
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
cidr_block           = "10.{{ n.index }}.0.0/16"
enable_dns_support   = true
enable_dns_hostnames = true
{% include "terraform/aws/_tags.tf" %}
}

# The default security group admits nothing: every resource gets a group of its own.
resource "aws_default_security_group" "{{ n.label }}" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
vpc_id = aws_vpc.{{ n.label }}.id
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_subnet" "{{ n.label }}_a" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
vpc_id                  = aws_vpc.{{ n.label }}.id
cidr_block              = "10.{{ n.index }}.0.0/20"
availability_zone       = data.aws_availability_zones.{{ n.region_label }}.names[0]
map_public_ip_on_launch = false
{% include "terraform/aws/_tags.tf" %}

lifecycle {
ignore_changes = [availability_zone]
}
}

resource "aws_subnet" "{{ n.label }}_b" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
vpc_id                  = aws_vpc.{{ n.label }}.id
cidr_block              = "10.{{ n.index }}.16.0/20"
availability_zone       = data.aws_availability_zones.{{ n.region_label }}.names[1]
map_public_ip_on_launch = false
{% include "terraform/aws/_tags.tf" %}

lifecycle {
ignore_changes = [availability_zone]
}
}
{% if n.egress %}
resource "aws_internet_gateway" "{{ n.label }}" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
vpc_id = aws_vpc.{{ n.label }}.id
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_subnet" "{{ n.label }}_public" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
vpc_id                  = aws_vpc.{{ n.label }}.id
cidr_block              = "10.{{ n.index }}.32.0/20"
availability_zone       = data.aws_availability_zones.{{ n.region_label }}.names[0]
map_public_ip_on_launch = false
{% include "terraform/aws/_tags.tf" %}

lifecycle {
ignore_changes = [availability_zone]
}
}

resource "aws_eip" "{{ n.label }}_nat" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
domain     = "vpc"
depends_on = [aws_internet_gateway.{{ n.label }}]
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_nat_gateway" "{{ n.label }}" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
allocation_id = aws_eip.{{ n.label }}_nat.id
subnet_id     = aws_subnet.{{ n.label }}_public.id
depends_on    = [aws_internet_gateway.{{ n.label }}]
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_route_table" "{{ n.label }}_public" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
vpc_id = aws_vpc.{{ n.label }}.id
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_route" "{{ n.label }}_public_internet" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
route_table_id         = aws_route_table.{{ n.label }}_public.id
destination_cidr_block = "0.0.0.0/0"
gateway_id             = aws_internet_gateway.{{ n.label }}.id
}

resource "aws_route_table_association" "{{ n.label }}_public" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
subnet_id      = aws_subnet.{{ n.label }}_public.id
route_table_id = aws_route_table.{{ n.label }}_public.id
}

resource "aws_route_table" "{{ n.label }}_private" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
vpc_id = aws_vpc.{{ n.label }}.id
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_route" "{{ n.label }}_private_nat" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
route_table_id         = aws_route_table.{{ n.label }}_private.id
destination_cidr_block = "0.0.0.0/0"
nat_gateway_id         = aws_nat_gateway.{{ n.label }}.id
}

resource "aws_route_table_association" "{{ n.label }}_a" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
subnet_id      = aws_subnet.{{ n.label }}_a.id
route_table_id = aws_route_table.{{ n.label }}_private.id
}

resource "aws_route_table_association" "{{ n.label }}_b" {
{% if !n.provider.is_empty() %}provider = {{ n.provider }}{% endif %}
subnet_id      = aws_subnet.{{ n.label }}_b.id
route_table_id = aws_route_table.{{ n.label }}_private.id
}
{% endif %}


{# One load balancer's part of loadbalancer.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
{% let tag_name = r.name.as_str() %}
resource "aws_security_group" "{{ r.label }}_lb" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
name        = "{{ r.name }}-lb"
description = "chatops load balancer {{ r.name }}: HTTP from inside the VPC"
vpc_id      = aws_vpc.{{ r.net }}.id
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_vpc_security_group_ingress_rule" "{{ r.label }}_lb_http" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
security_group_id = aws_security_group.{{ r.label }}_lb.id
description       = "HTTP from the VPC"
ip_protocol       = "tcp"
from_port         = 80
to_port           = 80
cidr_ipv4         = aws_vpc.{{ r.net }}.cidr_block
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_vpc_security_group_egress_rule" "{{ r.label }}_lb_targets" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
security_group_id = aws_security_group.{{ r.label }}_lb.id
description       = "HTTP to targets in the VPC"
ip_protocol       = "tcp"
from_port         = 80
to_port           = 80
cidr_ipv4         = aws_vpc.{{ r.net }}.cidr_block
{% include "terraform/aws/_tags.tf" %}
}

{% include "terraform/shared/_decommission.tf" -%}
resource "aws_lb" "{{ r.label }}" {
# checkov:skip=CKV_AWS_91: access logs go to an S3 bucket of the team's (access_logs in an override)
# checkov:skip=CKV2_AWS_20: an internal load balancer serving HTTP inside the VPC; HTTPS needs the team's certificate
{% if r.decommissioning %}# checkov:skip=CKV_AWS_150: being decommissioned (a destroy approved in chat): protection lifted so apply can delete it
{% endif -%}
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
name                       = "{{ r.physical }}"
internal                   = true
load_balancer_type         = "application"
security_groups            = [aws_security_group.{{ r.label }}_lb.id]
subnets                    = [aws_subnet.{{ r.net }}_a.id, aws_subnet.{{ r.net }}_b.id]
drop_invalid_header_fields = true
enable_deletion_protection = {{ !r.decommissioning }}
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_lb_target_group" "{{ r.label }}" {
# checkov:skip=CKV_AWS_378: targets are reached over HTTP inside the VPC; TLS to targets needs their certificates
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
name     = "{{ r.physical }}"
port     = 80
protocol = "HTTP"
vpc_id   = aws_vpc.{{ r.net }}.id
{% include "terraform/aws/_tags.tf" %}

health_check {
path    = "/"
matcher = "200-399"
}
}

resource "aws_lb_listener" "{{ r.label }}" {
# checkov:skip=CKV_AWS_2: HTTP inside the VPC only (internal load balancer); an HTTPS listener needs the team's certificate
# checkov:skip=CKV_AWS_103: no TLS listener without the team's certificate (see CKV_AWS_2)
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
load_balancer_arn = aws_lb.{{ r.label }}.arn
port              = 80
protocol          = "HTTP"
{% include "terraform/aws/_tags.tf" %}

default_action {
type             = "forward"
target_group_arn = aws_lb_target_group.{{ r.label }}.arn
}
}
{% if !r.targets.is_empty() %}

resource "aws_lb_target_group_attachment" "{{ r.label }}" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
for_each = {
{% for m in r.targets -%}
"{{ m.name }}" = aws_instance.{{ m.label }}.id
{% endfor -%}
}
target_group_arn = aws_lb_target_group.{{ r.label }}.arn
target_id        = each.value
port             = 80
}

# The targets admit HTTP from this load balancer only.
resource "aws_vpc_security_group_ingress_rule" "{{ r.label }}_lb_backends" {
# checkov:skip=CKV_AWS_260: admits only this load balancer's security group (referenced_security_group_id), which checkov reads as no source, that is 0.0.0.0/0
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
for_each = {
{% for m in r.targets -%}
"{{ m.name }}" = aws_security_group.{{ m.label }}_vm.id
{% endfor -%}
}
security_group_id            = each.value
description                  = "HTTP from load balancer {{ r.name }}"
ip_protocol                  = "tcp"
from_port                    = 80
to_port                      = 80
referenced_security_group_id = aws_security_group.{{ r.label }}_lb.id
{% include "terraform/aws/_tags.tf" %}
}
{% endif %}


{# One VM's part of compute.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
resource "aws_security_group" "{{ r.label }}_vm" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
name        = "{{ r.name }}-vm"
description = "chatops VM {{ r.name }}: no inbound access"
vpc_id      = aws_vpc.{{ r.net }}.id
{% let tag_name = r.name.as_str() %}{% include "terraform/aws/_tags.tf" %}
}

resource "aws_vpc_security_group_egress_rule" "{{ r.label }}_vm_https" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
security_group_id = aws_security_group.{{ r.label }}_vm.id
description       = "HTTPS out for updates"
ip_protocol       = "tcp"
from_port         = 443
to_port           = 443
cidr_ipv4         = "0.0.0.0/0"
{% include "terraform/aws/_tags.tf" %}
}

{% include "terraform/shared/_decommission.tf" -%}
resource "aws_instance" "{{ r.label }}" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
ami                    = data.aws_ami.{{ r.image }}.id
instance_type          = "{{ r.size }}"
subnet_id              = aws_subnet.{{ r.net }}_a.id
vpc_security_group_ids = [aws_security_group.{{ r.label }}_vm.id]
iam_instance_profile   = aws_iam_instance_profile.chatops_vm.name
monitoring             = true
ebs_optimized          = true
{% include "terraform/aws/_tags.tf" %}

metadata_options {
http_endpoint               = "enabled"
http_tokens                 = "required"
http_put_response_hop_limit = 1
}

root_block_device {
encrypted   = true
volume_type = "gp3"
volume_size = 20
}
}


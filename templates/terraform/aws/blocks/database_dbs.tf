{# One database's part of database.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
{% let tag_name = r.name.as_str() %}
resource "aws_security_group" "{{ r.label }}_db" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
name        = "{{ r.name }}-db"
description = "chatops database {{ r.name }}: PostgreSQL from {% if r.clients.is_empty() %}inside the VPC{% else %}its clients{% endif %} only"
vpc_id      = aws_vpc.{{ r.net }}.id
{% include "terraform/aws/_tags.tf" %}
}

{% if r.clients.is_empty() %}
resource "aws_vpc_security_group_ingress_rule" "{{ r.label }}_db_postgres" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
security_group_id = aws_security_group.{{ r.label }}_db.id
description       = "PostgreSQL from the VPC"
ip_protocol       = "tcp"
from_port         = 5432
to_port           = 5432
cidr_ipv4         = aws_vpc.{{ r.net }}.cidr_block
{% include "terraform/aws/_tags.tf" %}
}
{% else %}
# Only its clients reach {{ r.name }}: PostgreSQL from their security groups, nothing else.
resource "aws_vpc_security_group_ingress_rule" "{{ r.label }}_db_clients" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
for_each = {
{% for m in r.clients -%}
"{{ m.name }}" = aws_security_group.{{ m.label }}_vm.id
{% endfor -%}
}
security_group_id            = aws_security_group.{{ r.label }}_db.id
description                  = "PostgreSQL from VM ${each.key}"
ip_protocol                  = "tcp"
from_port                    = 5432
to_port                      = 5432
referenced_security_group_id = each.value
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_vpc_security_group_egress_rule" "{{ r.label }}_db_clients" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
for_each = {
{% for m in r.clients -%}
"{{ m.name }}" = aws_security_group.{{ m.label }}_vm.id
{% endfor -%}
}
security_group_id            = each.value
description                  = "PostgreSQL to database {{ r.name }}"
ip_protocol                  = "tcp"
from_port                    = 5432
to_port                      = 5432
referenced_security_group_id = aws_security_group.{{ r.label }}_db.id
{% include "terraform/aws/_tags.tf" %}
}
{% endif %}

resource "aws_kms_key" "{{ r.label }}_db" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
description             = "chatops database {{ r.name }}: storage and Performance Insights"
enable_key_rotation     = true
deletion_window_in_days = 30
policy = jsonencode({
Version = "2012-10-17"
Statement = [{
Sid       = "AccountAdministersTheKey"
Effect    = "Allow"
Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
Action    = "kms:*"
Resource  = "*"
}]
})
{% include "terraform/aws/_tags.tf" %}
}

resource "aws_db_subnet_group" "{{ r.label }}" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
name       = "{{ r.physical }}"
subnet_ids = [aws_subnet.{{ r.net }}_a.id, aws_subnet.{{ r.net }}_b.id]
{% include "terraform/aws/_tags.tf" %}
}

# TLS is required; statements changing the schema and slow ones are logged.
resource "aws_db_parameter_group" "{{ r.label }}" {
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
name   = "{{ r.physical }}"
family = "postgres16"
{% include "terraform/aws/_tags.tf" %}

parameter {
name  = "rds.force_ssl"
value = "1"
}

parameter {
name  = "log_statement"
value = "ddl"
}

parameter {
name  = "log_min_duration_statement"
value = "1000"
}
}

{% include "terraform/shared/_decommission.tf" -%}
{% if r.decommissioning %}# Its final snapshot `{{ r.physical }}-final` is taken on delete and kept. It is encrypted with this
# database's KMS key, scheduled for deletion (30 days) once the database leaves these files: copy
# the snapshot under a key of yours to keep it longer.
{% endif -%}
resource "aws_db_instance" "{{ r.label }}" {
# checkov:skip=CKV_AWS_157: single-AZ is what the lobby priced; Multi-AZ doubles the instance cost (set multi_az in an override)
{% if r.decommissioning %}# checkov:skip=CKV_AWS_293: being decommissioned (a destroy approved in chat): protection lifted so apply can delete it; a final snapshot is kept
{% endif -%}
{% if !r.provider.is_empty() %}provider = {{ r.provider }}{% endif %}
identifier                          = "{{ r.physical }}"
engine                              = "postgres"
engine_version                      = "16"
instance_class                      = "{{ r.size }}"
allocated_storage                   = 20
storage_type                        = "gp3"
storage_encrypted                   = true
kms_key_id                          = aws_kms_key.{{ r.label }}_db.arn
username                            = "chatops"
manage_master_user_password         = true
iam_database_authentication_enabled = true
db_subnet_group_name                = aws_db_subnet_group.{{ r.label }}.name
parameter_group_name                = aws_db_parameter_group.{{ r.label }}.name
enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]
monitoring_interval                 = 60
monitoring_role_arn                 = aws_iam_role.chatops_rds_monitoring.arn
performance_insights_enabled        = true
performance_insights_kms_key_id     = aws_kms_key.{{ r.label }}_db.arn
vpc_security_group_ids              = [aws_security_group.{{ r.label }}_db.id]
publicly_accessible                 = false
backup_retention_period             = 7
copy_tags_to_snapshot               = true
auto_minor_version_upgrade          = true
deletion_protection                 = {{ !r.decommissioning }}
skip_final_snapshot                 = false
final_snapshot_identifier           = "{{ r.physical }}-final"
{% include "terraform/aws/_tags.tf" %}
}


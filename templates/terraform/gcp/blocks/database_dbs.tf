{# One database's part of database.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
{% include "terraform/shared/_decommission.tf" -%}
resource "google_sql_database_instance" "{{ r.label }}" {
{% if r.public %}
# checkov:skip=CKV_GCP_60: public IP approved in chat (access:public); TLS with client certificates required, clients only from the approved ingress
{% endif %}
name                = "{{ r.name }}"
region              = "{{ r.region }}"
database_version    = "POSTGRES_18"
deletion_protection = {{ !r.decommissioning }}
depends_on          = [google_service_networking_connection.{{ r.net }}_sql_peering, google_project_service.sqladmin]

settings {
tier              = "{{ r.size }}"
edition           = "ENTERPRISE"
availability_type = "ZONAL"
disk_autoresize   = true
user_labels = {
created_by      = "chatops"
chatops_project = "{{ v.project_id }}"
}

ip_configuration {
ipv4_enabled    = {{ r.public }}
private_network = google_compute_network.{{ r.net }}.id
ssl_mode        = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
{% for i in r.ingress %}
authorized_networks {
name  = "{{ i.name }}"
value = "{{ i.cidr }}"
}
{% endfor %}
}

backup_configuration {
enabled                        = true
point_in_time_recovery_enabled = true
}

database_flags {
name  = "log_connections"
value = "on"
}

database_flags {
name  = "log_disconnections"
value = "on"
}
{% for flag in ["log_checkpoints", "log_lock_waits", "log_duration", "log_hostname", "cloudsql.enable_pgaudit"] %}
database_flags {
name  = "{{ flag }}"
value = "on"
}
{% endfor %}
database_flags {
name  = "log_min_error_statement"
value = "error"
}

database_flags {
name  = "log_statement"
value = "ddl"
}

# Members log in with their Google identity (Cloud SQL IAM authentication): no password exists.
database_flags {
name  = "cloudsql.iam_authentication"
value = "on"
}
}
}

# One database user per principal in var.cloudsql_iam_users: `gcloud sql connect` or the Cloud SQL
# Auth Proxy with `--auto-iam-authn` logs them in (they need roles/cloudsql.instanceUser).
resource "google_sql_user" "{{ r.label }}_iam" {
for_each = toset(var.cloudsql_iam_users)
name     = each.value
instance = google_sql_database_instance.{{ r.label }}.name
type     = "CLOUD_IAM_USER"
}
{% if !r.clients.is_empty() %}

# Only its clients reach {{ r.name }}: PostgreSQL to it from the rest of the network is denied.
resource "google_compute_firewall" "{{ r.label }}_clients" {
name               = "{{ r.fw_allow }}"
network            = google_compute_network.{{ r.net }}.id
direction          = "EGRESS"
priority           = 1000
destination_ranges = ["${google_sql_database_instance.{{ r.label }}.private_ip_address}/32"]
target_tags        = ["{{ r.tag }}"]

allow {
protocol = "tcp"
ports    = ["5432"]
}

log_config {
metadata = "INCLUDE_ALL_METADATA"
}
}

resource "google_compute_firewall" "{{ r.label }}_others" {
name               = "{{ r.fw_deny }}"
network            = google_compute_network.{{ r.net }}.id
direction          = "EGRESS"
priority           = 1100
destination_ranges = ["${google_sql_database_instance.{{ r.label }}.private_ip_address}/32"]

deny {
protocol = "tcp"
ports    = ["5432"]
}

log_config {
metadata = "INCLUDE_ALL_METADATA"
}
}
{% endif %}


{# One database's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
output "database_{{ r.label }}_private_ip" {
value = google_sql_database_instance.{{ r.label }}.private_ip_address
}

output "database_{{ r.label }}_connection_name" {
value = google_sql_database_instance.{{ r.label }}.connection_name
}


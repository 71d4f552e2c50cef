{# One network's part of network.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `n` and the globals `v`. #}
resource "google_compute_network" "{{ n.label }}" {
name                    = "{{ n.name }}"
description             = "chatops: {{ v.project_name }}"
auto_create_subnetworks = false
routing_mode            = "REGIONAL"
depends_on              = [google_project_service.compute]
}

# Spells out the implied deny-all ingress, so a rule added later is the only way in.
resource "google_compute_firewall" "{{ n.label }}_deny_ingress" {
name          = "{{ n.firewall }}"
network       = google_compute_network.{{ n.label }}.id
direction     = "INGRESS"
priority      = 65534
source_ranges = ["0.0.0.0/0"]

deny {
protocol = "all"
}

log_config {
metadata = "INCLUDE_ALL_METADATA"
}
}


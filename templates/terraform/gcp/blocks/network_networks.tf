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

# The way in to this network's VMs: IAP's TCP forwarding range on port 22 only, so
# `gcloud compute ssh <vm> --tunnel-through-iap` works for members the project grants
# roles/iap.tunnelResourceAccessor and an OS Login role; nothing else reaches SSH.
resource "google_compute_firewall" "{{ n.label }}_iap_ssh" {
name          = "{{ n.iap_firewall }}"
network       = google_compute_network.{{ n.label }}.id
direction     = "INGRESS"
priority      = 1000
source_ranges = ["35.235.240.0/20"]

allow {
protocol = "tcp"
ports    = ["22"]
}

log_config {
metadata = "INCLUDE_ALL_METADATA"
}
}


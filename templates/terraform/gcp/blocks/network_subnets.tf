{# One subnetwork's part of network.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `s` and the globals `v`. #}
resource "google_compute_subnetwork" "{{ s.label }}" {
name                     = "{{ s.name }}"
region                   = "{{ s.region }}"
network                  = google_compute_network.{{ s.net }}.id
ip_cidr_range            = "10.{{ s.index }}.0.0/20"
private_ip_google_access = true

log_config {
aggregation_interval = "INTERVAL_10_MIN"
flow_sampling        = 0.5
metadata             = "INCLUDE_ALL_METADATA"
}
}
{% if s.egress %}
resource "google_compute_router" "{{ s.label }}" {
name    = "{{ s.name }}"
region  = "{{ s.region }}"
network = google_compute_network.{{ s.net }}.id
}

resource "google_compute_router_nat" "{{ s.label }}" {
name                               = "{{ s.name }}"
router                             = google_compute_router.{{ s.label }}.name
region                             = "{{ s.region }}"
nat_ip_allocate_option             = "AUTO_ONLY"
source_subnetwork_ip_ranges_to_nat = "LIST_OF_SUBNETWORKS"

subnetwork {
name                    = google_compute_subnetwork.{{ s.label }}.id
source_ip_ranges_to_nat = ["ALL_IP_RANGES"]
}

log_config {
enable = true
filter = "ERRORS_ONLY"
}
}
{% endif %}


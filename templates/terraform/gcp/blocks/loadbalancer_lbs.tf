{# One load balancer's part of loadbalancer.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
{% include "terraform/shared/_decommission.tf" -%}
resource "google_compute_global_address" "{{ r.label }}" {
name = "{{ r.name }}"
{% include "terraform/gcp/_labels.tf" %}
}

resource "google_compute_health_check" "{{ r.label }}" {
name                = "{{ r.name }}"
depends_on          = [google_project_service.compute]
check_interval_sec  = 10
timeout_sec         = 5
healthy_threshold   = 2
unhealthy_threshold = 3

http_health_check {
port         = 80
request_path = "/"
}
}

resource "google_compute_backend_service" "{{ r.label }}" {
name                  = "{{ r.name }}"
protocol              = "HTTP"
load_balancing_scheme = "EXTERNAL_MANAGED"
timeout_sec           = 30
health_checks         = [google_compute_health_check.{{ r.label }}.id]

log_config {
enable      = true
sample_rate = 1
}
{% for g in r.groups %}

backend {
group = google_compute_instance_group.{{ g.label }}.id
}
{% endfor %}
}
{% for g in r.groups %}

# The targets of {{ r.name }} in one zone: the backend service balances over them.
resource "google_compute_instance_group" "{{ g.label }}" {
name      = "{{ g.name }}"
# The zone its members were created in (they keep it: see compute.tf).
zone      = {% for m in g.members %}{% if loop.first %}google_compute_instance.{{ m.label }}.zone{% endif %}{% endfor %}
network   = google_compute_network.{{ g.net }}.id
instances = [{% for m in g.members %}google_compute_instance.{{ m.label }}.self_link{% if !loop.last %}, {% endif %}{% endfor %}]

named_port {
name = "http"
port = 80
}
}
{% endfor %}
{% if !r.groups.is_empty() %}

# Google's load balancer and health-check ranges reach the targets on HTTP; nothing else does.
resource "google_compute_firewall" "{{ r.label }}_lb_backends" {
name          = "{{ r.fw_allow }}"
network       = google_compute_network.{{ r.peer_net }}.id
direction     = "INGRESS"
priority      = 1000
source_ranges = ["35.191.0.0/16", "130.211.0.0/22"]
target_tags   = ["{{ r.tag }}"]

allow {
protocol = "tcp"
ports    = ["80"]
}

log_config {
metadata = "INCLUDE_ALL_METADATA"
}
}
{% endif %}

resource "google_compute_url_map" "{{ r.label }}" {
name            = "{{ r.name }}"
default_service = google_compute_backend_service.{{ r.label }}.id
}

resource "google_compute_target_http_proxy" "{{ r.label }}" {
name    = "{{ r.name }}"
url_map = google_compute_url_map.{{ r.label }}.id
}

resource "google_compute_global_forwarding_rule" "{{ r.label }}" {
name                  = "{{ r.name }}"
target                = google_compute_target_http_proxy.{{ r.label }}.id
ip_address            = google_compute_global_address.{{ r.label }}.id
ip_protocol           = "TCP"
port_range            = "80"
load_balancing_scheme = "EXTERNAL_MANAGED"
{% include "terraform/gcp/_labels.tf" %}
}


{# One VM's part of compute.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
{% include "terraform/shared/_decommission.tf" -%}
resource "google_compute_instance" "{{ r.label }}" {
# checkov:skip=CKV_GCP_38: customer-supplied disk keys are the team's to hold; disks are encrypted with Google-managed keys
name         = "{{ r.name }}"
machine_type = "{{ r.size }}"
zone         = data.google_compute_zones.{{ r.region_label }}.names[0]
description  = "chatops: {{ v.project_name }}"
{% if !r.tags.is_empty() %}tags         = [{% for t in r.tags %}"{{ t }}"{% if !loop.last %}, {% endif %}{% endfor %}]
{% endif -%}
{% include "terraform/gcp/_labels.tf" %}
metadata = {
"block-project-ssh-keys" = "true"
"enable-oslogin"         = "TRUE"
}

boot_disk {
initialize_params {
image = "{% if r.arm %}debian-cloud/debian-12-arm64{% else %}debian-cloud/debian-12{% endif %}"
size  = 20
type  = "pd-balanced"
}
}

network_interface {
subnetwork = google_compute_subnetwork.{{ r.subnet }}.id
}

shielded_instance_config {
enable_secure_boot          = true
enable_vtpm                 = true
enable_integrity_monitoring = true
}

# The first zone up when it was created; a zone going down or added later does not move it.
lifecycle {
ignore_changes = [zone]
}
}


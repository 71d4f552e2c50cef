{# One bucket's part of storage.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
{% include "terraform/shared/_decommission.tf" -%}
resource "google_storage_bucket" "{{ r.label }}" {
# checkov:skip=CKV_GCP_62: access logs go to a log bucket of the team's choosing (logging { log_bucket } in an override)
name                        = "{{ r.physical }}"
location                    = "{{ r.region }}"
storage_class               = "STANDARD"
uniform_bucket_level_access = true
public_access_prevention    = "enforced"
force_destroy               = {{ r.decommissioning }}
depends_on                  = [google_project_service.storage]
{% include "terraform/gcp/_labels.tf" %}

versioning {
enabled = true
}
}


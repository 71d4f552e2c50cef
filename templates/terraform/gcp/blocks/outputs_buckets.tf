{# One bucket's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
output "storage_{{ r.label }}_url" {
value = google_storage_bucket.{{ r.label }}.url
}


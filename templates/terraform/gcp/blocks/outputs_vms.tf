{# One VM's part of outputs.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
output "vm_{{ r.label }}_internal_ip" {
value = google_compute_instance.{{ r.label }}.network_interface[0].network_ip
}


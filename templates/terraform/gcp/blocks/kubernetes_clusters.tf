{# One Kubernetes cluster's part of kubernetes.tf, rendered and kept per item (src/terraform/blocks.rs): it sees only `r` and the globals `v`. #}
data "google_compute_zones" "{{ r.label }}_gke" {
region = "{{ r.region }}"
status = "UP"
}

{% include "terraform/shared/_decommission.tf" -%}
resource "google_container_cluster" "{{ r.label }}" {
# checkov:skip=CKV_GCP_65: RBAC through Google Groups needs the team's Workspace domain (gke-security-groups@<domain>)
name                     = "{{ r.name }}"
location                 = "{{ r.region }}"
network                  = google_compute_network.{{ r.net }}.id
subnetwork               = google_compute_subnetwork.{{ r.subnet }}.id
networking_mode          = "VPC_NATIVE"
remove_default_node_pool = true
initial_node_count       = 1
deletion_protection      = {{ !r.decommissioning }}
enable_legacy_abac       = false
enable_shielded_nodes    = true
# Dataplane V2 enforces network policies itself (the Calico add-on stays off).
datapath_provider           = "ADVANCED_DATAPATH"
enable_intranode_visibility = true
depends_on                  = [google_project_service.container]
resource_labels = {
created_by      = "chatops"
chatops_project = "{{ v.project_id }}"
}

network_policy {
enabled = false
}

binary_authorization {
evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
}

# Only for the default pool, which is removed at creation; the pool below is the real one.
node_config {
shielded_instance_config {
enable_secure_boot          = true
enable_integrity_monitoring = true
}

workload_metadata_config {
mode = "GKE_METADATA"
}
}

ip_allocation_policy {
stack_type = "IPV4"
}

private_cluster_config {
enable_private_nodes    = true
enable_private_endpoint = false
master_ipv4_cidr_block  = "172.16.{{ r.index }}.0/28"
}

# The control plane's IP endpoint admits only var.gke_authorized_networks; members reach it from
# anywhere through its DNS endpoint, which admits only principals Google IAM authorises
# (`gcloud container clusters get-credentials <cluster> --location <region> --dns-endpoint`).
master_authorized_networks_config {
gcp_public_cidrs_access_enabled = false

dynamic "cidr_blocks" {
for_each = var.gke_authorized_networks
content {
cidr_block   = cidr_blocks.value
display_name = "team range ${cidr_blocks.key + 1}"
}
}
}

control_plane_endpoints_config {
dns_endpoint_config {
allow_external_traffic = true
}
}

master_auth {
client_certificate_config {
issue_client_certificate = false
}
}

workload_identity_config {
workload_pool = "${var.gcp_project}.svc.id.goog"
}

release_channel {
channel = "REGULAR"
}
}

resource "google_container_node_pool" "{{ r.label }}" {
name       = "chatops-pool"
cluster    = google_container_cluster.{{ r.label }}.id
node_count = {{ r.nodes }}
# node_count is per zone: one zone keeps the count the user asked for.
node_locations = [data.google_compute_zones.{{ r.label }}_gke.names[0]]

management {
auto_repair  = true
auto_upgrade = true
}

node_config {
machine_type    = "{{ r.size }}"
oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
metadata = {
"disable-legacy-endpoints" = "true"
}
resource_labels = {
created_by      = "chatops"
chatops_project = "{{ v.project_id }}"
}

shielded_instance_config {
enable_secure_boot          = true
enable_integrity_monitoring = true
}

workload_metadata_config {
mode = "GKE_METADATA"
}
}

# Nodes stay in the zone they were created in when the region's list of zones changes.
lifecycle {
ignore_changes = [node_locations]
}
}


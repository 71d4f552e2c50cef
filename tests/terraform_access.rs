//! A way in to what was deployed (issue 29 item 4), checked on the rendered Terraform:
//! - GCP: every network lets IAP's TCP forwarding range (35.235.240.0/20) reach port 22 and nothing
//!   else, and VMs use OS Login, so `gcloud compute ssh --tunnel-through-iap` works for members
//!   granted the IAM roles; Cloud SQL has IAM authentication on and a user per principal listed in
//!   `var.cloudsql_iam_users`.
//! - AWS: VMs carry the instance profile Session Manager needs; RDS keeps its master password in
//!   Secrets Manager (`manage_master_user_password`).
//! - GKE: the control plane is reached through its DNS endpoint (IAM decides who), and its IP
//!   endpoint admits the ranges in `var.gke_authorized_networks`.
//! - Azure: PostgreSQL has password log-in off, so each server gets an Entra administrator per
//!   principal in `var.postgresql_entra_admins`.

mod common;

use cloud_chatops::domain::{Provider, ResourceKind};
use common::*;

#[test]
fn gcp_networks_admit_iap_ssh() {
    let spec = web_stack(Provider::Gcp);
    let all = resources(&spec);
    let networks: Vec<_> = all.iter().filter(|(_, ty, ..)| ty == "google_compute_network").collect();
    assert!(!networks.is_empty());
    for (_, _, net, _) in networks {
        let rule = all
            .iter()
            .find(|(_, ty, label, _)| ty == "google_compute_firewall" && *label == format!("{net}_iap_ssh"))
            .unwrap_or_else(|| panic!("network {net} has no IAP SSH rule"));
        let body = &rule.3;
        assert_eq!(compact(attr(body, "source_ranges")), "[\"35.235.240.0/20\"]", "{net}");
        assert_eq!(compact(attr(body, "direction")), "\"INGRESS\"");
        let allow = block(body, "allow").expect("allow block");
        assert_eq!(compact(attr(allow, "protocol")), "\"tcp\"");
        assert_eq!(compact(attr(allow, "ports")), "[\"22\"]");
        assert!(compact(attr(body, "network")).contains(&format!("google_compute_network.{net}.")), "{net}");
    }
    let vms: Vec<_> = all.iter().filter(|(_, ty, ..)| ty == "google_compute_instance").collect();
    assert!(!vms.is_empty());
    for (_, _, label, body) in vms {
        assert!(compact(attr(body, "metadata")).contains("enable-oslogin"), "{label} without OS Login");
    }
}

#[test]
fn gcp_databases_log_in_with_iam() {
    let all = resources(&single(Provider::Gcp, ResourceKind::Database));
    let dbs: Vec<_> = all.iter().filter(|(_, ty, ..)| ty == "google_sql_database_instance").collect();
    assert_eq!(dbs.len(), 1);
    for (_, _, label, body) in dbs {
        let settings = block(body, "settings").expect("settings");
        let flags: Vec<(String, String)> = settings
            .blocks()
            .filter(|b| b.identifier() == "database_flags")
            .map(|b| (compact(attr(b.body(), "name")), compact(attr(b.body(), "value"))))
            .collect();
        assert!(
            flags.contains(&("\"cloudsql.iam_authentication\"".to_owned(), "\"on\"".to_owned())),
            "{label}: {flags:?}"
        );
        let user = all
            .iter()
            .find(|(_, ty, l, _)| ty == "google_sql_user" && *l == format!("{label}_iam"))
            .unwrap_or_else(|| panic!("{label} has no IAM user"));
        assert_eq!(compact(attr(&user.3, "type")), "\"CLOUD_IAM_USER\"");
        assert!(compact(attr(&user.3, "for_each")).contains("var.cloudsql_iam_users"));
        assert!(compact(attr(&user.3, "instance")).contains(&format!("google_sql_database_instance.{label}.")));
    }
    let declared = render_parsed(&single(Provider::Gcp, ResourceKind::Database)).into_iter().any(|(_, body)| {
        body.blocks().any(|b| {
            b.identifier() == "variable" && b.labels().first().map(|l| l.as_str()) == Some("cloudsql_iam_users")
        })
    });
    assert!(declared, "var.cloudsql_iam_users is not declared");
}

#[test]
fn aws_machines_and_databases_have_a_way_in() {
    let all = resources(&everything(Provider::Aws));
    let vms: Vec<_> = all.iter().filter(|(_, ty, ..)| ty == "aws_instance").collect();
    assert!(!vms.is_empty());
    for (_, _, label, body) in vms {
        assert!(compact(attr(body, "iam_instance_profile")).contains("aws_iam_instance_profile."), "{label}");
    }
    let dbs: Vec<_> = all.iter().filter(|(_, ty, ..)| ty == "aws_db_instance").collect();
    assert!(!dbs.is_empty());
    for (_, _, label, body) in dbs {
        assert_eq!(compact(attr(body, "manage_master_user_password")), "true", "{label}");
    }
}

#[test]
fn azure_databases_have_entra_administrators() {
    let spec = public_database(Provider::Azure);
    let all = resources(&spec);
    let servers: Vec<_> = all.iter().filter(|(_, ty, ..)| ty == "azurerm_postgresql_flexible_server").collect();
    assert!(!servers.is_empty());
    for (_, _, label, body) in servers {
        let auth = block(body, "authentication").unwrap();
        assert_eq!(compact(attr(auth, "password_auth_enabled")), "false");
        assert_eq!(compact(attr(auth, "active_directory_auth_enabled")), "true");
        let admin = all
            .iter()
            .find(|(_, ty, l, _)| {
                ty == "azurerm_postgresql_flexible_server_active_directory_administrator"
                    && *l == format!("{label}_entra")
            })
            .unwrap_or_else(|| panic!("{label} has no Entra administrator"));
        assert!(compact(attr(&admin.3, "for_each")).contains("var.postgresql_entra_admins"));
        assert!(
            compact(attr(&admin.3, "server_name")).contains(&format!("azurerm_postgresql_flexible_server.{label}."))
        );
        for (field, from) in [("object_id", "each.value.object_id"), ("principal_name", "each.key")] {
            assert_eq!(compact(attr(&admin.3, field)), from, "{field}");
        }
    }
    let declared = render_parsed(&spec).into_iter().any(|(_, body)| {
        body.blocks().any(|b| {
            b.identifier() == "variable" && b.labels().first().map(|l| l.as_str()) == Some("postgresql_entra_admins")
        })
    });
    assert!(declared, "var.postgresql_entra_admins is not declared");
}

#[test]
fn gke_control_planes_are_reachable_by_dns_endpoint_and_team_ranges() {
    let all = resources(&single(Provider::Gcp, ResourceKind::K8s));
    let clusters: Vec<_> = all.iter().filter(|(_, ty, ..)| ty == "google_container_cluster").collect();
    assert!(!clusters.is_empty());
    for (_, _, label, body) in clusters {
        let dns = path(body, &["control_plane_endpoints_config", "dns_endpoint_config", "allow_external_traffic"]);
        assert_eq!(compact(dns), "true", "{label}: no DNS endpoint");
        let networks = block(body, "master_authorized_networks_config").unwrap();
        let dynamic = networks
            .blocks()
            .find(|b| b.identifier() == "dynamic" && b.labels().first().map(|l| l.as_str()) == Some("cidr_blocks"))
            .unwrap_or_else(|| panic!("{label}: no authorized ranges"));
        assert_eq!(compact(attr(dynamic.body(), "for_each")), "var.gke_authorized_networks");
    }
}

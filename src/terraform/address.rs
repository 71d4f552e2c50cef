//! The Terraform address a resource's name becomes, for the lobby to refuse, before it opens, a
//! name the generator cannot render or one that collides with a resource already in the project.

use crate::domain::{ParseError, Provider, ResourceKind, ResourceName};

/// The Terraform type of a kind's main block at a provider.
pub fn main_type(provider: Provider, kind: ResourceKind) -> &'static str {
    use ResourceKind as K;
    match (provider, kind) {
        (Provider::Gcp, K::Vm) => "google_compute_instance",
        (Provider::Gcp, K::Database) => "google_sql_database_instance",
        (Provider::Gcp, K::K8s) => "google_container_cluster",
        (Provider::Gcp, K::Storage) => "google_storage_bucket",
        (Provider::Gcp, K::Network) => "google_compute_network",
        (Provider::Gcp, K::LoadBalancer) => "google_compute_global_forwarding_rule",
        (Provider::Aws, K::Vm) => "aws_instance",
        (Provider::Aws, K::Database) => "aws_db_instance",
        (Provider::Aws, K::K8s) => "aws_eks_cluster",
        (Provider::Aws, K::Storage) => "aws_s3_bucket",
        (Provider::Aws, K::Network) => "aws_vpc",
        (Provider::Aws, K::LoadBalancer) => "aws_lb",
        (Provider::Azure, K::Vm) => "azurerm_linux_virtual_machine",
        (Provider::Azure, K::Database) => "azurerm_postgresql_flexible_server",
        (Provider::Azure, K::K8s) => "azurerm_kubernetes_cluster",
        (Provider::Azure, K::Storage) => "azurerm_storage_account",
        (Provider::Azure, K::Network) => "azurerm_virtual_network",
        (Provider::Azure, K::LoadBalancer) => "azurerm_lb",
    }
}

/// The address (`aws_s3_bucket.my_bucket`) of the resource `name` would become, or why the
/// generator cannot render it. Two names collide exactly when their addresses are equal
/// (`my.bucket` and `my_bucket` both become `aws_s3_bucket.my_bucket`).
pub fn address_of(provider: Provider, kind: ResourceKind, name: &str) -> Result<String, ParseError> {
    let parsed = ResourceName::parse(provider, kind, name)?;
    let label = parsed.tf_label();
    // The generator names its own networks `chatops` (GCP) and `chatops_<region>`.
    if kind == ResourceKind::Network && (label == "chatops" || label.starts_with("chatops_")) {
        return Err(ParseError::new("resource name", name, "a network name not starting with `chatops_` (reserved)"));
    }
    if let Some(reserved) = generators_own(name) {
        return Err(ParseError::new(
            "resource name",
            name,
            format!("a name without `{reserved}` (the generator names its own resources so)"),
        ));
    }
    Ok(format!("{}.{label}", main_type(provider, kind)))
}

/// The part of `name` that could make it one of the generator's own physical names
/// (`chatops-<project id>`, `chatops-<project id>-<region>`, `vnet-chatops-…`, `rg-chatops-…`,
/// each carrying `chatops-<provider>-`), on every cloud and kind, compared without regard to case.
fn generators_own(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    Provider::ALL.iter().map(|p| format!("chatops-{p}-")).find(|r| lower.contains(r.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_share_an_identifier_share_an_address() {
        let a = address_of(Provider::Aws, ResourceKind::Storage, "my.bucket").unwrap();
        let b = address_of(Provider::Aws, ResourceKind::Storage, "my-bucket").unwrap();
        assert_eq!(a, "aws_s3_bucket.my_bucket");
        assert_ne!(a, b);
        let gcs = |n| address_of(Provider::Gcp, ResourceKind::Storage, n).unwrap();
        assert_eq!(gcs("my.bucket"), gcs("my_bucket"), "the collision of issue 14");
        assert!(address_of(Provider::Gcp, ResourceKind::Vm, "Web\"").is_err());
        assert!(address_of(Provider::Azure, ResourceKind::Network, "chatops_westeurope").is_err());
        assert!(address_of(Provider::Aws, ResourceKind::Network, "chatops-net").is_ok());
        for (provider, kind, name) in [
            (Provider::Gcp, ResourceKind::Network, "chatops-gcp-000001"),
            (Provider::Gcp, ResourceKind::Network, "chatops-gcp-000001-us-central1"),
            (Provider::Gcp, ResourceKind::Vm, "chatops-gcp-00aa11-deny-ingress-0"),
            (Provider::Azure, ResourceKind::Network, "vnet-chatops-azure-abcdef-westeurope"),
            (Provider::Azure, ResourceKind::Vm, "RG-CHATOPS-AZURE-abcdef"),
            (Provider::Aws, ResourceKind::Network, "chatops-aws-3f9a1c-us-east-1"),
        ] {
            let err = address_of(provider, kind, name).expect_err(name).to_string();
            assert!(err.contains("generator"), "{name}: {err}");
        }
        assert_eq!(
            address_of(Provider::Azure, ResourceKind::Vm, "1vm").unwrap(),
            "azurerm_linux_virtual_machine.r_1vm"
        );
    }
}

//! The `config` a resource is recorded with (size, node count, options, and a stack's links) and
//! how the generator reads it back: one format, written by approval, read by the generator, the
//! checks and the preview. Pure.

use std::collections::BTreeMap;

use super::GenerateError;
use super::model::{ResourceOptions, ResourceSpec, parse_vm_names};
use crate::domain::names::{MachineType, Region, ResourceName};
use crate::domain::validate::DeployRequest;
use crate::domain::{Catalog, ParseError, Provider, ResourceKind};

/// The `config` a new resource is recorded with, read back by [`resource_spec`]: its size, node
/// count and options, and a stack's links (`network`, `targets`, `clients`) beside them.
pub fn resource_config(request: &DeployRequest) -> serde_json::Value {
    let mut config = serde_json::json!({
        "size": request.size,
        "node_count": request.node_count,
        "options": request.options,
    });
    if let Some(object) = config.as_object_mut() {
        for (key, value) in &request.links {
            object.insert(key.clone(), serde_json::Value::String(value.clone()));
        }
    }
    config
}

/// The size a resource row was priced with: `size` (approvals), or `machine_type` (sample data
/// loaded by earlier versions).
pub fn stored_size(config: &serde_json::Value) -> Option<&str> {
    config.get("size").or_else(|| config.get("machine_type")).and_then(|v| v.as_str())
}

/// The node count a resource row was priced with, if it named one.
pub fn stored_node_count(config: &serde_json::Value) -> Option<u32> {
    config.get("node_count").and_then(|v| v.as_u64()).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

/// A resource as the generator sees it, from what a lobby records (`config`: `size`,
/// `node_count`, `options`, `network`, a stack's `targets` / `clients`, comma-separated VM
/// names, and a pinned `physical` name). Pure: the lobby maps the resources it is about to create with it and asks
/// [`check_plan`](super::check_plan) whether they render beside the
/// project's, so the approval cannot fail to write them.
pub fn resource_spec(
    provider: Provider,
    kind: ResourceKind,
    name: &str,
    region: &str,
    config: &serde_json::Value,
    catalog: &Catalog,
) -> Result<ResourceSpec, GenerateError> {
    let mut spec =
        ResourceSpec::new(kind, ResourceName::parse(provider, kind, name)?, Region::parse(provider, region)?);
    spec.size = stored_size(config).map(|s| MachineType::parse(provider, s)).transpose()?;
    spec.node_count = stored_node_count(config);
    spec.options = ResourceOptions::parse(provider, kind, &stored_options(config)?)?;
    spec.network = match text_field(config, "network")? {
        None => None,
        Some(name) => Some(ResourceName::parse(provider, ResourceKind::Network, name)?),
    };
    if let Some(names) = text_field(config, "targets")? {
        spec.targets = parse_vm_names(provider, "targets", names)?;
    }
    if let Some(names) = text_field(config, "clients")? {
        spec.clients = parse_vm_names(provider, "clients", names)?;
    }
    spec.physical = text_field(config, PHYSICAL)?.map(|n| ResourceName::parse(provider, kind, n)).transpose()?;
    Ok(spec.with_defaults(provider, catalog)?)
}

/// The `config` key that pins the name a resource was created with at the cloud (see
/// [`ResourceSpec::physical`]); migration `m20261208_000007_physical_names` sets it.
pub const PHYSICAL: &str = "physical";

/// A top-level text field of a resource's `config`; absent and `null` are `None`.
fn text_field<'a>(config: &'a serde_json::Value, key: &'static str) -> Result<Option<&'a str>, ParseError> {
    match config.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => v.as_str().map(Some).ok_or_else(|| ParseError::new(key, &v.to_string(), "a text value")),
    }
}

/// The `options` object a resource was approved with, as the request carried it.
fn stored_options(config: &serde_json::Value) -> Result<BTreeMap<String, String>, ParseError> {
    match config.get("options") {
        None | Some(serde_json::Value::Null) => Ok(BTreeMap::new()),
        Some(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v.as_str() {
                Some(s) => Ok((k.clone(), s.to_owned())),
                None => Err(ParseError::new("option", k, "a text value")),
            })
            .collect(),
        Some(other) => Err(ParseError::new("options", &other.to_string(), "an object of options")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_of(kind: ResourceKind, config: serde_json::Value) -> Result<ResourceSpec, GenerateError> {
        resource_spec(Provider::Aws, kind, "shop-x", "us-east-1", &config, &Catalog::builtin())
    }

    #[test]
    fn a_stack_config_maps_its_network_targets_and_clients() {
        let lb = spec_of(
            ResourceKind::LoadBalancer,
            serde_json::json!({ "network": "shop-net", "targets": "shop-vm-1, shop-vm-2" }),
        )
        .unwrap();
        assert_eq!(lb.network.as_ref().map(|n| n.as_str()), Some("shop-net"));
        assert_eq!(lb.targets.iter().map(|n| n.as_str()).collect::<Vec<_>>(), ["shop-vm-1", "shop-vm-2"]);
        let db = spec_of(ResourceKind::Database, serde_json::json!({ "clients": "shop-vm-1" })).unwrap();
        assert_eq!(db.clients.len(), 1);
        assert!(db.size.is_some(), "the catalogue's default, as priced");
        let plain = spec_of(ResourceKind::Database, serde_json::json!({ "targets": null })).unwrap();
        assert!(plain.targets.is_empty() && plain.clients.is_empty() && !plain.decommissioning);
    }

    #[test]
    fn bad_wiring_in_a_config_is_refused() {
        for bad in [
            serde_json::json!({ "targets": 3 }),
            serde_json::json!({ "targets": "" }),
            serde_json::json!({ "targets": "a,,b" }),
            serde_json::json!({ "targets": "a, a" }),
            serde_json::json!({ "targets": "bad\"name" }),
            serde_json::json!({ "clients": ["a"] }),
        ] {
            assert!(spec_of(ResourceKind::LoadBalancer, bad.clone()).is_err(), "{bad}");
        }
        let many = (0..=crate::terraform::model::MAX_PEERS).map(|i| format!("vm-{i}")).collect::<Vec<_>>().join(",");
        assert!(spec_of(ResourceKind::Database, serde_json::json!({ "clients": many })).is_err());
    }
}

//! The generator's own check of its input: every value re-parsed against the spec's provider.

use std::collections::BTreeSet;

use super::GenerateError;
use super::model::{ProjectSpec, ResourceSpec};
use crate::domain::{MachineType, ParseError, Region, ResourceName};

const MAX_NODES: u32 = 100;

/// Re-validates every value against `spec.provider`, so a name parsed for another provider or
/// kind cannot slip through, and returns the resources sorted by kind then name.
pub(crate) fn validated(spec: &ProjectSpec) -> Result<Vec<ResourceSpec>, GenerateError> {
    if spec.project_id.provider() != spec.provider {
        return Err(ParseError::new(
            "project id",
            spec.project_id.as_str(),
            format!("an id starting with {}-", spec.provider),
        )
        .into());
    }
    Region::parse(spec.provider, spec.default_region.as_str())?;
    let mut out = Vec::with_capacity(spec.resources.len());
    for r in &spec.resources {
        ResourceName::parse(spec.provider, r.kind, r.name.as_str())?;
        Region::parse(spec.provider, r.region.as_str())?;
        if let Some(size) = &r.size {
            MachineType::parse(spec.provider, size.as_str())?;
        }
        if let Some(n) = r.node_count
            && !(1..=MAX_NODES).contains(&n)
        {
            return Err(ParseError::new("node count", &n.to_string(), "1 to 100").into());
        }
        out.push(r.clone());
    }
    out.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    let mut seen = BTreeSet::new();
    for r in &out {
        if !seen.insert((r.kind, r.name.tf_label())) {
            return Err(GenerateError::Conflict(format!(
                "two {} resources map to the Terraform name `{}`",
                r.kind,
                r.name.tf_label()
            )));
        }
    }
    Ok(out)
}

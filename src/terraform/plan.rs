//! What the lobby asks before it opens a deploy or a stack: would these new resources render
//! beside the project's? Refuses, before anything is reserved, what approval could not write.

use std::path::Path;

use super::GenerateError;
use super::address::address_of;
use super::model::{GeneratorSettings, ProjectSpec, ResourceSpec};
use super::render::render;
use crate::domain::plan::Plan;
use crate::domain::validate::Verdict;
use crate::domain::{Catalog, ProjectId, Provider};

/// Checks that `new` renders beside `existing` (the project's written resources:
/// `store::resources::list_written`, live and being decommissioned, mapped with
/// `store::spec::resource_spec`): names the generator cannot render, Terraform identifiers shared
/// with another resource (`my.bucket` and `my_bucket`), a `network` not of the project in the
/// resource's region, `targets` / `clients` that are not VMs of the project (existing or new) on
/// the right network. `new` carries sizes and node counts as priced (`ResourceSpec::with_defaults`).
///
/// Renders the whole project once, in memory: the same code path approval writes with.
pub fn check_plan(provider: Provider, existing: &[ResourceSpec], new: &[ResourceSpec]) -> Result<(), GenerateError> {
    for r in new {
        address_of(provider, r.kind, r.name.as_str())?;
    }
    let Some(first) = existing.iter().chain(new).next() else { return Ok(()) };
    let spec = ProjectSpec {
        // Only names derived from the id change with it, never whether they are valid.
        project_id: ProjectId::parse(&format!("{provider}-000000"))?,
        provider,
        default_region: first.region.clone(),
        project_name: String::new(),
        resources: existing.iter().chain(new).cloned().collect(),
        settings: GeneratorSettings::default(),
    };
    render(&spec).map(drop)
}

/// What the approval asks just before it commits: would the project, with `plan` applied as the
/// approval records it, render with these settings and be written into its directory under
/// `root` (no team file in the way of a generated one)? Renders in memory; writes nothing. So an
/// approval whose Terraform cannot be written is refused before anything is consumed.
pub fn check_approval(
    root: &Path,
    spec: &ProjectSpec,
    plan: &Plan,
    verdict: &Verdict,
    catalog: &Catalog,
) -> Result<(), GenerateError> {
    let after = super::preview::apply_plan(spec, plan, verdict, catalog)?;
    let files = render(&after)?;
    let dir = super::write::project_dir(root, after.provider, &after.project_id);
    super::write::expected_files(&dir, &files).map(drop)
}

//! What a lobby's approval would write, before it is approved: the project's spec with the lobby's
//! plan applied, rendered in memory and compared with the files on disk. Nothing is written.
//!
//! The plan is applied as approval records it (`actors::lobby::approve`) and the generator then
//! reads it back (`store::spec`): a deploy's resources at the verdict's size with the catalogue's
//! defaults, a stack's items with their network link, a destroy's resource gone (a protected one's
//! first destroy keeps it written: it is decommissioned), a resize's new size. The test `tests/actors/preview.rs` approves after previewing and checks the files
//! written are the files previewed, so the two cannot drift apart unnoticed.

use std::collections::BTreeSet;
use std::path::Path;

use similar::TextDiff;

use super::GenerateError;
use super::model::{ProjectSpec, ResourceSpec};
use super::render::{RenderedFile, dir_name, render};
use super::write::read_generated;
use crate::domain::plan::Plan;
use crate::domain::validate::{DeployRequest, Verdict};
use crate::domain::{Catalog, MachineType};

/// How one generated file changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileChange {
    /// A new file.
    Added,
    /// Different contents.
    Changed,
    /// No longer generated.
    Removed,
    /// As it is now.
    Unchanged,
}

/// One file of the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePreview {
    /// `compute.tf`.
    pub name: String,
    /// How it changes.
    pub change: FileChange,
    /// A unified diff against the file on disk (empty when unchanged).
    pub diff: String,
    /// What approval would write (empty when removed).
    pub contents: String,
}

/// The files approval would write, against what is written now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The project's directory, relative to the output root.
    pub dir: String,
    /// Every file generated now or after approval, by name.
    pub files: Vec<FilePreview>,
}

/// The spec once `plan` is applied: what approval would record, as the generator would read it.
pub fn apply_plan(
    spec: &ProjectSpec,
    plan: &Plan,
    verdict: &Verdict,
    catalog: &Catalog,
) -> Result<ProjectSpec, GenerateError> {
    let provider = spec.provider;
    let mut after = spec.clone();
    // As approval records it (`config::resource_config`) and the generator reads it back.
    let new = |request: &DeployRequest, name: &str, size: Option<&str>| -> Result<ResourceSpec, GenerateError> {
        let priced =
            DeployRequest { size: size.map(str::to_owned).or_else(|| request.size.clone()), ..request.clone() };
        super::config::resource_spec(
            provider,
            request.kind,
            name,
            &request.region,
            &super::config::resource_config(&priced),
            catalog,
        )
    };
    match plan {
        Plan::Deploy(request) => {
            let names: Vec<String> = if request.count <= 1 {
                vec![request.name.clone()]
            } else {
                (1..=request.count).map(|i| format!("{}-{i}", request.name)).collect()
            };
            for name in names {
                after.resources.push(new(request, &name, verdict.size_name.as_deref())?);
            }
        }
        Plan::Stack(stack) => {
            for (i, item) in stack.items.iter().enumerate() {
                let priced = verdict.items.get(i).and_then(|p| p.size.as_deref());
                after.resources.push(new(item, &item.name, priced)?);
            }
        }
        // A protected resource's first destroy decommissions it: it stays written with its
        // protection lifted, and only the second destroy removes it from the files.
        Plan::Destroy(target) if target.protected && !target.decommissioning => {
            for r in after.resources.iter_mut().filter(|r| r.kind == target.kind && r.name.as_str() == target.name) {
                r.decommissioning = true;
            }
        }
        Plan::Destroy(target) => {
            after.resources.retain(|r| !(r.kind == target.kind && r.name.as_str() == target.name));
        }
        Plan::Resize(resize) => {
            let target = &resize.target;
            let request = resize.as_request(provider);
            let Some(r) = after.resources.find_mut(|r| r.kind == target.kind && r.name.as_str() == target.name) else {
                return Err(GenerateError::Conflict(format!(
                    "{} {} is no longer in the project",
                    target.kind, target.name
                )));
            };
            // As approval records it: the verdict's size and the request's node count, over the
            // resource's other settings; what is left out takes the catalogue's default.
            r.size = verdict.size_name.as_deref().map(|s| MachineType::parse(provider, s)).transpose()?;
            r.node_count = request.node_count;
            *r = r.clone().with_defaults(provider, catalog)?;
        }
    }
    Ok(after)
}

/// Renders `after` and compares it with the project's generated files under `root`.
pub fn preview(root: &Path, after: &ProjectSpec) -> Result<Preview, GenerateError> {
    let dir = dir_name(after);
    let wanted = render(after)?;
    let written = read_generated(&root.join(&dir)).map_err(|e| GenerateError::Io(e.kind()))?.unwrap_or_default();
    Ok(Preview { dir, files: compare(&written, &wanted) })
}

/// Each file of `before` or `after`, by name, with its change and diff.
pub fn compare(before: &[RenderedFile], after: &[RenderedFile]) -> Vec<FilePreview> {
    let names: BTreeSet<&str> = before.iter().chain(after).map(|f| f.name.as_str()).collect();
    let find = |files: &[RenderedFile], name: &str| files.iter().find(|f| f.name == name).map(|f| f.contents.clone());
    names
        .into_iter()
        .map(|name| {
            let (old, new) = (find(before, name), find(after, name));
            let change = match (&old, &new) {
                (None, _) => FileChange::Added,
                (Some(_), None) => FileChange::Removed,
                (Some(o), Some(n)) if o == n => FileChange::Unchanged,
                _ => FileChange::Changed,
            };
            let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
            let diff = if change == FileChange::Unchanged {
                String::new()
            } else {
                TextDiff::from_lines(&*old, &*new)
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("a/{name}"), &format!("b/{name}"))
                    .to_string()
            };
            FilePreview { name: name.to_owned(), change, diff, contents: new.to_string() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, contents: &str) -> RenderedFile {
        RenderedFile { name: name.into(), contents: contents.into() }
    }

    #[test]
    fn files_are_compared_by_name_with_a_unified_diff() {
        let before = [file("compute.tf", "a\nb\n"), file("old.tf", "x\n"), file("versions.tf", "v\n")];
        let after = [file("compute.tf", "a\nb\nc\n"), file("network.tf", "n\n"), file("versions.tf", "v\n")];
        let files = compare(&before, &after);
        let changes: Vec<(&str, FileChange)> = files.iter().map(|f| (f.name.as_str(), f.change)).collect();
        assert_eq!(
            changes,
            [
                ("compute.tf", FileChange::Changed),
                ("network.tf", FileChange::Added),
                ("old.tf", FileChange::Removed),
                ("versions.tf", FileChange::Unchanged)
            ]
        );
        assert!(files[0].diff.starts_with("--- a/compute.tf\n+++ b/compute.tf\n"), "{}", files[0].diff);
        assert!(files[0].diff.contains("\n+c\n"), "{}", files[0].diff);
        assert!(files[2].diff.contains("-x"), "{}", files[2].diff);
        assert_eq!((files[3].diff.as_str(), files[2].contents.as_str()), ("", ""));
    }
}

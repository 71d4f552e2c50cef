//! Terraform directories against the database: render the project as the generator would and
//! compare the generated files on disk with that rendering.

use std::path::Path;
use std::sync::Arc;

use entities::cloud_projects;

use super::Finding;
use crate::terraform::write::{self, expected_files};
use crate::terraform::{FsWriter, RenderedFile, SpecSource, dir_name, read_generated, regenerate, render};

/// Compares one project's directory with a fresh rendering; with `repair`, regenerates it.
pub(super) async fn directory(
    source: &dyn SpecSource,
    root: &Path,
    project: &cloud_projects::Model,
    repair: bool,
    out: &mut Vec<Finding>,
) {
    let Some(detail) = difference(source, root, project, out).await else { return };
    let dir = format!("terraform_{}_{}/", project.provider, project.id);
    let subject = format!("{} ({dir})", project.id);
    let repaired = if repair {
        match regenerate(root, source, &project.id, Arc::new(FsWriter)).await {
            Ok(g) => Some(format!("regenerated ({} files)", g.files.len())),
            Err(e) => {
                out.push(Finding {
                    invariant: "terraform",
                    subject: subject.clone(),
                    detail: format!("cannot regenerate: {e}"),
                    repaired: None,
                });
                None
            }
        }
    } else {
        None
    };
    out.push(Finding { invariant: "terraform", subject, detail, repaired });
}

/// Whether a project's directory differs from what the database renders, and how; `None` when it
/// matches (or when it cannot be rendered: that is reported into `out` and cannot be repaired here).
async fn difference(
    source: &dyn SpecSource,
    root: &Path,
    project: &cloud_projects::Model,
    out: &mut Vec<Finding>,
) -> Option<String> {
    let cannot = |subject: String, e: String, out: &mut Vec<Finding>| {
        out.push(Finding {
            invariant: "terraform",
            subject,
            detail: format!("cannot be rendered: {e}"),
            repaired: None,
        });
        None
    };
    let spec = match source.load(&project.id).await {
        Ok(spec) => spec,
        Err(e) => return cannot(project.id.clone(), e.to_string(), out),
    };
    let dir = dir_name(&spec);
    let path = root.join(&dir);
    // A project nothing was ever approved in has no directory, and needs none.
    if spec.resources.is_empty() && !path.exists() {
        return None;
    }
    let subject = format!("{} ({dir}/)", project.id);
    let files = match render(&spec).and_then(|files| expected_files(&path, &files)) {
        Ok(files) => files,
        Err(e) => return cannot(subject, e.to_string(), out),
    };
    // Committed but not all moved into place (a kill in the middle of a write): Terraform run now
    // would read a mix, so it counts as a difference until a write finishes it.
    if write::interrupted(&path) {
        return Some("an interrupted write is not finished".to_owned());
    }
    let on_disk = read_generated(&path).ok().flatten().unwrap_or_default();
    let sorted = |files: &[RenderedFile]| {
        let mut v = files.to_vec();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    };
    if sorted(&on_disk) == sorted(&files) {
        return None;
    }
    if on_disk.is_empty() {
        return Some("missing".to_owned());
    }
    let differ: Vec<&str> = files
        .iter()
        .filter(|f| !on_disk.iter().any(|d| d.name == f.name && d.contents == f.contents))
        .map(|f| f.name.as_str())
        .chain(on_disk.iter().filter(|d| !files.iter().any(|f| f.name == d.name)).map(|d| d.name.as_str()))
        .collect();
    Some(format!("differs from the database in {}", differ.join(", ")))
}

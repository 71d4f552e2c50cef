//! Terraform directories against the database: render the project as the generator would and
//! compare content hashes with what is on disk.

use std::path::Path;

use sea_orm::DatabaseConnection;

use entities::cloud_projects;

use super::Finding;
use crate::actors::spec_source::StoreSpecSource;
use crate::terraform::actor::content_hash;
use crate::terraform::{FsWriter, RenderedFile, SpecSource, dir_name, render, write_project};

/// Compares one project's directory with a fresh rendering; with `repair`, regenerates it.
pub(super) async fn directory(
    db: &DatabaseConnection,
    root: &Path,
    project: &cloud_projects::Model,
    repair: bool,
    out: &mut Vec<Finding>,
) -> crate::store::StoreResult<()> {
    let subject = |dir: &str| format!("{} ({dir}/)", project.id);
    let spec = match StoreSpecSource::new(db.clone()).load(&project.id).await {
        Ok(spec) => spec,
        Err(e) => {
            out.push(Finding {
                invariant: "terraform",
                subject: project.id.clone(),
                detail: format!("cannot be rendered: {e}"),
                repaired: None,
            });
            return Ok(());
        }
    };
    let dir = dir_name(&spec);
    let path = root.join(&dir);
    // A project nothing was ever approved in has no directory, and needs none.
    if spec.resources.is_empty() && !path.exists() {
        return Ok(());
    }
    let files = match render(&spec) {
        Ok(files) => files,
        Err(e) => {
            out.push(Finding {
                invariant: "terraform",
                subject: subject(&dir),
                detail: format!("cannot be rendered: {e}"),
                repaired: None,
            });
            return Ok(());
        }
    };
    let on_disk = read_tf(&path);
    let mut expected = files.clone();
    expected.sort_by(|a, b| a.name.cmp(&b.name));
    if content_hash(&on_disk) == content_hash(&expected) {
        return Ok(());
    }
    let detail = if on_disk.is_empty() {
        "missing".to_owned()
    } else {
        let differ: Vec<&str> = files
            .iter()
            .filter(|f| !on_disk.iter().any(|d| d.name == f.name && d.contents == f.contents))
            .map(|f| f.name.as_str())
            .chain(on_disk.iter().filter(|d| !files.iter().any(|f| f.name == d.name)).map(|d| d.name.as_str()))
            .collect();
        format!("differs from the database in {}", differ.join(", "))
    };
    let repaired = if repair {
        match write_project(root, spec.provider, &spec.project_id, &files, &FsWriter) {
            Ok(_) => Some(format!("regenerated ({} files)", files.len())),
            Err(e) => {
                out.push(Finding {
                    invariant: "terraform",
                    subject: subject(&dir),
                    detail: format!("cannot regenerate: {e}"),
                    repaired: None,
                });
                None
            }
        }
    } else {
        None
    };
    out.push(Finding { invariant: "terraform", subject: subject(&dir), detail, repaired });
    Ok(())
}

/// The `.tf` files of a directory, by name (empty when it does not exist).
fn read_tf(dir: &Path) -> Vec<RenderedFile> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<RenderedFile> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let contents = std::fs::read_to_string(e.path()).ok()?;
            name.ends_with(".tf").then_some(RenderedFile { name, contents })
        })
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

//! The atomic directory swap: a failure at any point leaves the previous configuration whole,
//! leftovers of interrupted runs are cleaned, and nothing is written outside the output root.

mod common;

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use cloud_chatops::domain::{ProjectId, Provider, ResourceKind};
use cloud_chatops::terraform::{FileWriter, FsWriter, GenerateError, RenderedFile, render, write_project};
use common::*;

/// Every file under `dir` (recursively) with its contents.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if entry.file_type().unwrap().is_dir() {
            for (k, v) in snapshot(&entry.path()) {
                out.insert(format!("{name}/{k}"), v);
            }
        } else {
            out.insert(name, std::fs::read_to_string(entry.path()).unwrap());
        }
    }
    out
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

/// Writes normally until the `fail_at`-th file, then fails like a full disk.
struct FailingWriter {
    fail_at: usize,
    written: AtomicUsize,
}

impl FileWriter for FailingWriter {
    fn write_file(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        if self.written.fetch_add(1, Ordering::SeqCst) + 1 == self.fail_at {
            // Leave a partial file behind, as a real crash mid-write would.
            std::fs::write(path, &contents[..contents.len() / 2])?;
            return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
        }
        FsWriter.write_file(path, contents)
    }
}

fn write(
    root: &Path,
    spec: &cloud_chatops::terraform::ProjectSpec,
    writer: &dyn FileWriter,
) -> Result<std::path::PathBuf, GenerateError> {
    write_project(root, spec.provider, &spec.project_id, &render(spec).unwrap(), writer)
}

#[test]
fn writes_the_files_and_replaces_them_on_regeneration() {
    let root = tempfile::tempdir().unwrap();
    let full = everything(Provider::Gcp);
    let dir = write(root.path(), &full, &FsWriter).unwrap();
    assert_eq!(dir, root.path().join("terraform_gcp_gcp-3f9a1c"));
    let want: BTreeMap<String, String> = render(&full).unwrap().into_iter().map(|f| (f.name, f.contents)).collect();
    assert_eq!(snapshot(&dir), want);

    // The team's state, lock file and variables live beside the generated files.
    std::fs::write(dir.join("terraform.tfstate"), "{\"version\": 4}").unwrap();
    std::fs::write(dir.join("prod.auto.tfvars"), "gcp_project = \"acme\"").unwrap();
    std::fs::write(dir.join("stale.tf"), "# from an older generator").unwrap();

    let mut less = full.clone();
    less.resources.retain(|r| r.kind != ResourceKind::Database);
    let dir = write(root.path(), &less, &FsWriter).unwrap();
    let got = snapshot(&dir);
    assert!(!got.contains_key("database.tf"), "a removed resource's file must go");
    assert!(!got.contains_key("stale.tf"), "generated-looking files are not carried over");
    assert_eq!(got["terraform.tfstate"], "{\"version\": 4}");
    assert_eq!(got["prod.auto.tfvars"], "gcp_project = \"acme\"");
    assert_eq!(got["compute.tf"], render(&less).unwrap().iter().find(|f| f.name == "compute.tf").unwrap().contents);
    assert_eq!(entries(root.path()), ["terraform_gcp_gcp-3f9a1c"], "no temporary directory left behind");
}

#[test]
fn a_failure_in_the_middle_leaves_the_old_directory_intact() {
    let root = tempfile::tempdir().unwrap();
    let old = everything(Provider::Aws);
    let dir = write(root.path(), &old, &FsWriter).unwrap();
    std::fs::write(dir.join("terraform.tfstate"), "state").unwrap();
    let before = snapshot(&dir);

    let mut new = old.clone();
    new.project_name = "renamed".to_owned();
    new.resources.retain(|r| r.kind != ResourceKind::Storage);
    for fail_at in 1..=render(&new).unwrap().len() {
        let writer = FailingWriter { fail_at, written: AtomicUsize::new(0) };
        let err = write(root.path(), &new, &writer).unwrap_err();
        assert_eq!(err, GenerateError::Io(io::ErrorKind::StorageFull));
        assert!(!err.to_string().contains(root.path().to_str().unwrap()), "no host path in: {err}");
        assert_eq!(snapshot(&dir), before, "failing at file {fail_at} touched the old configuration");
        assert_eq!(
            entries(root.path()),
            ["terraform_aws_aws-3f9a1c"],
            "temp dir not cleaned after failing at {fail_at}"
        );
    }
    write(root.path(), &new, &FsWriter).unwrap();
    assert_ne!(snapshot(&dir), before);
}

#[test]
fn leftovers_of_an_interrupted_run_are_cleaned_and_others_left_alone() {
    let root = tempfile::tempdir().unwrap();
    let spec = single(Provider::Azure, ResourceKind::Storage);
    for leftover in ["terraform_azure_azure-3f9a1c.tmp-0001", "terraform_azure_azure-3f9a1c.old-0002"] {
        std::fs::create_dir(root.path().join(leftover)).unwrap();
        std::fs::write(root.path().join(leftover).join("compute.tf"), "half").unwrap();
    }
    let other = root.path().join("terraform_azure_azure-000000");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("main.tf"), "other project").unwrap();
    // The target is missing and an old version exists: as if a crash hit the fallback swap.
    // That old version is put back first, then replaced by the new generation.
    write(root.path(), &spec, &FsWriter).unwrap();
    assert_eq!(entries(root.path()), ["terraform_azure_azure-000000", "terraform_azure_azure-3f9a1c"]);
    assert_eq!(std::fs::read_to_string(other.join("main.tf")).unwrap(), "other project");
    assert!(snapshot(&root.path().join("terraform_azure_azure-3f9a1c")).contains_key("storage.tf"));
}

#[test]
fn an_interrupted_swap_is_recovered_to_the_old_version() {
    let root = tempfile::tempdir().unwrap();
    let spec = single(Provider::Gcp, ResourceKind::Vm);
    let dir = write(root.path(), &spec, &FsWriter).unwrap();
    let before = snapshot(&dir);
    // Simulate a crash between "move old away" and "move new in".
    let old = root.path().join("terraform_gcp_gcp-3f9a1c.old-feed");
    std::fs::rename(&dir, &old).unwrap();
    std::fs::create_dir(root.path().join("terraform_gcp_gcp-3f9a1c.tmp-beef")).unwrap();
    let writer = FailingWriter { fail_at: 1, written: AtomicUsize::new(0) };
    assert!(write(root.path(), &spec, &writer).is_err());
    assert_eq!(snapshot(&dir), before, "the previous version is back in place");
    assert_eq!(entries(root.path()), ["terraform_gcp_gcp-3f9a1c"]);
}

#[test]
fn nothing_is_written_outside_the_root() {
    for hostile in ["../gcp-3f9a1c", "gcp-3f9a1c/../../x", "gcp-../../", "/etc/gcp-3f9a1c", "gcp-3f9a1c\0"] {
        assert!(ProjectId::parse(hostile).is_err(), "{hostile:?} must not be a project id");
    }
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("out");
    let spec = single(Provider::Gcp, ResourceKind::Vm);
    let evil = vec![RenderedFile { name: "../../escape.tf".to_owned(), contents: "x".to_owned() }];
    let err = write_project(&root, spec.provider, &spec.project_id, &evil, &FsWriter).unwrap_err();
    assert!(matches!(err, GenerateError::Render(_)));
    assert_eq!(entries(outer.path()), Vec::<String>::new(), "refused before touching the disk");
    let dir = write(&root, &spec, &FsWriter).unwrap();
    assert_eq!(dir.parent(), Some(root.as_path()));
    assert_eq!(entries(outer.path()), ["out"]);
}

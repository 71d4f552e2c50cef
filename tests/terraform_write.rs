//! The atomic directory swap: a failure at any point leaves the previous configuration whole,
//! leftovers of interrupted runs are cleaned, and nothing is written outside the output root.

mod common;

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use cloud_chatops::domain::{ProjectId, Provider, ResourceKind};
use cloud_chatops::terraform::{
    FileWriter, FsWriter, GenerateError, RenderedFile, read_generated, render, write_project,
};
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
    write_project(root, spec.provider, &spec.project_id, &render(spec).unwrap(), writer).map(|w| w.dir)
}

/// The generated files of a snapshot: everything but the team's files and the bookkeeping.
fn generated(snap: &BTreeMap<String, String>, team: &[&str]) -> BTreeMap<String, String> {
    snap.iter()
        .filter(|(k, _)| !k.starts_with(".chatops/") && !team.iter().any(|t| k.starts_with(t)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn rendered(spec: &cloud_chatops::terraform::ProjectSpec) -> BTreeMap<String, String> {
    render(spec).unwrap().into_iter().map(|f| (f.name, f.contents.to_string())).collect()
}

/// What a team keeps beside the generated files: state, variables, its own code, the provider cache.
const TEAM: [(&str, &str); 7] = [
    ("terraform.tfstate", "{\"version\": 4}"),
    ("prod.auto.tfvars", "gcp_project = \"acme\""),
    ("backend.tf", "terraform {\n  backend \"gcs\" {}\n}\n"),
    ("custom.tf", "# the team's own resources\n"),
    ("compute_override.tf", "# the team's override\n"),
    (".terraform/providers/registry.terraform.io/hashicorp/google/provider", "binary"),
    (".terraform.lock.hcl", "# lock"),
];

fn add_team_files(dir: &Path) {
    for (name, contents) in TEAM {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

fn assert_team_files(dir: &Path, when: &str) {
    let snap = snapshot(dir);
    for (name, contents) in TEAM {
        assert_eq!(snap.get(name).map(String::as_str), Some(contents), "{when}: the team's {name} was touched");
    }
}

const TEAM_NAMES: [&str; 7] = [
    "terraform.tfstate",
    "prod.auto.tfvars",
    "backend.tf",
    "custom.tf",
    "compute_override.tf",
    ".terraform/",
    ".terraform.lock.hcl",
];

#[test]
fn regeneration_replaces_only_the_generated_files() {
    let root = tempfile::tempdir().unwrap();
    let full = everything(Provider::Gcp);
    let dir = write(root.path(), &full, &FsWriter).unwrap();
    assert_eq!(dir, root.path().join("terraform_gcp_gcp-3f9a1c"));
    assert_eq!(generated(&snapshot(&dir), &[]), rendered(&full));
    add_team_files(&dir);

    let mut less = full.clone();
    less.resources.retain(|r| r.kind != ResourceKind::Database);
    let dir = write(root.path(), &less, &FsWriter).unwrap();
    let got = snapshot(&dir);
    assert!(!got.contains_key("database.tf"), "a removed resource's file must go");
    assert_eq!(generated(&got, &TEAM_NAMES), rendered(&less));
    assert_team_files(&dir, "after a regeneration");
    assert_eq!(entries(root.path()), ["terraform_gcp_gcp-3f9a1c"], "nothing beside the project directory");
    assert_eq!(entries(&dir.join(".chatops")), ["manifest"], "no stage or commit left behind");
    let manifest = std::fs::read_to_string(dir.join(".chatops/manifest")).unwrap();
    let listed: Vec<&str> = manifest.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(listed, render(&less).unwrap().iter().map(|f| f.name.as_str()).collect::<Vec<_>>());
    assert_eq!(read_generated(&dir).unwrap().unwrap(), render(&less).unwrap());
}

#[test]
fn a_failure_in_the_middle_leaves_the_old_set_intact() {
    let root = tempfile::tempdir().unwrap();
    let old = everything(Provider::Aws);
    let dir = write(root.path(), &old, &FsWriter).unwrap();
    add_team_files(&dir);
    let before = snapshot(&dir);

    let mut new = old.clone();
    new.project_name = "renamed".to_owned();
    new.resources.retain(|r| r.kind != ResourceKind::Storage);
    // Every changed file, then the manifest, goes through the writer: fail at each.
    let old_files = render(&old).unwrap();
    let changed = render(&new).unwrap().into_iter().filter(|f| !old_files.contains(f)).count();
    assert!(changed >= 1, "something must change: {changed}");
    for fail_at in 1..=changed + 1 {
        let writer = FailingWriter { fail_at, written: AtomicUsize::new(0) };
        let err = write(root.path(), &new, &writer).unwrap_err();
        assert_eq!(err, GenerateError::Io(io::ErrorKind::StorageFull));
        assert!(!err.to_string().contains(root.path().to_str().unwrap()), "no host path in: {err}");
        assert_eq!(snapshot(&dir), before, "failing at file {fail_at} touched the old configuration");
        assert_eq!(entries(&dir.join(".chatops")), ["manifest"], "stage not cleaned after failing at {fail_at}");
    }
    let counting = FailingWriter { fail_at: usize::MAX, written: AtomicUsize::new(0) };
    write(root.path(), &new, &counting).unwrap();
    assert_eq!(counting.written.load(Ordering::SeqCst), changed + 1, "only the changed files and the manifest");
    assert_eq!(generated(&snapshot(&dir), &TEAM_NAMES), rendered(&new));
    assert_team_files(&dir, "after the successful write");

    // The same set again writes nothing at all.
    let counting = FailingWriter { fail_at: usize::MAX, written: AtomicUsize::new(0) };
    write(root.path(), &new, &counting).unwrap();
    assert_eq!(counting.written.load(Ordering::SeqCst), 0);
    // A generated file edited by hand is written again.
    std::fs::write(dir.join("compute.tf"), "# edited\n").unwrap();
    let counting = FailingWriter { fail_at: usize::MAX, written: AtomicUsize::new(0) };
    write(root.path(), &new, &counting).unwrap();
    assert_eq!(counting.written.load(Ordering::SeqCst), 2, "compute.tf and the manifest");
    assert_eq!(generated(&snapshot(&dir), &TEAM_NAMES), rendered(&new));
}

#[test]
fn a_crash_after_the_commit_is_rolled_forward() {
    let root = tempfile::tempdir().unwrap();
    let old = everything(Provider::Azure);
    let dir = write(root.path(), &old, &FsWriter).unwrap();
    add_team_files(&dir);
    let mut new = old.clone();
    new.resources.retain(|r| r.kind != ResourceKind::K8s);
    new.project_name = "v2".to_owned();
    let files = render(&new).unwrap();
    // The state a crash leaves half-way through applying a commit: the new set and its manifest
    // committed, two files already moved into place, the rest still in the commit.
    let commit = dir.join(".chatops/commit");
    std::fs::create_dir(&commit).unwrap();
    let mut manifest = String::from("# cloud-chatops generated files v1\n");
    for (i, f) in files.iter().enumerate() {
        let at = if i < 2 { dir.join(&f.name) } else { commit.join(&f.name) };
        std::fs::write(at, f.contents.as_bytes()).unwrap();
        manifest.push_str(&f.name);
        manifest.push('\n');
    }
    std::fs::write(commit.join("manifest"), manifest).unwrap();

    // A reader sees the committed (new) set, not the mix on disk.
    assert_eq!(read_generated(&dir).unwrap().unwrap(), files);
    assert!(cloud_chatops::terraform::write::interrupted(&dir), "and knows it is not finished");
    // The next write finishes the commit first, then writes its own set (here the same one).
    write(root.path(), &new, &FsWriter).unwrap();
    let got = snapshot(&dir);
    assert!(!got.contains_key("kubernetes.tf"), "the old set's extra file is removed");
    assert_eq!(generated(&got, &TEAM_NAMES), rendered(&new));
    assert_team_files(&dir, "after the roll-forward");
    assert!(!cloud_chatops::terraform::write::interrupted(&dir));
    assert_eq!(entries(&dir.join(".chatops")), ["manifest"]);
}

#[test]
fn a_file_the_generator_does_not_own_is_never_overwritten() {
    let root = tempfile::tempdir().unwrap();
    let spec = single(Provider::Gcp, ResourceKind::Vm);
    let dir = root.path().join("terraform_gcp_gcp-3f9a1c");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("compute.tf"), "# the team's hand-written compute\n").unwrap();
    let err = write(root.path(), &spec, &FsWriter).unwrap_err();
    assert!(matches!(&err, GenerateError::Unsafe(m) if m.contains("compute.tf")), "{err}");
    assert_eq!(snapshot(&dir).get("compute.tf").map(String::as_str), Some("# the team's hand-written compute\n"));
    assert!(!dir.join("versions.tf").exists(), "nothing written when the set cannot be written whole");

    // A team's backend.tf wins over a generated one, which is then simply not written.
    std::fs::remove_file(dir.join("compute.tf")).unwrap();
    std::fs::write(dir.join("backend.tf"), "# the team's backend\n").unwrap();
    let mut files = render(&spec).unwrap();
    files.push(RenderedFile { name: "backend.tf".into(), contents: "# Generated by cloud-chatops\n".into() });
    let written = write_project(root.path(), spec.provider, &spec.project_id, &files, &FsWriter).unwrap();
    assert!(written.files.iter().all(|f| f.name != "backend.tf"));
    assert_eq!(std::fs::read_to_string(dir.join("backend.tf")).unwrap(), "# the team's backend\n");
    // Once the team removes theirs, the generated one is written, and then owned (so replaced).
    std::fs::remove_file(dir.join("backend.tf")).unwrap();
    let written = write_project(root.path(), spec.provider, &spec.project_id, &files, &FsWriter).unwrap();
    assert!(written.files.iter().any(|f| f.name == "backend.tf"));
    let last = files.last_mut().unwrap();
    last.contents = format!("{}# v2\n", last.contents).into();
    write_project(root.path(), spec.provider, &spec.project_id, &files, &FsWriter).unwrap();
    assert!(std::fs::read_to_string(dir.join("backend.tf")).unwrap().ends_with("# v2\n"));
}

#[test]
fn a_directory_from_before_manifests_is_taken_over_by_its_header() {
    let root = tempfile::tempdir().unwrap();
    let spec = single(Provider::Aws, ResourceKind::Storage);
    let dir = root.path().join("terraform_aws_aws-3f9a1c");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("database.tf"), "# Generated by cloud-chatops for project aws-3f9a1c.\n").unwrap();
    std::fs::write(dir.join("notes.tf"), "# the team's\n").unwrap();
    write(root.path(), &spec, &FsWriter).unwrap();
    let got = snapshot(&dir);
    assert!(!got.contains_key("database.tf"), "the old generator's file is the generator's to remove");
    assert_eq!(got["notes.tf"], "# the team's\n");
}

#[test]
fn a_lost_empty_or_damaged_manifest_is_recovered_from_the_files_headers() {
    // `git clean -fdx`, a sync that skips dot-folders, a truncated or overwritten manifest.
    type Damage = fn(&Path);
    let damages: [(&str, Damage); 4] = [
        ("lost .chatops", |dir| std::fs::remove_dir_all(dir.join(".chatops")).unwrap()),
        ("empty manifest", |dir| std::fs::write(dir.join(".chatops/manifest"), "").unwrap()),
        ("damaged manifest", |dir| std::fs::write(dir.join(".chatops/manifest"), "compute.tf\n\u{0}garbage").unwrap()),
        ("binary manifest", |dir| std::fs::write(dir.join(".chatops/manifest"), [0xff, 0xfe, 0x00]).unwrap()),
    ];
    for (what, damage) in damages {
        let root = tempfile::tempdir().unwrap();
        let full = everything(Provider::Gcp);
        let dir = write(root.path(), &full, &FsWriter).unwrap();
        add_team_files(&dir);
        // The team filled in its variables from the example: same header, but the team's file.
        let example = std::fs::read_to_string(dir.join("terraform.tfvars.example")).unwrap();
        std::fs::write(dir.join("terraform.tfvars"), format!("{example}gcp_project = \"acme\"\n")).unwrap();
        damage(&dir);

        let mut less = full.clone();
        less.resources.retain(|r| r.kind != ResourceKind::Database);
        let dir = write(root.path(), &less, &FsWriter).unwrap_or_else(|e| panic!("{what}: {e}"));
        let got = snapshot(&dir);
        assert!(!got.contains_key("database.tf"), "{what}: a generated file no longer generated still goes");
        let mut ours = generated(&got, &TEAM_NAMES);
        ours.remove("terraform.tfvars");
        assert_eq!(ours, rendered(&less), "{what}");
        assert_team_files(&dir, what);
        assert!(got["terraform.tfvars"].ends_with("gcp_project = \"acme\"\n"), "{what}: the team's tfvars kept");
        assert_eq!(read_generated(&dir).unwrap().unwrap(), render(&less).unwrap(), "{what}: the manifest is back");
    }
}

#[test]
fn a_symlinked_project_directory_is_refused() {
    let outer = tempfile::tempdir().unwrap();
    let (root, elsewhere) = (outer.path().join("out"), outer.path().join("elsewhere"));
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, root.join("terraform_gcp_gcp-3f9a1c")).unwrap();
    let err = write(&root, &single(Provider::Gcp, ResourceKind::Vm), &FsWriter).unwrap_err();
    assert!(matches!(err, GenerateError::Unsafe(_)), "{err}");
    assert!(entries(&elsewhere).is_empty(), "nothing written through the link");
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
    // A generation of something new that fails finds the old version back in place first.
    let mut renamed = spec.clone();
    renamed.project_name = "renamed".to_owned();
    let writer = FailingWriter { fail_at: 1, written: AtomicUsize::new(0) };
    assert!(write(root.path(), &renamed, &writer).is_err());
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
    let evil = vec![RenderedFile { name: "../../escape.tf".to_owned(), contents: "x".into() }];
    let err = write_project(&root, spec.provider, &spec.project_id, &evil, &FsWriter).unwrap_err();
    assert!(matches!(err, GenerateError::Render(_)));
    assert_eq!(entries(outer.path()), Vec::<String>::new(), "refused before touching the disk");
    let dir = write(&root, &spec, &FsWriter).unwrap();
    assert_eq!(dir.parent(), Some(root.as_path()));
    assert_eq!(entries(outer.path()), ["out"]);
}

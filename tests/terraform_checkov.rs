//! checkov (its default checks, as teams run it before `apply`) over every provider × kind ×
//! option the generator renders: no failed check. A check the generated code cannot satisfy
//! without something only the team can supply carries an inline `checkov:skip` with its reason
//! (listed in the README). All variants go through one checkov run, since each start costs seconds.
//!
//! checkov is found through `CLOUD_CHATOPS_CHECKOV` (a path, as `.ci/run` exports it), then `PATH`, then
//! `.ci/venv/bin/checkov`. Without it the test says so and passes, unless `CLOUD_CHATOPS_REQUIRE_CHECKOV=1`
//! (CI), where a missing checkov fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn checkov() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CLOUD_CHATOPS_CHECKOV").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("checkov"))
        .find(|p| p.is_file());
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/venv/bin/checkov");
    on_path.or_else(|| venv.is_file().then_some(venv))
}

fn required() -> bool {
    std::env::var("CLOUD_CHATOPS_REQUIRE_CHECKOV").is_ok_and(|v| v == "1")
}

#[test]
fn checkov_finds_no_failed_check_in_any_variant() {
    let Some(checkov) = checkov() else {
        assert!(!required(), "CLOUD_CHATOPS_REQUIRE_CHECKOV=1 but checkov was not found (set CLOUD_CHATOPS_CHECKOV)");
        eprintln!("checkov not installed: not run (CI installs it; see .ci/run)");
        return;
    };
    let keep = std::env::var_os("CLOUD_CHATOPS_KEEP_RENDERED").map(PathBuf::from);
    let tmp = tempfile::tempdir().unwrap();
    let root = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    let variants = write_variants(&root);
    let out = Command::new(&checkov)
        .args(["-d", root.to_str().unwrap(), "--framework", "terraform", "-o", "json", "--compact", "--quiet"])
        .args(["--skip-download"])
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", checkov.display()));
    let text = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON ({e}); status {}:\n{text}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
    });
    // One framework gives one object; checkov prints a list when it ran several.
    let reports: Vec<&serde_json::Value> = match &report {
        serde_json::Value::Array(items) => items.iter().collect(),
        one => vec![one],
    };
    let (mut passed, mut failed, mut skipped, mut resources) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    let mut unexplained = Vec::new();
    for r in reports {
        let summary = &r["summary"];
        passed += summary["passed"].as_u64().unwrap_or(0);
        failed += summary["failed"].as_u64().unwrap_or(0);
        skipped += summary["skipped"].as_u64().unwrap_or(0);
        resources += summary["resource_count"].as_u64().unwrap_or(0);
        assert_eq!(summary["parsing_errors"].as_u64(), Some(0), "checkov could not parse some files: {summary}");
        for c in r["results"]["failed_checks"].as_array().into_iter().flatten() {
            failures.push(format!("{} {} in {}: {}", c["check_id"], c["resource"], c["file_path"], c["check_name"]));
        }
        for c in r["results"]["skipped_checks"].as_array().into_iter().flatten() {
            let why = c["check_result"]["suppress_comment"].as_str().unwrap_or_default();
            if why.trim().len() < 10 {
                unexplained.push(format!("{} {} in {}", c["check_id"], c["resource"], c["file_path"]));
            }
        }
    }
    eprintln!(
        "checkov over {} variants, {resources} resources: {passed} passed, {failed} failed, {skipped} skipped",
        variants.len()
    );
    assert!(failures.is_empty(), "{} failed checks:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(failed, 0);
    assert!(unexplained.is_empty(), "skips without a reason:\n{}", unexplained.join("\n"));
    assert!(passed > 500 && resources > 300, "checkov checked too little: {passed} checks on {resources} resources");
}

/// The README's table of skipped checks lists every skip the templates carry, and nothing else.
#[test]
fn every_skip_in_the_templates_is_in_the_readme_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut in_templates = std::collections::BTreeSet::new();
    // The per-item blocks (`<provider>/blocks/`) carry most of them.
    for file in template_files() {
        let text = std::fs::read_to_string(file).unwrap();
        for piece in text.split("checkov:skip=").skip(1) {
            in_templates.insert(piece.split(':').next().unwrap().trim().to_owned());
        }
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let table = readme.split("### checkov checks skipped").nth(1).expect("the README's skip table");
    let in_readme: std::collections::BTreeSet<String> = table
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect();
    assert!(in_templates.len() >= 20, "{in_templates:?}");
    assert_eq!(in_templates, in_readme, "templates' skips vs README table");
}

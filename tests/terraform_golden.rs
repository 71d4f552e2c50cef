//! Golden files: one representative project per provider, compared byte for byte with
//! `tests/golden/<provider>/`. Regenerate with `UPDATE_GOLDEN=1 cargo test --test terraform_golden`
//! and review the diff like code.

mod common;

use std::path::PathBuf;

use cloud_chatops::domain::Provider;
use cloud_chatops::terraform::render;
use common::*;

fn golden_dir(provider: Provider) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(provider.as_str())
}

fn check(provider: Provider) {
    let mut spec = everything(provider);
    spec.project_name = "Shop \"backend\" ${prod}".to_owned();
    let files = render(&spec).unwrap();
    let dir = golden_dir(provider);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for f in &files {
            std::fs::write(dir.join(&f.name), f.contents.as_bytes()).unwrap();
        }
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    let mut rendered: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    rendered.sort();
    assert_eq!(on_disk, rendered, "{provider}: golden file set differs");
    for f in &files {
        let want = std::fs::read_to_string(dir.join(&f.name)).unwrap();
        assert!(*want == *f.contents, "{provider}/{} differs from its golden file:\n{}", f.name, f.contents);
    }
}

#[test]
fn gcp_matches_golden() {
    check(Provider::Gcp);
}

#[test]
fn aws_matches_golden() {
    check(Provider::Aws);
}

#[test]
fn azure_matches_golden() {
    check(Provider::Azure);
}

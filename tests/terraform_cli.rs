//! The real `terraform` binary, where one is on PATH: `terraform fmt -check` over every rendered
//! variant, and `terraform validate` over the AWS ones. This machine's provider mirror holds only
//! hashicorp/aws 5.100, so validation runs on a copy whose pin is relaxed to `>= 5.100`; the other
//! providers stay checked against their schemas (`terraform_schema.rs`). Without the binary the
//! test says so and passes, unless `CLOUD_CHATOPS_REQUIRE_TERRAFORM=1`.

mod common;

use std::path::PathBuf;

use common::tf::{on_path, plugin_dir, relax_aws_pin, run, text};
use common::*;

#[test]
fn terraform_fmt_accepts_every_variant_and_validate_every_aws_one() {
    let Some(tf) = on_path("terraform") else {
        let required = std::env::var("CLOUD_CHATOPS_REQUIRE_TERRAFORM").is_ok_and(|v| v == "1");
        assert!(!required, "CLOUD_CHATOPS_REQUIRE_TERRAFORM=1 but terraform is not on PATH");
        eprintln!("terraform not on PATH: not run");
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let variants = write_variants(root.path());
    let fmt = run(&tf, root.path(), &["fmt", "-check", "-recursive", "-diff", "-no-color"]);
    assert!(fmt.status.success(), "terraform fmt -check found unformatted files:\n{}", text(&fmt));

    let Some(plugins) = plugin_dir() else {
        eprintln!("no hashicorp/aws in the provider mirror: validate not run");
        return;
    };
    let aws: Vec<&String> = variants.iter().map(|(n, _)| n).filter(|n| n.starts_with("aws-")).collect();
    assert!(aws.len() >= 8, "{aws:?}");
    // One `init` for all: each copy links its providers and lock file, so each validate only loads them.
    let base = root.path().join("_init");
    std::fs::create_dir(&base).unwrap();
    std::fs::write(
        base.join("versions.tf"),
        "terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.100\"\n    }\n  }\n}\n",
    )
    .unwrap();
    let plugin_arg = format!("-plugin-dir={}", plugins.display());
    let init = run(&tf, &base, &["init", "-backend=false", "-input=false", "-no-color", &plugin_arg]);
    assert!(init.status.success(), "terraform init:\n{}", text(&init));
    let copies: Vec<PathBuf> = aws
        .iter()
        .map(|name| {
            let (from, to) = (root.path().join(name), root.path().join(format!("_validate_{name}")));
            std::fs::create_dir(&to).unwrap();
            for entry in std::fs::read_dir(&from).unwrap() {
                let entry = entry.unwrap();
                let body = std::fs::read_to_string(entry.path()).unwrap();
                std::fs::write(to.join(entry.file_name()), relax_aws_pin(&body)).unwrap();
            }
            std::os::unix::fs::symlink(base.join(".terraform"), to.join(".terraform")).unwrap();
            std::fs::copy(base.join(".terraform.lock.hcl"), to.join(".terraform.lock.hcl")).unwrap();
            to
        })
        .collect();
    // Each validate loads the 700 MB provider; two at a time on a two-core machine.
    let failures: Vec<String> = copies
        .chunks(2)
        .flat_map(|pair| {
            let handles: Vec<_> = pair
                .iter()
                .cloned()
                .map(|dir| {
                    let tf = tf.clone();
                    std::thread::spawn(move || {
                        let out = run(&tf, &dir, &["validate", "-no-color"]);
                        (!out.status.success()).then(|| format!("{}:\n{}", dir.display(), text(&out)))
                    })
                })
                .collect();
            handles.into_iter().filter_map(|h| h.join().unwrap()).collect::<Vec<_>>()
        })
        .collect();
    assert!(failures.is_empty(), "terraform validate failed:\n{}", failures.join("\n"));
    eprintln!("terraform fmt: {} variants; terraform validate: {} AWS variants", variants.len(), copies.len());
}

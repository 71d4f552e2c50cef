//! The AWS output applied, not only validated: a project with two VMs on a network, a bucket, a
//! database whose clients are the VMs and a load balancer targeting them is applied with the real
//! `terraform` and hashicorp/aws against moto's AWS emulator (`moto_server`, from PyPI in `.ci`'s
//! virtual environment), started here on a free port. The provider's endpoints point at it through
//! a test-only `zz_emulator_override.tf`; nothing of the emulator is in the product. Then a second
//! plan must find nothing to change, and the project goes the way the bot takes it down: the
//! resources decommissioned (protection lifted, as a first `/cloud-destroy` writes them), applied,
//! then destroyed.
//!
//! What the emulator lacks is set aside here, by name, and only that: an attribute whose API it
//! does not implement is overridden in the test's own override file ([`UNSUPPORTED`]), and a
//! difference the emulator reads back where AWS does not is accepted on the second plan only for
//! the attribute named ([`EMULATOR_DRIFT`]); any other change fails the test.
//!
//! Without terraform, the provider mirror or `moto_server` the test says so and passes, unless
//! `CLOUD_CHATOPS_REQUIRE_MOTO=1` (`.ci/run` sets it).

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cloud_chatops::domain::{Provider, ResourceKind};
use cloud_chatops::terraform::ProjectSpec;
use common::tf::{on_path, plugin_dir, relax_aws_pin, run, text};
use common::*;

/// `moto_server`: `CLOUD_CHATOPS_MOTO`, else `.ci/venv`'s, else one on PATH.
fn moto_server() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CLOUD_CHATOPS_MOTO") {
        return Some(p.into());
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/venv/bin/moto_server");
    if venv.is_file() { Some(venv) } else { on_path("moto_server") }
}

/// The emulator, stopped when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    fn start(bin: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(bin)
            // AWS's managed policies (AmazonSSMManagedInstanceCore, AmazonRDSEnhancedMonitoringRole,
            // the EKS ones) exist in every account; moto loads them only when asked.
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let moto = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every AWS service the output calls, pointed at the emulator.
const SERVICES: &[&str] =
    &["ec2", "elbv2", "iam", "kms", "logs", "rds", "s3", "secretsmanager", "ssm", "sts", "cloudwatch", "eks", "wafv2"];

/// The test-only provider settings: fake credentials, no account lookups, every endpoint the
/// emulator's. Terraform merges `*_override.tf` into the configuration's provider block.
fn override_file(port: u16) -> String {
    let endpoints: String = SERVICES.iter().map(|s| format!("    {s} = \"http://127.0.0.1:{port}\"\n")).collect();
    format!(
        "provider \"aws\" {{\n  access_key                  = \"test\"\n  secret_key                  = \"test\"\n  \
         skip_credentials_validation = true\n  skip_metadata_api_check     = true\n  \
         skip_requesting_account_id  = true\n  s3_use_path_style           = true\n  endpoints {{\n{endpoints}  }}\n}}\n"
    )
}

/// Attributes whose API the emulator lacks: (resource type, attribute, the value written in the
/// test's override instead, why). Everything else the project's Terraform holds is applied as is.
const UNSUPPORTED: &[(&str, &str, &str, &str)] = &[(
    "aws_instance",
    "monitoring",
    "false",
    "detailed monitoring calls MonitorInstances, which moto does not implement (the provider retries it until it times out)",
)];

/// What the emulator reads back unlike AWS, so a second plan shows it as a change although the
/// configuration and the real API agree: (resource type, attribute, why).
const EMULATOR_DRIFT: &[(&str, &str, &str)] = &[
    (
        "aws_db_parameter_group",
        "parameter",
        "moto reads the group back without the parameters it was given, so each one plans again",
    ),
    (
        "aws_vpc_security_group_ingress_rule",
        "referenced_security_group_id",
        "moto reads a referenced group back as `<account>/sg-…`, AWS as `sg-…` within one account",
    ),
    (
        "aws_vpc_security_group_egress_rule",
        "referenced_security_group_id",
        "moto reads a referenced group back as `<account>/sg-…`, AWS as `sg-…` within one account",
    ),
    (
        "aws_vpc_security_group_ingress_rule",
        "description",
        "moto reads a rule that references a security group back without its description",
    ),
    (
        "aws_vpc_security_group_egress_rule",
        "description",
        "moto reads a rule that references a security group back without its description",
    ),
];

/// The project the issue names: VMs on a network, a bucket, a database and a load balancer with
/// targets (the `web` stack plus the `worker` stack's bucket).
fn project() -> ProjectSpec {
    let mut spec = web_stack(Provider::Aws);
    spec.resources.push(resource(Provider::Aws, ResourceKind::Storage, "shop-assets", default_region(Provider::Aws)));
    spec
}

fn write(spec: &ProjectSpec, dir: &Path, port: u16) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "tf") {
            std::fs::remove_file(path).unwrap();
        }
    }
    for f in cloud_chatops::terraform::render(spec).unwrap() {
        if !f.name.ends_with(".tf") {
            continue;
        }
        std::fs::write(dir.join(&f.name), relax_aws_pin(&f.contents)).unwrap();
    }
    let mut overrides = override_file(port);
    for (_, ty, label, _) in resources(spec) {
        for (_, attribute, value, _) in UNSUPPORTED.iter().filter(|(t, ..)| *t == ty) {
            overrides.push_str(&format!("\nresource \"{ty}\" \"{label}\" {{\n  {attribute} = {value}\n}}\n"));
        }
    }
    std::fs::write(dir.join("zz_emulator_override.tf"), overrides).unwrap();
}

/// Runs terraform, which must succeed, and answers its standard output (warnings go to stderr).
fn must(tf: &Path, dir: &Path, what: &str, args: &[&str]) -> String {
    let out = run(tf, dir, args);
    assert!(out.status.success(), "terraform {what} failed:\n{}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn aws_output_applies_against_an_emulator_plans_clean_and_destroys() {
    let required = std::env::var("CLOUD_CHATOPS_REQUIRE_MOTO").is_ok_and(|v| v == "1");
    let (Some(tf), Some(plugins), Some(moto_bin)) = (on_path("terraform"), plugin_dir(), moto_server()) else {
        assert!(!required, "CLOUD_CHATOPS_REQUIRE_MOTO=1 but terraform, the provider mirror or moto_server is missing");
        eprintln!("terraform, hashicorp/aws in the mirror or moto_server missing: not run");
        return;
    };
    let moto = Moto::start(&moto_bin);
    let dir = tempfile::tempdir().unwrap();
    let live = project();
    write(&live, dir.path(), moto.port);
    let plugin_arg = format!("-plugin-dir={}", plugins.display());
    must(&tf, dir.path(), "init", &["init", "-input=false", "-no-color", &plugin_arg]);

    let applied = must(&tf, dir.path(), "apply", &["apply", "-auto-approve", "-input=false", "-no-color"]);
    let state = must(&tf, dir.path(), "state list", &["state", "list"]);
    for want in [
        "aws_instance.shop-vm-1",
        "aws_instance.shop-vm-2",
        "aws_db_instance.shop-db",
        "aws_lb.shop-lb",
        "aws_s3_bucket.shop-assets",
    ] {
        assert!(state.lines().any(|l| l == want), "{want} not applied:\n{state}\n{applied}");
    }

    // Applied as written, a second plan finds nothing to do but what the emulator reads back
    // unlike AWS.
    let plan = run(&tf, dir.path(), &["plan", "-detailed-exitcode", "-input=false", "-no-color", "-out=again"]);
    assert!(matches!(plan.status.code(), Some(0 | 2)), "second plan failed:\n{}", text(&plan));
    let shown = must(&tf, dir.path(), "show", &["show", "-json", "again"]);
    let unexpected = changes_besides_drift(&shown);
    assert!(unexpected.is_empty(), "a second plan wants changes: {unexpected:?}\n{}", text(&plan));

    // Down as the bot takes it: protection lifted, applied, then destroyed.
    let mut decommissioned = live.clone();
    for r in &mut decommissioned.resources {
        r.decommissioning = true;
    }
    write(&decommissioned, dir.path(), moto.port);
    must(&tf, dir.path(), "apply (decommissioned)", &["apply", "-auto-approve", "-input=false", "-no-color"]);
    must(&tf, dir.path(), "destroy", &["destroy", "-auto-approve", "-input=false", "-no-color"]);
    let left = must(&tf, dir.path(), "state list", &["state", "list"]);
    assert!(left.trim().is_empty(), "left in state after destroy:\n{left}");
}

/// Each planned change of `plan` (`terraform show -json`) as `address: attribute`, but for the
/// attributes [`EMULATOR_DRIFT`] names for its type. A resource to create, replace or delete is
/// listed whole.
fn changes_besides_drift(plan: &str) -> Vec<String> {
    let plan: serde_json::Value = serde_json::from_str(plan).unwrap();
    let mut out = Vec::new();
    for rc in plan["resource_changes"].as_array().into_iter().flatten() {
        let (address, ty, change) = (rc["address"].as_str().unwrap(), rc["type"].as_str().unwrap(), &rc["change"]);
        let actions: Vec<&str> = change["actions"].as_array().unwrap().iter().filter_map(|a| a.as_str()).collect();
        match actions.as_slice() {
            ["no-op"] | ["read"] => {}
            ["update"] => {
                let (before, after) = (change["before"].as_object().unwrap(), change["after"].as_object().unwrap());
                for (key, new) in after {
                    let drift = EMULATOR_DRIFT.iter().any(|(t, a, _)| *t == ty && a == key);
                    if before.get(key) != Some(new) && !drift {
                        out.push(format!("{address}: {key} {:?} -> {new}", before.get(key)));
                    }
                }
            }
            other => out.push(format!("{address}: {other:?}")),
        }
    }
    out
}

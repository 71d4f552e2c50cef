//! Every resource block the generator can emit, checked against the pinned providers' schemas
//! (`terraform providers schema -json` output kept in `shared/provider-schemas/`).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use cloud_chatops::domain::{Provider, ResourceKind};
use common::*;
use serde_json::Value;

/// Meta-arguments Terraform accepts on every resource, outside the provider schema.
const META_ATTRS: [&str; 4] = ["count", "for_each", "provider", "depends_on"];
const META_BLOCKS: [&str; 3] = ["lifecycle", "connection", "provisioner"];

fn schemas_dir() -> PathBuf {
    let complete = |d: &PathBuf| d.join("google").is_dir() && d.join("aws").is_dir() && d.join("azurerm").is_dir();
    // An explicit override must be right: falling back would test against other schemas.
    if let Some(dir) = std::env::var_os("PROVIDER_SCHEMAS_DIR") {
        let dir = PathBuf::from(dir);
        assert!(complete(&dir), "PROVIDER_SCHEMAS_DIR={} has no google/, aws/ and azurerm/", dir.display());
        return dir;
    }
    let candidates: [PathBuf; 2] = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/provider-schemas").into(),
        "/work/shared/provider-schemas".into(),
    ];
    candidates
        .iter()
        .find(|d| complete(d))
        .cloned()
        .unwrap_or_else(|| panic!("provider schemas not found; looked in {candidates:?} (set PROVIDER_SCHEMAS_DIR)"))
}

fn load_schema(resource_type: &str) -> Result<Value, String> {
    let provider = resource_type.split('_').next().unwrap_or_default();
    let file = format!("{resource_type}.json");
    let mut path = schemas_dir().join(provider).join(&file);
    // Schemas the shared set lacks, kept beside the tests (tests/schemas/README.md says whence).
    let extra = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas").join(provider).join(&file);
    if !path.is_file() && extra.is_file() {
        path = extra;
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("no schema for {resource_type} ({e})"))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("bad schema {}: {e}", path.display()))?;
    Ok(doc["block"].clone())
}

/// Checks `body` against a schema `block`, pushing one message per violation.
fn check_block(at: &str, body: &hcl::Body, schema: &Value, top: bool, errors: &mut Vec<String>) {
    let attrs = &schema["attributes"];
    let blocks = &schema["block_types"];
    for a in body.attributes() {
        let key = a.key();
        if top && META_ATTRS.contains(&key) {
            continue;
        }
        let Some(s) = attrs.get(key) else {
            errors.push(format!("{at}: unknown attribute `{key}`"));
            continue;
        };
        let flag = |f: &str| s.get(f).and_then(Value::as_bool).unwrap_or(false);
        if flag("deprecated") {
            errors.push(format!("{at}: deprecated attribute `{key}`"));
        }
        if flag("computed") && !flag("optional") && !flag("required") {
            errors.push(format!("{at}: `{key}` is read-only"));
        }
        if let Some(ty) = s.get("type")
            && let Err(e) = type_fits(a.expr(), ty)
        {
            errors.push(format!("{at}: `{key}` {e}"));
        }
    }
    if let Some(map) = attrs.as_object() {
        for (key, s) in map {
            if s.get("required").and_then(Value::as_bool).unwrap_or(false) && !body.attributes().any(|a| a.key() == key)
            {
                errors.push(format!("{at}: missing required attribute `{key}`"));
            }
        }
    }
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for b in body.blocks() {
        let ident = b.identifier();
        if top && META_BLOCKS.contains(&ident) {
            continue;
        }
        // Terraform's `dynamic "<block>" { for_each = …; content { … } }` writes zero or more
        // `<block>`s: its content is checked as that block, and it counts as none (it may be empty).
        if ident == "dynamic" {
            let Some(name) = b.labels().first().map(|l| l.as_str()) else {
                errors.push(format!("{at}: `dynamic` without the name of its block"));
                continue;
            };
            let Some(bt) = blocks.get(name) else {
                errors.push(format!("{at}: unknown block `{name}` (dynamic)"));
                continue;
            };
            let content: Vec<&hcl::Block> = b.body().blocks().filter(|c| c.identifier() == "content").collect();
            if content.len() != 1 || b.body().attributes().all(|a| a.key() != "for_each") {
                errors.push(format!("{at}: dynamic `{name}` needs for_each and one content block"));
            }
            for c in content {
                check_block(&format!("{at}.{name}"), c.body(), &bt["block"], false, errors);
            }
            continue;
        }
        *counts.entry(ident).or_default() += 1;
        let Some(bt) = blocks.get(ident) else {
            errors.push(format!("{at}: unknown block `{ident}`"));
            continue;
        };
        if !b.labels().is_empty() {
            errors.push(format!("{at}: nested block `{ident}` must not have labels"));
        }
        if bt["block"].get("deprecated").and_then(Value::as_bool).unwrap_or(false) {
            errors.push(format!("{at}: deprecated block `{ident}`"));
        }
        check_block(&format!("{at}.{ident}"), b.body(), &bt["block"], false, errors);
    }
    if let Some(map) = blocks.as_object() {
        for (ident, bt) in map {
            let n = counts.get(ident.as_str()).copied().unwrap_or(0);
            let min = bt.get("min_items").and_then(Value::as_u64).unwrap_or(0);
            let mut max = bt.get("max_items").and_then(Value::as_u64).unwrap_or(0);
            if bt["nesting_mode"] == "single" || bt["nesting_mode"] == "group" {
                max = 1;
            }
            if n < min {
                errors.push(format!("{at}: block `{ident}` needs at least {min}, has {n}"));
            }
            if max > 0 && n > max {
                errors.push(format!("{at}: block `{ident}` allows at most {max}, has {n}"));
            }
        }
    }
}

/// Whether a literal value can convert to the schema type, as Terraform would convert it.
/// References, function calls and templates are not evaluated and pass.
fn type_fits(expr: &hcl::Expression, ty: &Value) -> Result<(), String> {
    use hcl::Expression as E;
    let kind = ty.as_str().unwrap_or_else(|| ty[0].as_str().unwrap_or_default());
    let fits = match (expr, kind) {
        (E::String(_), "string") | (E::Number(_) | E::Bool(_), "string") => true,
        (E::String(v), "number") => v.parse::<f64>().is_ok(),
        (E::String(v), "bool") => v == "true" || v == "false",
        (E::Number(_), "number") | (E::Bool(_), "bool") => true,
        (E::Array(items), "list" | "set") => {
            return items.iter().try_for_each(|item| type_fits(item, &ty[1]));
        }
        (E::Object(_), "map" | "object") => true,
        (E::String(_) | E::Number(_) | E::Bool(_) | E::Array(_) | E::Object(_), _) => false,
        _ => true,
    };
    if fits { Ok(()) } else { Err(format!("has a value of the wrong type for {ty}: {expr}")) }
}

fn violations(spec: &cloud_chatops::terraform::ProjectSpec) -> Vec<String> {
    let mut errors = Vec::new();
    for (file, ty, label, body) in resources(spec) {
        let at = format!("{file}: {ty}.{label}");
        match load_schema(&ty) {
            Ok(schema) => check_block(&at, &body, &schema, true, &mut errors),
            Err(e) => errors.push(format!("{at}: {e}")),
        }
    }
    errors
}

#[test]
fn every_emitted_resource_matches_its_provider_schema() {
    for provider in PROVIDERS {
        let errors = violations(&everything(provider));
        assert!(errors.is_empty(), "{provider}: {} schema violations:\n{}", errors.len(), errors.join("\n"));
    }
}

#[test]
fn every_variant_matches_the_schema() {
    let variants = variants();
    for (name, spec) in &variants {
        let errors = violations(spec);
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    }
    assert!(variants.len() >= 27);
}

#[test]
fn a_public_database_matches_the_schema() {
    for provider in [Provider::Gcp, Provider::Azure] {
        let errors = violations(&public_database(provider));
        assert!(errors.is_empty(), "{provider}:\n{}", errors.join("\n"));
    }
}

#[test]
fn each_kind_alone_matches_the_schema() {
    for provider in PROVIDERS {
        for kind in ResourceKind::ALL {
            let errors = violations(&single(provider, *kind));
            assert!(errors.is_empty(), "{provider}/{kind}:\n{}", errors.join("\n"));
        }
    }
}

#[test]
fn resources_that_take_labels_or_tags_carry_the_chatops_ones() {
    for provider in PROVIDERS {
        let spec = everything(provider);
        let mut checked = 0;
        for (file, ty, label, body) in resources(&spec) {
            let schema = load_schema(&ty).unwrap();
            // GCP `tags` are network tags; its key/value labels are `labels`.
            let keys: &[&str] = if provider == Provider::Gcp { &["labels"] } else { &["tags"] };
            for key in keys.iter().copied() {
                let settable = schema["attributes"][key]["optional"].as_bool().unwrap_or(false);
                if !settable {
                    continue;
                }
                let value = attr(&body, key).unwrap_or_else(|| panic!("{file}: {ty}.{label} has no {key}"));
                assert_eq!(map_get(value, "created_by").as_deref(), Some("chatops"), "{ty}.{label}");
                assert_eq!(
                    map_get(value, "chatops_project").as_deref(),
                    Some(spec.project_id.as_str()),
                    "{ty}.{label}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 5, "{provider}: only {checked} labelled resources");
    }
}

#[test]
fn the_schema_checker_catches_what_it_claims_to() {
    let schema = load_schema("aws_s3_bucket_versioning").unwrap();
    let bad = hcl::parse("bucket = \"x\"\nacl = \"private\"\nexpected_bucket_owner = \"1\"\nfoo {}\n").unwrap();
    let mut errors = Vec::new();
    check_block("t", &bad, &schema, true, &mut errors);
    let all = errors.join("\n");
    assert!(all.contains("unknown attribute `acl`"), "{all}");
    assert!(all.contains("deprecated attribute `expected_bucket_owner`"), "{all}");
    assert!(all.contains("unknown block `foo`"), "{all}");
    assert!(all.contains("`versioning_configuration` needs at least 1"), "{all}");
    // A dynamic block's content is checked as the block it writes.
    let cluster = load_schema("google_container_cluster").unwrap();
    let dynamic = hcl::parse(
        "name = \"c\"\nmaster_authorized_networks_config {\n  dynamic \"cidr_blocks\" {\n    for_each = []\n    \
         content {\n      cidr = \"x\"\n    }\n  }\n  dynamic \"nope\" {\n    for_each = []\n    content {}\n  }\n}\n",
    )
    .unwrap();
    let mut errors = Vec::new();
    check_block("t", &dynamic, &cluster, true, &mut errors);
    let all = errors.join("\n");
    assert!(all.contains("cidr_blocks: missing required attribute `cidr_block`"), "{all}");
    assert!(all.contains("cidr_blocks: unknown attribute `cidr`"), "{all}");
    assert!(all.contains("unknown block `nope` (dynamic)"), "{all}");
    let wrong_types =
        hcl::parse("bucket = [\"x\"]\nversioning_configuration {\nstatus = true\nmfa_delete = \"Enabled\"\n}\n")
            .unwrap();
    let mut errors = Vec::new();
    check_block("t", &wrong_types, &schema, true, &mut errors);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("`bucket` has a value of the wrong type"), "{errors:?}");
    let eks = load_schema("aws_eks_node_group").unwrap();
    let body = hcl::parse("instance_types = \"t3.medium\"\ncapacity_type = 1\ndisk_size = \"x\"\n").unwrap();
    let mut errors = Vec::new();
    check_block("t", &body, &eks, false, &mut errors);
    assert!(errors.iter().any(|e| e.contains("`instance_types`")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("`disk_size`")), "{errors:?}");
    assert!(!errors.iter().any(|e| e.contains("`capacity_type`")), "a number converts to a string: {errors:?}");
    let missing = hcl::parse("versioning_configuration {\nstatus = \"Enabled\"\n}\n").unwrap();
    let mut errors = Vec::new();
    check_block("t", &missing, &schema, true, &mut errors);
    assert_eq!(errors, vec!["t: missing required attribute `bucket`".to_owned()]);
    assert!(load_schema("aws_not_a_resource").is_err());
}

#[test]
fn schemas_dir_is_found() {
    assert!(schemas_dir().join("google/google_compute_instance.json").is_file());
    assert!(matches!(Provider::ALL.len(), 3));
}

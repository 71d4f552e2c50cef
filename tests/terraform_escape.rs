//! Property tests: whatever text reaches a template comes back unchanged from a real HCL parser
//! and never changes the shape of the configuration; names that break provider rules never
//! get as far as a template.

mod common;

use cloud_chatops::domain::{MachineType, Provider, Region, ResourceKind, ResourceName};
use cloud_chatops::terraform::{ProjectSpec, render};
use common::*;
use proptest::prelude::*;

/// Text built from the dangerous pieces (quotes, template introducers, escapes, newlines,
/// control characters) mixed with arbitrary unicode.
fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just("${".to_owned()),
        Just("%{".to_owned()),
        Just("$${".to_owned()),
        Just("}".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\t".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\u{1b}[31m".to_owned()),
        Just("\u{2028}".to_owned()),
        Just("#".to_owned()),
        Just("//".to_owned()),
        Just("/*".to_owned()),
        Just("\"\n}\nresource \"null\" \"x\" {\n".to_owned()),
        Just("<<EOF\n".to_owned()),
        any::<char>().prop_map(String::from),
        "[a-z ]{1,5}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

/// The shape of a body: every attribute key and block (with labels), recursively.
fn shape(body: &hcl::Body, at: &str, out: &mut Vec<String>) {
    for a in body.attributes() {
        out.push(format!("{at}{}=", a.key()));
    }
    for b in body.blocks() {
        let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
        let here = format!("{at}{}{labels:?}.", b.identifier());
        out.push(here.clone());
        shape(b.body(), &here, out);
    }
}

fn shapes(spec: &ProjectSpec) -> Vec<(String, Vec<String>)> {
    render(spec)
        .unwrap()
        .iter()
        .map(|f| {
            let mut out = Vec::new();
            shape(&parse(f), "", &mut out);
            (f.name.clone(), out)
        })
        .collect()
}

fn output_value(spec: &ProjectSpec, output: &str) -> hcl::Expression {
    let files = render_parsed(spec);
    let (_, body) = files.iter().find(|(f, _)| f == "outputs.tf").unwrap();
    let block = body
        .blocks()
        .find(|b| b.labels().first().map(|l| l.as_str()) == Some(output))
        .unwrap_or_else(|| panic!("no output {output}"));
    attr(block.body(), "value").unwrap().clone()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn project_name_round_trips_and_never_changes_the_shape(name in hostile_text()) {
        for provider in PROVIDERS {
            let mut baseline = everything(provider);
            baseline.project_name = "x".to_owned();
            let mut hostile = baseline.clone();
            hostile.project_name = name.clone();
            prop_assert_eq!(shapes(&hostile), shapes(&baseline));
            prop_assert_eq!(output_value(&hostile, "chatops_project_name"), s(&name));
            if provider == Provider::Gcp {
                for (_, ty, _, body) in resources(&hostile) {
                    if ty == "google_compute_instance" || ty == "google_compute_network" {
                        let want = format!("chatops: {name}");
                        prop_assert_eq!(attr(&body, "description"), Some(&s(&want)));
                    }
                }
            }
        }
    }

    #[test]
    fn accepted_names_are_plain_and_give_identifier_labels(raw in "\\PC{0,70}|[a-z0-9._-]{1,70}") {
        for provider in PROVIDERS {
            for kind in ResourceKind::ALL {
                if let Ok(name) = ResourceName::parse(provider, *kind, &raw) {
                    prop_assert!(raw.len() <= 64);
                    prop_assert!(raw.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)), "{raw:?}");
                    let label = name.tf_label();
                    prop_assert!(label.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'));
                    prop_assert!(label.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
                }
            }
            if Region::parse(provider, &raw).is_ok() {
                prop_assert!(raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c)));
            }
            if MachineType::parse(provider, &raw).is_ok() {
                prop_assert!(raw.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)));
            }
        }
    }

    #[test]
    fn hostile_names_are_refused_with_a_reason(raw in hostile_text()) {
        let hostile = raw.chars().any(|c| "\"\\${}%\n\r\t #/<".contains(c) || c.is_control() || !c.is_ascii());
        for provider in PROVIDERS {
            for kind in ResourceKind::ALL {
                let parsed = ResourceName::parse(provider, *kind, &raw);
                if hostile {
                    let err = parsed.unwrap_err();
                    prop_assert!(err.expected.contains("expected"), "{}", err);
                }
            }
        }
    }
}

#[test]
fn a_known_breakout_attempt_stays_a_string() {
    let mut spec = everything(Provider::Aws);
    spec.project_name =
        "x\"\n}\nresource \"aws_instance\" \"evil\" {\n  ami = \"${file(\"/etc/passwd\")}\"\n".to_owned();
    assert_eq!(output_value(&spec, "chatops_project_name"), s(&spec.project_name));
    assert!(!resources(&spec).iter().any(|(_, _, label, _)| label == "evil"));
}

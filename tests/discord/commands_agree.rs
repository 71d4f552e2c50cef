//! The command specs are the one definition of every option; the parser, the Discord registration
//! and the console's help are derived from them. These tests check the three against each other
//! from the outside: every option Discord registers is accepted by the parser within the same
//! limits and refused beyond them, nothing unregistered is accepted, and the help lists the same
//! options with the same limits.

use cloud_chatops::commands::Command;
use cloud_chatops::console::help;
use cloud_chatops::discord::register;
use serde_json::Value;

/// One invocable form as Discord registers it: `cloud-policy add` and its options.
struct Form {
    name: String,
    options: Vec<Value>,
}

fn registered() -> Vec<Form> {
    let mut forms = Vec::new();
    for command in register::commands() {
        let json = serde_json::to_value(command).unwrap();
        let name = json["name"].as_str().unwrap().to_owned();
        let options = json["options"].as_array().cloned().unwrap_or_default();
        if options.iter().any(|o| o["type"] == 1) {
            for sub in options {
                let sub_options = sub["options"].as_array().cloned().unwrap_or_default();
                forms.push(Form { name: format!("{name} {}", sub["name"].as_str().unwrap()), options: sub_options });
            }
        } else {
            forms.push(Form { name, options });
        }
    }
    forms
}

fn name(o: &Value) -> String {
    o["name"].as_str().unwrap().to_owned()
}

/// The option's fixed choices, if it has any (serenity writes an empty list for none).
fn choices(o: &Value) -> Option<&Vec<Value>> {
    o["choices"].as_array().filter(|c| !c.is_empty())
}

fn bound(o: &Value, key: &str) -> Option<f64> {
    o[key].as_f64()
}

/// A value the registration says is valid.
fn valid(o: &Value) -> String {
    match o["type"].as_u64().unwrap() {
        3 => match choices(o) {
            Some(choices) => choices[0]["value"].as_str().unwrap().to_owned(),
            None => "a".to_owned(),
        },
        4 => (bound(o, "min_value").unwrap_or(1.0).max(1.0) as i64).to_string(),
        10 => bound(o, "min_value").unwrap_or(0.0).to_string(),
        5 => "true".to_owned(),
        6 => "42".to_owned(),
        other => panic!("unexpected option type {other} in {o}"),
    }
}

fn required(form: &Form) -> Vec<(String, String)> {
    form.options.iter().filter(|o| o["required"] == true).map(|o| (name(o), valid(o))).collect()
}

fn with(form: &Form, option: &str, value: String) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = required(form).into_iter().filter(|(k, _)| k != option).collect();
    pairs.push((option.to_owned(), value));
    pairs
}

#[test]
fn every_registered_option_parses_within_its_limits_and_is_refused_beyond_them() {
    let forms = registered();
    assert!(forms.len() >= 10, "{} forms", forms.len());
    let mut checked = 0;
    for form in &forms {
        let parsed = Command::from_options(&form.name, &required(form));
        assert!(parsed.is_ok(), "/{} with its required options: {parsed:?}", form.name);
        for o in &form.options {
            let option = name(o);
            let refused = |value: String, why: &str| {
                let err = Command::from_options(&form.name, &with(form, &option, value.clone()));
                let err = err.expect_err(&format!("/{} {option}:{value} ({why}) must be refused", form.name)).0;
                assert!(err.contains(&option), "/{} {option}:{value}: `{err}` names the option", form.name);
            };
            let accepted = |value: String| {
                let ok = Command::from_options(&form.name, &with(form, &option, value.clone()));
                assert!(ok.is_ok(), "/{} {option}:{value}: {ok:?}", form.name);
            };
            accepted(valid(o));
            match o["type"].as_u64().unwrap() {
                3 => match choices(o) {
                    Some(choices) => {
                        for c in choices {
                            accepted(c["value"].as_str().unwrap().to_owned());
                        }
                        refused("not-a-choice".to_owned(), "not a choice");
                    }
                    None => {
                        let max = o["max_length"].as_u64().expect("text options have a max_length") as usize;
                        accepted("a".repeat(max));
                        refused("a".repeat(max + 1), "too long");
                    }
                },
                4 => {
                    let (min, max) = (bound(o, "min_value").unwrap() as i64, bound(o, "max_value").unwrap() as i64);
                    accepted(min.to_string());
                    refused((min - 1).to_string(), "below the minimum");
                    if max < 1 << 53 {
                        accepted(max.to_string());
                        refused((max + 1).to_string(), "above the maximum");
                    }
                    refused("1.5".to_owned(), "not whole");
                }
                10 => {
                    let min = bound(o, "min_value").unwrap();
                    refused(format!("{}", min - 0.5), "below the minimum");
                    refused("lots".to_owned(), "not a number");
                }
                5 => {
                    accepted("false".to_owned());
                    refused("maybe".to_owned(), "not a boolean");
                }
                6 => refused("bob".to_owned(), "not a member"),
                _ => {}
            }
            checked += 1;
        }
    }
    assert!(checked >= 25, "{checked} options checked");
}

#[test]
fn nothing_unregistered_is_accepted() {
    let forms = registered();
    let mut candidates: Vec<String> = forms.iter().flat_map(|f| f.options.iter().map(name)).collect();
    candidates.extend(["ingress", "access", "colour", "budget", "size", "nodes"].map(str::to_owned));
    candidates.sort();
    candidates.dedup();
    for form in &forms {
        for candidate in &candidates {
            if form.options.iter().any(|o| name(o) == *candidate) {
                continue;
            }
            let err = Command::from_options(&form.name, &with(form, candidate, "a".to_owned()));
            let err = err.expect_err(&format!("/{} accepts the unregistered `{candidate}`", form.name)).0;
            assert!(err.contains("has no option"), "/{} {candidate}: {err}", form.name);
        }
    }
    // The option that once was parsed but never registered is now registered.
    let deploy = forms.iter().find(|f| f.name == "cloud-deploy").unwrap();
    assert!(deploy.options.iter().any(|o| name(o) == "ingress"));
}

#[test]
fn the_help_lists_every_registered_option_with_its_limits() {
    let forms = registered();
    let help: Value = serde_json::from_str(&help::render(None, true)).unwrap();
    assert_eq!(help["kind"], "help");
    let text = help::render(None, false);
    let entries = help["commands"].as_array().unwrap();
    assert_eq!(entries.len(), forms.len(), "one help entry per registered form");
    for form in &forms {
        let entry = entries.iter().find(|e| e["name"] == form.name.as_str()).unwrap_or_else(|| panic!("{}", form.name));
        let usage = entry["usage"].as_str().unwrap();
        assert!(text.contains(usage), "the text help shows {usage}");
        let listed: Vec<&str> =
            entry["options"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
        let registered: Vec<String> = form.options.iter().map(name).collect();
        assert_eq!(listed, registered, "/{}", form.name);
        for (o, h) in form.options.iter().zip(entry["options"].as_array().unwrap()) {
            assert_eq!(h["required"], o["required"].as_bool().unwrap_or(false), "/{} {}", form.name, name(o));
            assert!(usage.contains(&format!("{}:", name(o))), "{usage} shows {}", name(o));
            let accepts = h["accepts"].as_str().unwrap();
            match o["type"].as_u64().unwrap() {
                3 if choices(o).is_some() => {
                    for c in choices(o).unwrap() {
                        assert!(accepts.contains(c["value"].as_str().unwrap()), "{accepts}");
                    }
                }
                3 => assert!(accepts.contains(&format!("at most {}", o["max_length"])), "{accepts}"),
                4 => {
                    let min = bound(o, "min_value").unwrap() as i64;
                    assert!(accepts.contains(&format!("from {min} to")), "{accepts}");
                }
                _ => {}
            }
        }
    }
    let deploy = help::render(Some("/cloud-deploy"), false);
    assert!(deploy.contains("ingress") && deploy.contains("from 1 to 10"), "{deploy}");
}

//! Hostile input at every edge a member reaches: the console line parser, the option parser shared
//! with Discord, button `custom_id`s, the resource-name rules and the generator's output path.
//! Nothing panics, oversized text is refused with a message saying so, and no project id or name
//! writes outside the root.
//! Console input is also fed as raw bytes (not UTF-8, control characters, line breaks anywhere)
//! through the console's own bounded line reader, and a control character is put in every position
//! of real command lines: each is refused or shown escaped, never echoed raw.
//! Case counts are fixed so RELIABILITY.md can quote them:
//! 5 × 2,000 + 3 × 500 + 256 + 2 × 1,000 = 13,756.

mod common;

use std::path::Path;

use cloud_chatops::commands::{Command, LobbyAction, MAX_VALUE_LEN};
use cloud_chatops::console::{BoundedLines, Input, MAX_LINE_LEN, parse_line, visible_lines};
use cloud_chatops::discord::custom_id;
use cloud_chatops::domain::{MachineType, ProjectId, Provider, Region, ResourceKind, ResourceName};
use cloud_chatops::terraform::{FsWriter, render, write_project};
use common::*;
use proptest::prelude::*;

/// Text biased towards what breaks parsers: quotes, colons, escapes, control characters, path
/// pieces, slash commands, and arbitrary unicode.
fn nasty() -> impl Strategy<Value = String> {
    nasty_of(40)
}

/// [`nasty`] with at most `pieces` pieces.
fn nasty_of(pieces: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just(":".to_owned()),
        Just(" ".to_owned()),
        Just("/cloud-deploy ".to_owned()),
        Just("/cloud-policy ".to_owned()),
        Just("/cloud-stack ".to_owned()),
        Just("/cloud-destroy ".to_owned()),
        Just("project_id:".to_owned()),
        Just("count:".to_owned()),
        Just("../".to_owned()),
        Just("/".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\n".to_owned()),
        Just("${".to_owned()),
        Just("<@!".to_owned()),
        Just("gcp-".to_owned()),
        "[0-9a-f]{1,8}",
        "-?[0-9]{1,25}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..pieces).prop_map(|v| v.concat())
}

fn option_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("project_id".to_owned()),
        Just("resource_type".to_owned()),
        Just("resource_name".to_owned()),
        Just("count".to_owned()),
        Just("node_count".to_owned()),
        Just("user".to_owned()),
        Just("budget_limit".to_owned()),
        Just("priority".to_owned()),
        Just("policy_id".to_owned()),
        Just("template".to_owned()),
        Just("name".to_owned()),
        Just("machine_type".to_owned()),
        Just("database_tier".to_owned()),
        nasty_of(6),
    ]
}

fn command_name() -> impl Strategy<Value = String> {
    prop_oneof![prop::sample::select(Command::NAMES.to_vec()).prop_map(str::to_owned), nasty()]
}

/// Every file and directory under `dir`, relative to it.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().unwrap().is_dir() {
            out.extend(tree(&entry.path()).into_iter().map(|child| format!("{name}/{child}")));
        }
        out.push(name);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn console_lines_never_panic(line in nasty()) {
        let _ = parse_line(&line);
    }

    #[test]
    fn options_never_panic(name in command_name(), pairs in prop::collection::vec((option_name(), nasty_of(12)), 0..8)) {
        let _ = Command::from_options(&name, &pairs);
    }

    #[test]
    fn names_never_panic_and_accepted_ones_are_one_plain_path_component(text in nasty()) {
        for provider in Provider::ALL {
            for kind in ResourceKind::ALL {
                if let Ok(name) = ResourceName::parse(*provider, *kind, &text) {
                    let s = name.as_str();
                    prop_assert!(!s.is_empty() && !s.contains(['/', '\\', '"', '\0', '\n', '$']) && s != "..", "{s:?}");
                }
            }
            let _ = (Region::parse(*provider, &text), MachineType::parse(*provider, &text));
        }
        if let Ok(id) = ProjectId::parse(&text) {
            prop_assert!(id.as_str().chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{id:?}");
        }
    }

    /// A button's `custom_id` comes back from Discord as the client sent it: anything but a
    /// well-formed id of this version is refused, and what is accepted formats back to itself.
    #[test]
    fn custom_ids_never_panic_and_only_canonical_ones_parse(raw in nasty(), id in any::<u128>(), cancel in any::<bool>()) {
        if let Some((session, action)) = custom_id::parse(&raw) {
            prop_assert_eq!(custom_id::format(session, action), raw.clone());
        }
        let action = if cancel { LobbyAction::Cancel } else { LobbyAction::Approve };
        let good = custom_id::format(uuid::Uuid::from_u128(id), action);
        prop_assert!(good.len() <= 100);
        prop_assert_eq!(custom_id::parse(&good), Some((uuid::Uuid::from_u128(id), action)));
        // Nothing appended to a genuine id survives: no smuggled suffix, no second action.
        let forged = format!("{good}{raw}");
        prop_assert!(raw.is_empty() || custom_id::parse(&forged).is_none(), "{:?}", forged);
    }

    #[test]
    fn long_option_values_are_refused_as_too_long(extra in 1usize..2_000, c in any::<char>()) {
        let value: String = std::iter::repeat_n(c, MAX_VALUE_LEN + extra).collect();
        let err = Command::from_options("cloud-quota", &[("project_id".into(), value)]).unwrap_err();
        prop_assert!(err.0.contains("too long"), "{err}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn long_console_lines_are_refused_as_too_long(extra in 1usize..20_000) {
        let line = format!("/cloud-quota project_id:{}", "a".repeat(MAX_LINE_LEN + extra));
        let err = parse_line(&line).unwrap_err();
        prop_assert!(err.0.contains("too long"), "{err}");
    }

    #[test]
    // The longest name any provider allows is 64 characters (see `domain::names`).
    fn long_names_are_refused_as_too_long(extra in 65usize..5_000) {
        let long = "a".repeat(extra);
        for provider in Provider::ALL {
            for kind in ResourceKind::ALL {
                let err = ResourceName::parse(*provider, *kind, &long).unwrap_err();
                prop_assert!(err.to_string().contains("too long"), "{provider} {kind}: {err}");
            }
        }
    }

    #[test]
    fn errors_quote_at_most_a_short_excerpt_of_the_input(junk in "[a-z]{5000}") {
        // A refused value echoed back whole would let one member flood a channel.
        let err = Command::from_options(&junk, &[]).unwrap_err();
        prop_assert!(err.0.len() < 600, "{} bytes", err.0.len());
        let err = ProjectId::parse(&junk).unwrap_err();
        prop_assert!(err.to_string().len() < 600, "{} bytes", err.to_string().len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever a member types as a project id or name, the generator writes exactly one directory,
    /// a direct child of the output root; ids that are not `<provider>-<6 hex>` never reach it.
    #[test]
    fn no_project_id_or_name_writes_outside_the_root(id in nasty(), name in nasty()) {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("out");
        let mut spec = single(Provider::Gcp, ResourceKind::Vm);
        spec.project_name = name;
        if let Ok(parsed) = ProjectId::parse(&id) {
            spec.project_id = parsed;
        }
        let dir = write_project(&root, spec.provider, &spec.project_id, &render(&spec).unwrap(), &FsWriter).unwrap().dir;
        prop_assert_eq!(dir.parent(), Some(root.as_path()));
        let outside: Vec<String> = tree(outer.path()).into_iter().filter(|p| p != "out" && !p.starts_with("out/")).collect();
        prop_assert!(outside.is_empty(), "written outside the root: {:?}", outside);
        let dirs: Vec<String> = tree(&root).into_iter().filter(|p| !p.contains('/')).collect();
        prop_assert_eq!(dirs, vec![format!("terraform_gcp_{}", spec.project_id)]);
    }
}

/// Control characters, including the terminal's dangerous ones (ESC, BEL, CSI) and line breaks.
fn control() -> impl Strategy<Value = char> {
    prop_oneof![
        Just('\u{1b}'),
        Just('\u{7}'),
        Just('\u{9b}'),
        Just('\u{0}'),
        Just('\r'),
        Just('\t'),
        Just('\u{8}'),
        Just('\u{7f}'),
        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
    ]
}

/// Lines the console and Discord really get.
const LINES: [&str; 7] = [
    "/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:web-01 machine_type:e2-small",
    "/cloud-stack project_id:gcp-abc123 template:web name:shop machine_type:e2-small",
    "/cloud-destroy project_id:gcp-abc123 resource_name:worker-01 resource_type:vm",
    "/cloud-resize project_id:gcp-abc123 resource_name:worker-01 machine_type:e2-medium",
    "/cloud-policy add name:\"no eu\" policy_type:region denied_values:europe-west1 priority:5",
    "approve 1b1e",
    "/cloud-grant user:<@!42> provider:gcp role:user regions:us-central1",
];

fn raw_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    /// Any bytes at all: the reader yields one answerable item per line (text, too long, or not
    /// UTF-8), holds at most the limit, and whatever is printed back carries no raw control character.
    #[test]
    fn console_bytes_of_any_kind_become_one_answer_per_line(
        chunks in prop::collection::vec(prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            Just(b"\n".to_vec()),
            Just(vec![0xff, 0xfe]),
            Just("é".as_bytes()[..1].to_vec()),
            (1usize..3 * MAX_LINE_LEN).prop_map(|n| vec![b'a'; n]),
        ], 0..24),
    ) {
        let bytes = chunks.concat();
        let expected = bytes.split(|b| *b == b'\n').count() - usize::from(bytes.is_empty() || bytes.ends_with(b"\n"));
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let items = runtime.block_on(async {
            let mut lines = BoundedLines::new(tokio::io::BufReader::with_capacity(512, bytes.as_slice()));
            let mut items = Vec::new();
            while let Some(item) = lines.next().await.unwrap() {
                items.push(item);
            }
            items
        });
        prop_assert_eq!(items.len(), expected);
        for item in items {
            if let Input::Line(line) = item {
                prop_assert!(line.len() <= MAX_LINE_LEN);
                let text = match parse_line(&line) {
                    Ok(_) => continue,
                    Err(e) => cloud_chatops::console::render(&cloud_chatops::commands::Reply::error(e.to_string()), false),
                };
                prop_assert!(!raw_control(&text) && !text.contains('\n'), "{:?}", text);
            }
        }
    }

    /// A control character in every position of real command lines: refused (an error, shown
    /// escaped) or, between options, taken as the whitespace it is; an option value never keeps one.
    #[test]
    fn a_control_character_in_every_position_is_refused_or_escaped(c in control()) {
        for line in LINES {
            for at in 0..=line.len() {
                if !line.is_char_boundary(at) {
                    continue;
                }
                let hostile = format!("{}{c}{}", &line[..at], &line[at..]);
                match parse_line(&hostile) {
                    Ok(cloud_chatops::console::Line::Command(command)) => {
                        // Debug shows a control character escaped, exactly as `escape_debug` writes it.
                        let shown = format!("{command:?}");
                        let escaped = c.escape_debug().to_string();
                        prop_assert!(!shown.contains(&escaped), "a value kept {:?}: {:?} -> {}", c, hostile, shown);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let text = cloud_chatops::console::render(&cloud_chatops::commands::Reply::error(e.to_string()), false);
                        prop_assert!(!raw_control(&text), "{:?} -> {:?}", hostile, text);
                    }
                }
                prop_assert!(!raw_control(&visible_lines(&hostile)));
            }
        }
    }
}

//! The layering ARCHITECTURE.md promises, read off the source: which module may name which, who may
//! import serenity, who may build SQL, who may hold a database handle. A new arrow back up the
//! layers fails here with the file and the line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The code of a file without its comments (doc comments name other layers freely).
fn code(path: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split("//").next().unwrap_or_default().to_owned()))
        .collect()
}

/// The top-level modules a line names through `crate::` (`crate::store`, `crate::{seed, store}`).
fn crate_modules(line: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: what precedes `::` or `,` at depth 0.
            let (mut depth, mut name, mut expecting) = (0, String::new(), true);
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => expecting = true,
                    c if depth == 0 && expecting && (c.is_alphanumeric() || c == '_') => name.push(c),
                    _ => {
                        if !name.is_empty() {
                            out.insert(std::mem::take(&mut name));
                        }
                        if depth == 0 && c != ' ' {
                            expecting = false;
                        }
                    }
                }
            }
            if !name.is_empty() {
                out.insert(name);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            out.insert(name);
        }
    }
    out
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every line of `layer` (a folder or file under `src/`) that names a forbidden module.
fn arrows_from(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let dir = root().join("src").join(layer);
    let files = if dir.is_dir() { sources(&dir) } else { vec![root().join("src").join(format!("{layer}.rs"))] };
    let mut found = Vec::new();
    for file in files {
        for (n, line) in code(&file) {
            for module in crate_modules(&line) {
                if forbidden.contains(&module.as_str()) {
                    found.push(format!("{}:{n}: crate::{module}", file.strip_prefix(root()).unwrap().display()));
                }
            }
        }
    }
    found
}

/// Lines anywhere under `src/` outside `allowed` (path prefixes) that contain `needle`.
fn uses_outside(needles: &[&str], allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in sources(&root().join("src")) {
        let rel = file.strip_prefix(root()).unwrap().display().to_string();
        if allowed.iter().any(|a| rel.starts_with(a)) {
            continue;
        }
        for (n, line) in code(&file) {
            if let Some(needle) = needles.iter().find(|needle| line.contains(*needle)) {
                found.push(format!("{rel}:{n}: {needle}"));
            }
        }
    }
    found
}

#[test]
fn the_parser_reads_grouped_and_plain_paths() {
    let names = |l: &str| crate_modules(l).into_iter().collect::<Vec<_>>();
    assert_eq!(names("use crate::{console::Line, seed, store};"), ["console", "seed", "store"]);
    assert_eq!(names("use crate::store::{self, json::JsonText};"), ["store"]);
    assert_eq!(names("let x = crate::domain::Money::ZERO + crate::terraform::f();"), ["domain", "terraform"]);
    assert_eq!(names("use crate::{a::{b, c}, d};"), ["a", "d"]);
}

/// Every top-level module of `src/`, for the rules that forbid all but a few.
const LAYERS: &[&str] = &[
    "store",
    "actors",
    "commands",
    "console",
    "discord",
    "terraform",
    "check",
    "settings",
    "seed",
    "bench",
    "demo",
    "domain",
    "ops",
];

/// Every layer but `allowed`.
fn all_but(allowed: &[&str]) -> Vec<&'static str> {
    LAYERS.iter().copied().filter(|l| !allowed.contains(l)).collect()
}

#[test]
fn the_domain_names_no_other_layer() {
    let found = arrows_from("domain", &all_but(&["domain"]));
    assert!(found.is_empty(), "the domain is pure:\n{}", found.join("\n"));
}

#[test]
fn terraform_imports_no_actor_store_or_command() {
    let found =
        arrows_from("terraform", &["store", "actors", "commands", "console", "discord", "check", "seed", "ops"]);
    assert!(found.is_empty(), "the generator's model is fed by the store, never the reverse:\n{}", found.join("\n"));
}

#[test]
fn actors_know_no_front_end_nor_the_command_layer() {
    let found = arrows_from("actors", &["commands", "console", "discord", "bench", "demo"]);
    assert!(found.is_empty(), "actors answer domain outcomes:\n{}", found.join("\n"));
    let found = arrows_from("store", &["actors", "commands", "console", "discord", "check", "ops"]);
    assert!(found.is_empty(), "the store is below the actors:\n{}", found.join("\n"));
}

#[test]
fn the_command_layer_and_front_ends_stay_in_their_lanes() {
    let found = arrows_from("commands", &["console", "discord", "bench", "demo", "check"]);
    assert!(found.is_empty(), "commands serve every front end alike:\n{}", found.join("\n"));
    let found = arrows_from("discord", &["console", "store", "check"]);
    assert!(found.is_empty(), "Discord neither borrows the console nor reads the store:\n{}", found.join("\n"));
    let found = arrows_from("console", &["discord", "store", "check"]);
    assert!(found.is_empty(), "the console neither borrows Discord nor reads the store:\n{}", found.join("\n"));
}

#[test]
fn the_ops_layer_sits_between_the_actors_and_the_front_ends() {
    // metrics and gateway are leaves every layer records into: they name no other layer but ops itself.
    for leaf in ["ops/metrics", "ops/gateway"] {
        let found = arrows_from(leaf, &all_but(&["ops"]));
        assert!(found.is_empty(), "{leaf} is a leaf:\n{}", found.join("\n"));
    }
    // The endpoints ask through actor handles; they know no front end and no command.
    let found = arrows_from("ops", &["commands", "console", "discord", "bench", "demo", "check", "seed"]);
    assert!(found.is_empty(), "ops is wired by main, below the front ends:\n{}", found.join("\n"));
}

#[test]
fn only_discord_imports_serenity() {
    let found = uses_outside(&["serenity::", "use serenity"], &["src/discord/"]);
    assert!(found.is_empty(), "serenity outside src/discord/:\n{}", found.join("\n"));
}

#[test]
fn only_the_store_builds_sql() {
    // The bench's substrate figures time raw transactions on purpose, and make its schemas.
    let sql = ["EntityTrait", "QueryFilter", "ActiveModelTrait", "execute_unprepared", "Statement::", "QuerySelect"];
    let found = uses_outside(&sql, &["src/store/", "src/bench/db.rs", "src/bench/substrate.rs"]);
    assert!(found.is_empty(), "SQL outside src/store/:\n{}", found.join("\n"));
}

#[test]
fn only_store_backup_copies_the_database() {
    let found = uses_outside(&["VACUUM INTO"], &["src/store/backup.rs"]);
    assert!(found.is_empty(), "a database copy outside store::backup:\n{}", found.join("\n"));
}

#[test]
fn the_command_layer_and_front_ends_hold_no_database_handle() {
    let mut found = Vec::new();
    for dir in ["src/commands", "src/console", "src/discord", "src/ops"] {
        for file in sources(&root().join(dir)) {
            // `discord::start` is wiring: it hands the connection to the actor system it starts.
            if file.ends_with("discord/mod.rs") {
                continue;
            }
            for (n, line) in code(&file) {
                if line.contains("DatabaseConnection") || line.contains("sea_orm") {
                    found.push(format!("{}:{n}", file.strip_prefix(root()).unwrap().display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "a database handle above the actors:\n{}", found.join("\n"));
}

#[test]
fn test_hooks_are_compiled_only_with_their_feature() {
    // Fault injection and crash points are test-hooks only; their call sites compile to nothing
    // without the feature (crate::crash::point is an empty inline function then).
    let text = std::fs::read_to_string(root().join("src/crash.rs")).unwrap();
    assert!(
        text.contains("#[cfg(feature = \"test-hooks\")]") && text.contains("#[cfg(not(feature = \"test-hooks\"))]")
    );
    let found = uses_outside(&["InjectFailure"], &["src/actors/"]);
    assert!(found.is_empty(), "fault injection outside the actors:\n{}", found.join("\n"));
    for file in sources(&root().join("src/actors")) {
        let lines = code(&file);
        for (i, (n, line)) in lines.iter().enumerate() {
            if !line.contains("InjectFailure") {
                continue;
            }
            // Gated itself (the attribute just above), or inside a gated top-level item.
            let just_above = lines[i.saturating_sub(3)..i].iter().any(|(_, l)| l.contains("test-hooks"));
            let item = lines[..=i].iter().rposition(|(_, l)| l.starts_with(|c: char| c.is_alphabetic()));
            let item_gated =
                item.is_some_and(|at| lines[at.saturating_sub(2)..at].iter().any(|(_, l)| l.contains("test-hooks")));
            assert!(
                just_above || item_gated,
                "{}:{n}: InjectFailure outside #[cfg(feature = \"test-hooks\")]",
                file.display()
            );
        }
    }
}

#[test]
fn every_write_to_resources_takes_the_projects_revision() {
    // The generator reads only rows stamped after the revision it last read (`store::spec`): a
    // write that does not take the project's next revision would never reach the Terraform.
    let writes = [
        "cloud_resources::Entity::insert",
        "cloud_resources::Entity::update",
        "cloud_resources::Entity::delete",
        "INSERT INTO cloud_resources",
        "UPDATE cloud_resources",
        "DELETE FROM cloud_resources",
    ];
    let allowed = ["src/store/resources.rs", "src/store/writes.rs"];
    let outside = uses_outside(&writes, &allowed);
    assert!(outside.is_empty(), "resources written outside {allowed:?}:\n{}", outside.join("\n"));
    let mut missing = Vec::new();
    for rel in allowed {
        let lines = code(&root().join(rel));
        for (i, (n, line)) in lines.iter().enumerate() {
            if !writes.iter().any(|w| line.contains(w)) {
                continue;
            }
            // The function the write is in, from its signature to the write.
            let start = lines[..i]
                .iter()
                .rposition(|(_, l)| {
                    l.trim_start().starts_with("pub async fn")
                        || l.trim_start().starts_with("async fn")
                        || l.trim_start().starts_with("pub fn")
                        || l.trim_start().starts_with("fn ")
                })
                .unwrap_or(0);
            if !lines[start..=i].iter().any(|(_, l)| l.contains("revisions::next")) {
                missing.push(format!("{rel}:{n}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "writes without `revisions::next` before them in their function:\n{}",
        missing.join("\n")
    );
}

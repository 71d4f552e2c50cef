//! The console fed hostile and broken input through a pipe, as the binary runs: every line gets an
//! answer and the session goes on; nothing a member types reaches the terminal raw.

#[path = "common/binary.rs"]
#[allow(dead_code)] // its text-input helper; these tests feed raw bytes
mod common_binary;

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use common_binary::binary;
use serde_json::Value;

fn console(dir: &Path, json: bool, input: &[u8]) -> Output {
    let args: &[&str] = if json { &["console", "--json"] } else { &["console"] };
    let mut child =
        binary(dir, args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    out
}

fn json_lines(out: &Output) -> Vec<Value> {
    let stdout = String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8");
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON object: {l:?}: {e}")))
        .collect()
}

#[test]
fn invalid_utf8_gets_one_error_line_and_the_session_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = b"/cloud-projects\n".to_vec();
    input.extend_from_slice(b"/cloud-quota project_id:\xff\xfe\xfd\n");
    input.extend_from_slice(b"/cloud-quota project_id:gcp-abc123\n");
    let replies = json_lines(&console(dir.path(), true, &input));
    let kinds: Vec<&str> = replies.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["projects", "error", "quota"]);
    assert!(replies[1]["message"].as_str().unwrap().contains("UTF-8"), "{}", replies[1]);

    let text = console(dir.path(), false, &input);
    let stdout = String::from_utf8(text.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[1].starts_with("error:") && lines[1].contains("UTF-8"), "{stdout}");
    assert!(lines[2].starts_with("quota of gcp-abc123"), "{stdout}");
}

#[test]
fn an_oversized_line_is_skipped_to_its_newline_and_the_next_one_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = b"/cloud-quota project_id:".to_vec();
    input.extend(std::iter::repeat_n(b'a', 4 << 20));
    input.extend_from_slice(b"\n/cloud-projects\n");
    // A last line without a newline still runs.
    input.extend_from_slice(b"/cloud-quota project_id:gcp-abc123");
    let replies = json_lines(&console(dir.path(), true, &input));
    let kinds: Vec<&str> = replies.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["error", "projects", "quota"]);
    let message = replies[0]["message"].as_str().unwrap();
    assert!(message.contains("too long") && message.len() < 200, "{message}");
}

#[test]
fn control_characters_are_shown_escaped_never_raw() {
    let dir = tempfile::tempdir().unwrap();
    let input = b"frob\x1b[2J\x1b]0;owned\x07\napprove \x1b[31mnot-an-id\n/cloud-quota project_id:gcp-\x1b[1m\nhelp /cloud-\x1b[2J\n";
    let out = console(dir.path(), false, input);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains('\u{1b}') && !stdout.contains('\u{7}'), "raw control characters: {stdout:?}");
    assert!(stdout.contains("\\u{1b}[31m") && stdout.contains("\\u{7}"), "shown escaped: {stdout}");
    assert_eq!(stdout.lines().filter(|l| l.starts_with("error:")).count(), 4, "{stdout}");
}

#[test]
fn under_json_every_reply_is_one_object_a_line_and_help_is_json() {
    let dir = tempfile::tempdir().unwrap();
    let input = b"help\nhelp /cloud-deploy\nhelp /nope\n\xff\nfrob\x1b[2J\n/cloud-projects\n";
    let replies = json_lines(&console(dir.path(), true, input));
    let kinds: Vec<&str> = replies.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["help", "help", "help", "error", "error", "projects"]);
    let commands = replies[0]["commands"].as_array().unwrap();
    assert!(commands.iter().any(|c| c["name"] == "cloud-policy add"), "{}", replies[0]);
    assert_eq!(replies[1]["commands"].as_array().unwrap().len(), 1);
    assert!(replies[2]["commands"].as_array().unwrap().is_empty());
}

#[test]
fn a_pipe_stays_plain_no_prompt_no_escape_codes() {
    let dir = tempfile::tempdir().unwrap();
    let out = console(dir.path(), false, b"/cloud-projects\nhelp\n");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("1 project(s)"), "no prompt before the first reply: {stdout:?}");
    assert!(!stdout.contains('\u{1b}') && !stdout.lines().any(|l| l.starts_with("> ")), "{stdout:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains('\u{1b}'), "no colour when stderr is not a terminal: {stderr:?}");
}

fn deploy(name: &str) -> String {
    format!("/cloud-deploy project_id:gcp-abc123 resource_type:vm resource_name:{name} machine_type:e2-micro\n")
}

#[test]
fn a_unique_prefix_of_a_session_id_is_accepted_and_others_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Seventeen lobbies: two of them must share a first hex digit.
    let script: String = (0..17).map(|i| deploy(&format!("web-p{i}"))).collect();
    let opened = json_lines(&console(dir.path(), true, script.as_bytes()));
    let ids: Vec<String> = opened.iter().map(|r| r["session_id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 17);
    let shared = (0..ids.len())
        .find_map(|i| ids.iter().skip(i + 1).find(|o| o[..1] == ids[i][..1]).map(|_| ids[i][..1].to_owned()))
        .expect("pigeonhole");
    let unique = ids.iter().find(|id| ids.iter().filter(|o| o[..8] == id[..8]).count() == 1).unwrap();
    let absent = (0..16u32)
        .map(|d| format!("{:x}{}", d, "0".repeat(7)))
        .find(|p| !ids.iter().any(|id| id.starts_with(p.as_str())))
        .unwrap();
    let script = format!("cancel {}\ncancel {shared}\ncancel {absent}\ncancel {}\n", &unique[..8], &unique[..8]);
    let replies = json_lines(&console(dir.path(), true, script.as_bytes()));
    assert_eq!(replies[0]["kind"], "lobby_closed", "{}", replies[0]);
    assert_eq!(replies[0]["session_id"], unique.as_str());
    assert!(replies[1]["message"].as_str().unwrap().contains("several"), "{}", replies[1]);
    assert!(replies[2]["message"].as_str().unwrap().contains("no lobby id starts with"), "{}", replies[2]);
    // The same prefix again finds the lobby, which already ended: nothing changes.
    assert_eq!(replies[3]["kind"], "refused", "{}", replies[3]);
}

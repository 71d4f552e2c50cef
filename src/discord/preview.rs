//! The "View Terraform" answer: only the member who clicked sees it. Each changed file is a field
//! with its diff in a `diff` code block; when the diffs do not fit one embed, the whole diff comes
//! as an attached `.diff` file, so nothing is lost.

use super::embed::{Embed, MAX_FIELD_VALUE, colour, truncate};
use super::render::Rendered;
use crate::commands::PreviewView;
use crate::terraform::preview::FileChange;

/// The preview as a private message.
pub fn message(p: &PreviewView) -> Rendered {
    let mut e = Embed::new(&format!("Terraform of lobby {}", p.session_id), colour::INFO)
        .description(&format!(
            "What approving writes to `{}/` on the bot's host, against the files there now. Nothing is \
             written until the lobby is approved; your team runs `terraform apply`.",
            p.dir
        ))
        .more_hint("not shown; the attached diff has every file")
        .footer(&format!("project {} · session {}", p.project_id, p.session_id));
    let changed: Vec<_> = p.files.iter().filter(|f| f.change != FileChange::Unchanged).collect();
    let unchanged: Vec<&str> =
        p.files.iter().filter(|f| f.change == FileChange::Unchanged).map(|f| f.name.as_str()).collect();
    if changed.is_empty() {
        e.field("No change", "approving writes the files exactly as they are now", false);
    }
    const FENCE: usize = "```diff\n\n```".len();
    let mut cut = false;
    for f in &changed {
        // A value a member typed may hold backticks; they must not close the code block.
        let body = f.diff.replace("```", "`\u{200b}``");
        let body = body.trim_end();
        if body.chars().count() > MAX_FIELD_VALUE - FENCE {
            cut = true;
        }
        let body = truncate(body, MAX_FIELD_VALUE - FENCE);
        let before = e.len();
        e.field(&format!("{} ({})", f.name, change_word(f.change)), &format!("```diff\n{body}\n```"), false);
        cut |= e.len() == before;
    }
    if !unchanged.is_empty() {
        e.field("Unchanged", &unchanged.join(", "), false);
    }
    let mut rendered = Rendered { embed: Some(e.build()), ephemeral: true, ..Default::default() };
    if cut {
        let whole: String = changed.iter().map(|f| f.diff.as_str()).collect::<Vec<_>>().join("\n");
        let short: String = p.session_id.to_string().chars().take(8).collect();
        rendered.files.push((format!("terraform-{short}.diff"), whole.into_bytes()));
    }
    rendered
}

fn change_word(change: FileChange) -> &'static str {
    match change {
        FileChange::Added => "new",
        FileChange::Changed => "changed",
        FileChange::Removed => "removed",
        FileChange::Unchanged => "unchanged",
    }
}

//! Records a run in `BENCHMARKS.md`: one block per backend and size, replaced by the next run of the
//! same kind, so the analysis written around the blocks stays.

use std::path::Path;
use std::time::Duration;

use super::db::Target;
use super::{Figure, Scale, machine};

pub fn write(path: &Path, target: &Target, scale: &Scale, figures: &[Figure], took: Duration) -> anyhow::Result<()> {
    let tag = format!("bench:{}:{}", target.backend(), scale.label);
    let (open, close) = (format!("<!-- {tag} -->"), format!("<!-- /{tag} -->"));
    let mut block = format!(
        "{open}\n**{} run on {}**, {} UTC, {:.0} s: {}.\n\n```text\n",
        scale.label,
        target.describe(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M"),
        took.as_secs_f64(),
        machine::describe()
    );
    for f in figures {
        block.push_str(&format!("{f}\n"));
    }
    block.push_str("```\n");
    block.push_str(&close);

    let text = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let text = match (text.find(&open), text.find(&close)) {
        (Some(a), Some(b)) if a < b => format!("{}{block}{}", &text[..a], &text[b + close.len()..]),
        _ => format!("{}\n\n{block}\n", text.trim_end()),
    };
    std::fs::write(path, text)?;
    Ok(())
}

//! Large files split into shards, so that an approval in a large project rewrites (and fsyncs) a
//! few kilobytes instead of every resource of its kind: most of a large project's generation cost
//! is writing, and only the files whose bytes changed are written.
//!
//! A file over [`SHARD_BYTES`] is cut at its top-level blocks (with the comments above them), each
//! block placed by a stable hash of its first line (`resource "aws_instance" "web-1" {`), so adding
//! or removing a resource changes only the shards holding its blocks. The shard count is a power of
//! two that grows with the file, so shards move only when the file doubles. Shard 0 keeps the
//! file's name (`compute.tf`); the others are `compute_<n>.tf`. Terraform reads every `.tf` file of
//! the directory as one configuration, so the split changes nothing it sees.

use std::sync::Arc;

use super::memo::{Formatted, Run};
use super::render::RenderedFile;
use super::write::GENERATED_HEADER;

/// Files larger than this are split.
pub(crate) const SHARD_BYTES: usize = 32 * 1024;

/// `file` as itself, or as its shards when it is large.
pub(crate) fn shard(file: RenderedFile) -> Vec<RenderedFile> {
    if file.contents.len() <= SHARD_BYTES || !file.name.ends_with(".tf") {
        return vec![file];
    }
    let (header, blocks) = split(&file.contents);
    let count = (file.contents.len() / SHARD_BYTES + 1).next_power_of_two();
    let mut shards: Vec<Vec<&str>> = vec![Vec::new(); count];
    for block in &blocks {
        shards[slot(block, count)].push(block);
    }
    assemble(&file.name, header, shards)
}

/// The shards the last rendering assembled, by file name, with the runs they were assembled from:
/// a shard of the same runs (the same formatted blocks, by identity) has the same contents.
#[derive(Default)]
pub(crate) struct ShardMemo {
    last: rustc_hash::FxHashMap<String, (Vec<Arc<Run>>, Arc<str>)>,
    next: rustc_hash::FxHashMap<String, (Vec<Arc<Run>>, Arc<str>)>,
}

impl ShardMemo {
    /// Ends a rendering: shards it did not assemble are forgotten.
    pub(crate) fn finish(&mut self) {
        self.last = std::mem::take(&mut self.next);
    }

    /// The shard `name` of `header` and `blocks`: last time's contents when it was these runs.
    fn assemble(&mut self, name: String, header: &str, blocks: &[&Arc<Run>]) -> RenderedFile {
        // Held, not only compared: a run kept here cannot be freed and its address reused.
        let same =
            |was: &[Arc<Run>]| was.len() == blocks.len() && was.iter().zip(blocks).all(|(a, b)| Arc::ptr_eq(a, b));
        let (runs, contents) = match self.last.remove(&name) {
            Some((was, contents)) if same(&was) && contents.starts_with(header) => (was, contents),
            _ => (
                blocks.iter().map(|r| Arc::clone(r)).collect(),
                shard_text(header, blocks.iter().map(|r| r.text.as_str())).into(),
            ),
        };
        self.next.insert(name.clone(), (runs, contents.clone()));
        RenderedFile { name, contents }
    }
}

/// A formatted file as [`shard`] would leave it, from its runs when it has them: their blocks and
/// shard places are known already, so the large file is never assembled and cut apart again, and
/// a shard whose runs are last time's is not assembled either.
pub(crate) fn shard_formatted(name: &str, formatted: Formatted, memo: &mut ShardMemo) -> Vec<RenderedFile> {
    let Formatted::Runs(runs) = &formatted else {
        return shard(RenderedFile { name: name.to_owned(), contents: formatted.text().into() });
    };
    let len: usize = runs.iter().map(|(r, blank)| r.text.len() + usize::from(*blank)).sum();
    let by_runs = (len > SHARD_BYTES && name.ends_with(".tf")).then(|| shard_runs(name, runs, len, memo)).flatten();
    match by_runs {
        Some(files) => {
            debug_assert_eq!(
                files,
                shard(RenderedFile { name: name.to_owned(), contents: formatted.text().into() }),
                "sharding by runs differs from sharding the file"
            );
            files
        }
        None => shard(RenderedFile { name: name.to_owned(), contents: formatted.text().into() }),
    }
}

/// The shards of a large file from its runs: the first run is the header when it opens no block
/// (the generated-by comment), every other run one block. `None` when the runs are not so.
fn shard_runs(name: &str, runs: &[(Arc<Run>, bool)], len: usize, memo: &mut ShardMemo) -> Option<Vec<RenderedFile>> {
    let (header, blocks) = match runs.split_first() {
        Some(((first, _), rest)) if first.opener.is_none() => (first.text.as_str(), rest),
        _ => ("", runs),
    };
    if !header.lines().all(|l| l.is_empty() || l.starts_with(GENERATED_HEADER)) {
        return None;
    }
    let count = (len / SHARD_BYTES + 1).next_power_of_two();
    let mut shards: Vec<Vec<&Arc<Run>>> = vec![Vec::new(); count];
    for (run, _) in blocks {
        let key = run.slot_key?;
        shards[(key % count as u64) as usize].push(run);
    }
    let stem = name.trim_end_matches(".tf");
    let files = shards
        .iter()
        .enumerate()
        .filter(|(i, blocks)| *i == 0 || !blocks.is_empty())
        .map(|(i, blocks)| memo.assemble(shard_name(name, stem, i), header, blocks))
        .collect();
    Some(files)
}

/// Shard 0 keeps the file's name, the others are `<stem>_<n>.tf`.
fn shard_name(name: &str, stem: &str, i: usize) -> String {
    if i == 0 { name.to_owned() } else { format!("{stem}_{i}.tf") }
}

/// A shard's text: the header, then each block after a blank line.
fn shard_text<'a>(header: &str, blocks: impl Iterator<Item = &'a str>) -> String {
    let mut contents = format!("{}\n", header.trim_end());
    for block in blocks {
        contents.push('\n');
        contents.push_str(block);
    }
    contents
}

/// Shard 0 keeps the file's name, the others are `<stem>_<n>.tf`; empty ones are left out.
fn assemble(name: &str, header: &str, shards: Vec<Vec<&str>>) -> Vec<RenderedFile> {
    let stem = name.trim_end_matches(".tf");
    shards
        .into_iter()
        .enumerate()
        .filter(|(i, blocks)| *i == 0 || !blocks.is_empty())
        .map(|(i, blocks)| RenderedFile {
            name: shard_name(name, stem, i),
            contents: shard_text(header, blocks.into_iter()).into(),
        })
        .collect()
}

/// The header (the generated-by comment and what precedes the first block) and the top-level
/// blocks, each with the comment lines directly above it and its closing line.
fn split(text: &str) -> (&str, Vec<&str>) {
    let mut blocks = Vec::new();
    let mut header_end = None;
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        let trimmed = line.trim_end();
        let top_level = !line.starts_with(' ') && !trimmed.is_empty();
        if start.is_none() && top_level && !trimmed.starts_with(GENERATED_HEADER) {
            start = Some(here);
            header_end.get_or_insert(here);
        }
        // A block ends at its closing brace in the first column (the text is formatted).
        if let Some(s) = start
            && (trimmed == "}" || (top_level && trimmed.ends_with('}') && !trimmed.starts_with('#')))
        {
            blocks.push(&text[s..offset]);
            start = None;
        }
    }
    let header_end = header_end.unwrap_or(text.len());
    (&text[..header_end], blocks)
}

/// The shard of a block: FNV-1a of its first line that is not a comment.
fn slot(block: &str, count: usize) -> usize {
    slot_of(block.lines().find(|l| !l.starts_with('#')).unwrap_or(block), count)
}

/// The shard of a block whose first line that is not a comment is `key`.
fn slot_of(key: &str, count: usize) -> usize {
    let hash = crate::terraform::slots::fnv1a(key);
    (hash % count as u64) as usize
}

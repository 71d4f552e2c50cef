//! What a project's last rendering formatted, kept so the next rendering formats only what changed.
//!
//! Formatting is much of a large project's rendering (every line scanned, aligned and copied), and
//! an approval changes a block or two of it. Each rendered piece of a file (its head, or one item's
//! block: `blocks.rs`) is cut into runs: the text before its first top-level block, then one run per
//! top-level block (a `resource "…"`, `data "…"`, … line, with the comment lines directly above it,
//! through to the next such run). A run rendered the same as last time takes last time's
//! formatting, and with it what the shards and the address check need from it. The formatting of a
//! run is a function of its text alone, so the memo never changes what is written, only how much
//! work it takes: a debug build checks every file against rendering and formatting it whole.

use std::hash::Hasher;
use std::sync::Arc;

use super::blocks::{BlockMemo, Pieces};
use super::format::format_blocks;

/// The runs one rendering formatted, by their rendered text.
#[derive(Default)]
pub struct RenderMemo {
    last: Runs,
    next: Runs,
    /// The buffer files are rendered into, kept across renderings: a large file's megabyte is
    /// not allocated (and its pages faulted in) anew each time.
    buffer: String,
    /// The resources the last rendering found valid, and built.
    pub(crate) view: super::view::ViewMemo,
    /// The blocks the last rendering formatted, by item.
    pub(crate) blocks: BlockMemo,
    /// The shards the last rendering assembled.
    pub(crate) shards: super::shard::ShardMemo,
}

/// Rendered run → its formatting, by [`fingerprint`] (hashing each run whole cost most of what the
/// memo saves). Two runs with one fingerprint: the first is kept, the other formatted each time.
type Runs = rustc_hash::FxHashMap<u64, (Box<str>, Arc<Run>)>;

/// One formatted run.
#[derive(Debug)]
pub(crate) struct Run {
    /// Formatted, ending in a newline, no blank line at either end (empty for a blank run).
    pub text: String,
    /// Its first line that is not a comment, when that opens a top-level block.
    pub opener: Option<String>,
    /// The address of the `resource` or `data` block it is.
    pub address: Option<BlockAddress>,
    /// FNV-1a of the opener: which shard the run goes to.
    pub slot_key: Option<u64>,
}

/// A block's address: whether it is a `data` block, and `type.label`.
pub(crate) type BlockAddress = (bool, Arc<str>);

/// The address of the block `line` opens, when it opens a `resource` or `data` block.
pub(crate) fn block_address(line: &str) -> Option<BlockAddress> {
    let rest = line.strip_prefix("resource \"").or_else(|| line.strip_prefix("data \""))?;
    let address: String = rest.split('"').filter(|s| !s.trim().is_empty()).take(2).collect::<Vec<_>>().join(".");
    Some((line.starts_with("data"), address.into()))
}

/// A file formatted: by runs, or whole when it could not be cut into runs.
pub(crate) enum Formatted {
    /// Each run, with whether the file keeps a blank line before it.
    Runs(Vec<(Arc<Run>, bool)>),
    /// The whole file.
    Whole(String),
}

impl Formatted {
    /// The addresses of its `resource` and `data` blocks: what the address check reads.
    pub fn addresses(&self) -> Box<dyn Iterator<Item = BlockAddress> + '_> {
        match self {
            Formatted::Whole(text) => Box::new(text.lines().filter_map(block_address)),
            Formatted::Runs(runs) => Box::new(runs.iter().filter_map(|(r, _)| r.address.clone())),
        }
    }

    /// The file's formatted text.
    pub fn text(&self) -> String {
        match self {
            Formatted::Whole(text) => text.clone(),
            Formatted::Runs(runs) => {
                let mut out = String::with_capacity(runs.iter().map(|(r, _)| r.text.len() + 1).sum());
                for (run, blank_before) in runs {
                    if *blank_before {
                        out.push('\n');
                    }
                    out.push_str(&run.text);
                }
                out
            }
        }
    }
}

/// Lines that open a top-level block in the templates' output.
const OPENERS: [&str; 9] = [
    "resource \"",
    "data \"",
    "output \"",
    "variable \"",
    "module \"",
    "provider \"",
    "locals {",
    "terraform {",
    "moved {",
];

fn opens_block(line: &str) -> bool {
    // Most lines are attributes; only a few first letters can start an opener.
    matches!(line.as_bytes().first(), Some(b'r' | b'd' | b'o' | b'v' | b'm' | b'p' | b'l' | b't'))
        && OPENERS.iter().any(|o| line.starts_with(o))
}

impl RenderMemo {
    /// `raw` (one piece of a file) cut into runs and formatted, each run with whether a blank
    /// line follows it; `None` when a run does not balance its brackets (an opener-like line
    /// inside a block), and the file is formatted whole instead.
    pub(crate) fn pieces(&mut self, raw: &str) -> Option<Pieces> {
        runs(raw).map(|(run, ends_blank)| Some((self.formatted(run)?, ends_blank))).collect()
    }

    /// The rendering buffer (empty).
    pub(crate) fn take_buffer(&mut self) -> String {
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        buffer
    }

    /// Gives the rendering buffer back for the next file.
    pub(crate) fn give_buffer(&mut self, buffer: String) {
        self.buffer = buffer;
    }

    /// Ends a rendering: what it did not use is forgotten.
    pub(crate) fn finish(&mut self) {
        self.blocks.finish();
        self.shards.finish();
        let capacity = self.next.len();
        self.last = std::mem::replace(&mut self.next, Runs::with_capacity_and_hasher(capacity, Default::default()));
    }

    /// The formatting of `run`: this rendering's, the last one's, or formatted now.
    fn formatted(&mut self, run: &str) -> Option<Arc<Run>> {
        let key = fingerprint(run);
        match self.next.get(&key) {
            Some((text, done)) if &**text == run => return Some(done.clone()),
            Some(_) => return format_run(run).map(|(_, done)| done),
            None => {}
        }
        let entry = match self.last.remove(&key) {
            Some(entry) if &*entry.0 == run => entry,
            _ => format_run(run)?,
        };
        let done = entry.1.clone();
        self.next.insert(key, entry);
        Some(done)
    }
}

/// `run` formatted, with its opener line.
fn format_run(run: &str) -> Option<(Box<str>, Arc<Run>)> {
    let text = format_blocks(run)?;
    let opener = text.lines().find(|l| !l.starts_with('#')).filter(|l| opens_block(l)).map(str::to_owned);
    let address = opener.as_deref().and_then(block_address);
    let slot_key = opener.as_deref().map(super::slots::fnv1a);
    Some((run.into(), Arc::new(Run { text, opener, address, slot_key })))
}

/// A cheap hash of a run: its length, its start (which names its block) and its end.
fn fingerprint(run: &str) -> u64 {
    let bytes = run.as_bytes();
    let mut h = rustc_hash::FxHasher::default();
    h.write_usize(bytes.len());
    h.write(&bytes[..bytes.len().min(160)]);
    h.write(&bytes[bytes.len().saturating_sub(48)..]);
    h.finish()
}

/// The runs of `raw`, each with whether its last line is blank. A run starts at an opener line,
/// or at the comment lines directly above one. Most lines are decided by their first byte (the
/// templates' output is not indented), so a megabyte is cut in a fraction of a millisecond.
fn runs(raw: &str) -> impl Iterator<Item = (&str, bool)> {
    let bytes = raw.as_bytes();
    let mut start = 0;
    let mut at = 0;
    // Where the comment lines directly above the current line began, and whether the line before
    // them was blank.
    let mut comments: Option<(usize, bool)> = None;
    let mut last_blank = false;
    // One scan for every line end (a search per line costs more than the lines are long).
    let mut newlines = memchr::memchr_iter(b'\n', bytes);
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let here = at;
            let end = newlines.next().map_or(bytes.len(), |n| n + 1);
            at = end;
            let kind = match bytes[here] {
                b'\n' => Line::Blank,
                b'#' => Line::Comment,
                b'r' | b'd' | b'o' | b'v' | b'm' | b'p' | b'l' | b't' if opens_block(&raw[here..end]) => Line::Opener,
                b' ' | b'\t' | b'\r' => {
                    let trimmed = raw[here..end].trim();
                    if trimmed.is_empty() {
                        Line::Blank
                    } else if trimmed.starts_with('#') {
                        Line::Comment
                    } else if opens_block(trimmed) {
                        Line::Opener
                    } else {
                        Line::Other
                    }
                }
                _ => Line::Other,
            };
            match kind {
                Line::Opener => {
                    let (from, blank_above) = comments.take().unwrap_or((here, last_blank));
                    last_blank = false;
                    if from > start {
                        let run = (&raw[start..from], blank_above);
                        start = from;
                        return Some(run);
                    }
                }
                Line::Comment => {
                    comments.get_or_insert((here, last_blank));
                    last_blank = false;
                }
                Line::Blank => {
                    comments = None;
                    last_blank = true;
                }
                Line::Other => {
                    comments = None;
                    last_blank = false;
                }
            }
        }
        if start < bytes.len() {
            let run = (&raw[start..], last_blank);
            start = bytes.len();
            return Some(run);
        }
        None
    })
}

/// What a line of rendered output is, as far as cutting it into runs goes.
enum Line {
    Blank,
    Comment,
    Opener,
    Other,
}

//! A file rendered piece by piece: its head (everything but the per-item loops) and one block per
//! item of each loop (a VM's `resource` blocks, a network's, an output), each block's formatting
//! kept from the last rendering while its item and the project's [`Globals`] are unchanged.
//!
//! A block template sees only its item and the [`Globals`] (its struct has no other field), so
//! its text is a function of those two: an equal item under equal globals renders the same bytes,
//! and an approval that adds one VM to a thousand renders and formats one block. A debug build
//! renders every piece again and checks the file against formatting it whole.

use std::hash::{BuildHasher, Hash, RandomState};
use std::sync::Arc;

use askama::Template;

use super::GenerateError;
use super::memo::{Formatted, RenderMemo, Run};

/// What a block template may read besides its item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Globals {
    pub project_id: String,
    pub project_name: String,
    /// Azure: VMs and AKS nodes encrypt at host.
    pub encryption_at_host: bool,
}

/// An item a block is rendered for: found by its Terraform label, and known unchanged by a keyed
/// hash of all of it (the key is random per process, so no name can be chosen to collide), or by
/// being the very handle its block was kept with.
pub(crate) trait Item: Hash {
    fn label(&self) -> &str;

    /// A shared, immutable allocation of the item (an `Arc` nothing changes while it is shared):
    /// the same handle is the same item, with no hashing.
    fn handle(&self) -> Option<Handle> {
        None
    }

    /// Whether the item is the allocation `handle` holds.
    fn is(&self, _handle: &Handle) -> bool {
        false
    }
}

/// An item's shared allocation, compared by address; holding it keeps the address from reuse.
pub(crate) type Handle = Arc<dyn std::any::Any + Send + Sync>;

/// Formatted runs, each with whether a blank line follows it (empty runs included: they carry
/// the blank lines between blocks).
pub(crate) type Pieces = Vec<(Arc<Run>, bool)>;

/// The blocks the last renderings formatted: by block template, then by item label.
#[derive(Default)]
pub(crate) struct BlockMemo {
    globals: Option<Globals>,
    by_template: rustc_hash::FxHashMap<&'static str, rustc_hash::FxHashMap<Box<str>, Kept>>,
    /// The rendering in progress; blocks not used by it are forgotten when it ends.
    round: u64,
    /// Keys the item hashes.
    hasher: RandomState,
}

struct Kept {
    /// The item's hash under the globals and template it was rendered with.
    hash: u64,
    /// The item's handle when it has one, held.
    handle: Option<Handle>,
    runs: Pieces,
    round: u64,
}

impl BlockMemo {
    /// Starts a rendering under `globals`: blocks kept under other globals are forgotten.
    pub(crate) fn begin(&mut self, globals: &Globals) {
        if self.globals.as_ref() != Some(globals) {
            self.by_template.clear();
            self.globals = Some(globals.clone());
        }
        self.round += 1;
    }

    /// Ends a rendering: blocks it did not use are forgotten.
    pub(crate) fn finish(&mut self) {
        let round = self.round;
        for kept in self.by_template.values_mut() {
            kept.retain(|_, k| k.round == round);
        }
        self.by_template.retain(|_, kept| !kept.is_empty());
    }

    /// The blocks kept for `template`, taken out while one file's loop over its items looks them up
    /// (and given back by [`BlockMemo::give`]): one lookup of the template per loop, not per item.
    fn take(&mut self, template: &'static str) -> Blocks {
        Blocks { kept: self.by_template.remove(template).unwrap_or_default(), round: self.round }
    }

    fn give(&mut self, template: &'static str, blocks: Blocks) {
        self.by_template.insert(template, blocks.kept);
    }
}

/// One block template's kept blocks, by item label, while a loop uses them.
struct Blocks {
    kept: rustc_hash::FxHashMap<Box<str>, Kept>,
    round: u64,
}

impl Blocks {
    /// The block kept for `item`, or the item's hash (keyed by `hasher`) to keep its block under.
    fn hit<T: Item>(&mut self, hasher: &RandomState, item: &T) -> Result<&Pieces, u64> {
        let Some(kept) = self.kept.get_mut(item.label()) else {
            return Err(hasher.hash_one(item));
        };
        if !kept.handle.as_ref().is_some_and(|h| item.is(h)) {
            let hash = hasher.hash_one(item);
            if kept.hash != hash {
                return Err(hash);
            }
            kept.handle = item.handle();
        }
        kept.round = self.round;
        Ok(&kept.runs)
    }

    fn keep<T: Item>(&mut self, item: &T, hash: u64, runs: Pieces) {
        let kept = Kept { hash, handle: item.handle(), runs, round: self.round };
        self.kept.insert(item.label().into(), kept);
    }
}

/// Collects one file's pieces, from the memos or rendered now.
pub(crate) struct FileBuilder<'m> {
    memo: &'m mut RenderMemo,
    mode: Mode,
}

enum Mode {
    /// By pieces, reusing kept blocks; `None` once a piece could not be cut into runs.
    Pieces(Option<Pieces>),
    /// Every piece rendered, concatenated: the file's text before formatting.
    Raw(String),
}

impl<'m> FileBuilder<'m> {
    /// A file built by pieces.
    pub(crate) fn pieces(memo: &'m mut RenderMemo) -> Self {
        FileBuilder { memo, mode: Mode::Pieces(Some(Vec::new())) }
    }

    /// A file rendered whole, with no memo consulted.
    pub(crate) fn raw(memo: &'m mut RenderMemo) -> Self {
        FileBuilder { memo, mode: Mode::Raw(String::new()) }
    }

    /// Adds the file's head, rendered now.
    pub(crate) fn head(&mut self, template: &impl Template) -> Result<(), GenerateError> {
        match &mut self.mode {
            Mode::Raw(raw) => Ok(template.render_into(raw)?),
            Mode::Pieces(None) => Ok(()),
            Mode::Pieces(Some(_)) => {
                let runs = self.render_runs(template)?;
                self.push(runs.as_ref());
                Ok(())
            }
        }
    }

    /// Adds one block per item, each kept from the last rendering when its item is unchanged.
    pub(crate) fn blocks<'i, T: Item, B: Template>(
        &mut self,
        template: &'static str,
        items: &'i [T],
        block: impl Fn(&'i T) -> B,
    ) -> Result<(), GenerateError> {
        if let Mode::Raw(raw) = &mut self.mode {
            for item in items {
                block(item).render_into(raw)?;
            }
            return Ok(());
        }
        // Taken out for the loop; a rendering that fails in it loses them, which only costs the
        // next rendering their formatting.
        let mut kept = self.memo.blocks.take(template);
        let hasher = self.memo.blocks.hasher.clone();
        for item in items {
            let Mode::Pieces(Some(out)) = &mut self.mode else { break };
            let hash = match kept.hit(&hasher, item) {
                Ok(runs) => {
                    out.extend(runs.iter().cloned());
                    continue;
                }
                Err(hash) => hash,
            };
            let runs = self.render_runs(&block(item))?;
            if let Some(runs) = &runs {
                kept.keep(item, hash, runs.clone());
            }
            self.push(runs.as_ref());
        }
        self.memo.blocks.give(template, kept);
        Ok(())
    }

    /// The file formatted by pieces; `None` when it must be formatted whole instead (a piece
    /// that is not blocks), or when it was rendered whole.
    pub(crate) fn finish(self) -> Option<Formatted> {
        match self.mode {
            Mode::Pieces(pieces) => pieces.map(|p| Formatted::Runs(joined(p))),
            Mode::Raw(_) => None,
        }
    }

    /// The file's text before formatting (empty unless it was rendered whole).
    pub(crate) fn into_raw(self) -> String {
        match self.mode {
            Mode::Raw(raw) => raw,
            Mode::Pieces(_) => String::new(),
        }
    }

    fn render_runs(&mut self, template: &impl Template) -> Result<Option<Pieces>, GenerateError> {
        let mut buffer = self.memo.take_buffer();
        template.render_into(&mut buffer)?;
        let runs = self.memo.pieces(&buffer);
        self.memo.give_buffer(buffer);
        Ok(runs)
    }

    fn push(&mut self, runs: Option<&Pieces>) {
        if let Mode::Pieces(out) = &mut self.mode {
            match (out.as_mut(), runs) {
                (Some(out), Some(runs)) => out.extend(runs.iter().cloned()),
                _ => *out = None,
            }
        }
    }
}

/// The runs of a file as formatting it whole keeps them: empty ones dropped, one blank line
/// before a run that had any above it, none before the first.
fn joined(pieces: Pieces) -> Vec<(Arc<Run>, bool)> {
    let mut out: Vec<(Arc<Run>, bool)> = Vec::with_capacity(pieces.len());
    let mut blank_before = false;
    for (run, ends_blank) in pieces {
        if !run.text.is_empty() {
            let blank = blank_before && !out.is_empty();
            out.push((run, blank));
        }
        blank_before = ends_blank;
    }
    out
}

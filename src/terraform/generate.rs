//! One regeneration of a project's directory: read, render, lock, read again, write. The
//! GeneratorActor and `check --repair` both call [`regenerate`], so they cannot drift apart.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::GenerateError;
use super::memo::RenderMemo;
use super::render::{RenderedFile, render_with};
use super::source::SpecSource;
use super::write::{self, FileWriter, WriteMemo, lock_project, write_project_with};
use crate::domain::ProjectId;

/// The result of a generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The project's directory.
    pub dir: PathBuf,
    /// File names written, in generation order.
    pub files: Vec<String>,
    /// sha256 (hex) over every file's name and the sha256 of its contents, in order ([`content_hash`]).
    pub content_hash: String,
}

/// Regenerates `project_id`'s directory under `root` from `source`.
///
/// A project that cannot be rendered touches nothing, not even the lock file. Another process
/// sharing the output root may be generating the same project: the project's lock is held from a
/// fresh reading to the last rename, so the last generation to start writes everything committed.
pub async fn regenerate(
    root: &Path,
    source: &dyn SpecSource,
    project_id: &str,
    writer: Arc<dyn FileWriter>,
) -> Result<Generated, GenerateError> {
    regenerate_with(root, source, project_id, writer, &mut GenerationMemo::default()).await
}

/// What a project's last generation keeps for its next one: the formatting it rendered and what it
/// knows its files on disk hold. The GeneratorActor keeps one per recently generated project;
/// the files written are the same with or without it, only cheaper to make.
#[derive(Default)]
pub struct GenerationMemo {
    render: RenderMemo,
    write: WriteMemo,
}

/// [`regenerate`], reusing what `memo` kept of the project's last generation.
pub async fn regenerate_with(
    root: &Path,
    source: &dyn SpecSource,
    project_id: &str,
    writer: Arc<dyn FileWriter>,
    memo: &mut GenerationMemo,
) -> Result<Generated, GenerateError> {
    let id = ProjectId::parse(project_id)?;
    // A project generated before has its lock file: locking it touches nothing new, so the one
    // reading and rendering is the one under the lock. Otherwise render first, so that a project
    // that cannot be rendered does not even create its lock file.
    let early = if write::lock_path(root, id.provider(), &id).exists() {
        None
    } else {
        let spec = source.load(id.as_str()).await?;
        let files = render_with(&spec, &mut memo.render)?;
        Some((spec, files))
    };
    let (lock_root, lock_id) = (root.to_path_buf(), id.clone());
    let lock = tokio::task::spawn_blocking(move || lock_project(&lock_root, lock_id.provider(), &lock_id))
        .await
        .map_err(|_| GenerateError::Unavailable)?
        .map_err(|e| {
            tracing::error!(error = %e, "terraform write: cannot lock the project");
            GenerateError::Io(e.kind())
        })?;
    let started = std::time::Instant::now();
    let spec = source.load(id.as_str()).await?;
    let t_load = started.elapsed();
    if spec.project_id != id {
        return Err(GenerateError::Source(format!("asked for {id}, got {}", spec.project_id)));
    }
    let files = match early {
        // Nothing changed between the two readings: the same spec renders the same bytes.
        Some((before, files)) if before == spec => files,
        _ => render_with(&spec, &mut memo.render)?,
    };
    let t_render = started.elapsed();
    let root = root.to_path_buf();
    let provider = spec.provider;
    let mut known = std::mem::take(&mut memo.write);
    let (written, known) = tokio::task::spawn_blocking(move || {
        let written = write_project_with(&root, provider, &id, files, writer.as_ref(), &mut known);
        drop(lock);
        (written, known)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "terraform write task panicked");
        GenerateError::Unavailable
    })?;
    // A failed write may have left anything: what the files hold is read again next time.
    memo.write = if written.is_ok() { known } else { WriteMemo::default() };
    let written = written?;
    tracing::debug!(
        project_id,
        load_us = t_load.as_micros() as u64,
        render_us = (t_render - t_load).as_micros() as u64,
        write_us = (started.elapsed() - t_render).as_micros() as u64,
        "terraform regenerated"
    );
    let names = written.files.iter().map(|f| f.name.clone()).collect();
    let content_hash = hash_of(written.files.iter().map(|f| (f.name.as_str(), memo.write.digest(f))));
    Ok(Generated { content_hash, dir: written.dir, files: names })
}

/// sha256 over each file's name, a NUL, the sha256 of its contents and a NUL, so renames change
/// the hash too; a generation takes the digests of unchanged files from its memo.
pub fn content_hash(files: &[RenderedFile]) -> String {
    hash_of(files.iter().map(|f| (f.name.as_str(), Sha256::digest(f.contents.as_bytes()).into())))
}

fn hash_of<'a>(files: impl Iterator<Item = (&'a str, [u8; 32])>) -> String {
    let mut hasher = Sha256::new();
    for (name, digest) in files {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(digest);
        hasher.update([0]);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

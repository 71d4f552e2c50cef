//! Writes a project's files so that a reader (or a crash) only ever sees the complete old or the
//! complete new directory: files go into a temporary directory beside the target, are fsynced,
//! and the two directories are swapped in one `renameat2(RENAME_EXCHANGE)`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::GenerateError;
use super::render::RenderedFile;
use crate::domain::{ProjectId, Provider};

/// Writes one file; the seam tests use to fail a write in the middle of a generation.
pub trait FileWriter: Send + Sync {
    /// Creates `path` with `contents` and makes it durable.
    fn write_file(&self, path: &Path, contents: &[u8]) -> io::Result<()>;
}

/// The real writer: create, write, fsync.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsWriter;

impl FileWriter for FsWriter {
    fn write_file(&self, path: &Path, contents: &[u8]) -> io::Result<()> {
        let mut f = fs::OpenOptions::new().write(true).create_new(true).open(path)?;
        f.write_all(contents)?;
        f.sync_all()
    }
}

/// An exclusive hold on one project's directory, shared by every process writing under the same
/// root: an advisory lock on `<root>/.locks/terraform_<provider>_<project_id>.lock`, released on drop.
#[derive(Debug)]
pub struct ProjectLock {
    _file: fs::File,
}

/// Waits until no other generation (in this or another process) holds the project, then holds it.
/// Blocks: call it off the async threads. Hold it from reading the database to the swap, so the last
/// generation to start is the last to write and sees every approval committed before it.
pub fn lock_project(root: &Path, provider: Provider, project_id: &ProjectId) -> io::Result<ProjectLock> {
    let dir = root.join(".locks");
    fs::create_dir_all(&dir)?;
    let path = dir.join(format!("terraform_{provider}_{project_id}.lock"));
    let file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(path)?;
    file.lock()?;
    Ok(ProjectLock { _file: file })
}

/// Replaces `<root>/terraform_<provider>_<project_id>/` with `files`, atomically, and returns
/// the directory. Top-level files that are not `.tf` (state, lock file, tfvars) are carried over.
pub fn write_project(
    root: &Path,
    provider: Provider,
    project_id: &ProjectId,
    files: &[RenderedFile],
    writer: &dyn FileWriter,
) -> Result<PathBuf, GenerateError> {
    // ProjectId is `<provider>-<hex>` by construction, so this is one plain path component.
    let dir_name = format!("terraform_{provider}_{project_id}");
    let target = root.join(&dir_name);
    let io_err = |what: &str, path: &Path, e: io::Error| {
        tracing::error!(path = %path.display(), error = %e, "terraform write: {what} failed");
        GenerateError::Io(e.kind())
    };
    if let Some(bad) = files.iter().find(|f| !is_plain_file_name(&f.name)) {
        return Err(GenerateError::Render(format!("refusing file name `{}`", bad.name)));
    }
    fs::create_dir_all(root).map_err(|e| io_err("create output root", root, e))?;
    recover_and_clean(root, &dir_name, &target).map_err(|e| io_err("clean leftovers", root, e))?;

    let tmp = root.join(format!("{dir_name}.tmp-{}", uuid::Uuid::new_v4().simple()));
    let staged = stage(&tmp, &target, files, writer);
    if let Err(e) = staged {
        let _ = fs::remove_dir_all(&tmp);
        return Err(io_err("stage files", &tmp, e));
    }
    if let Err(e) = swap_into_place(root, &dir_name, &tmp, &target) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(io_err("swap directory", &target, e));
    }
    Ok(target)
}

fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn stage(tmp: &Path, target: &Path, files: &[RenderedFile], writer: &dyn FileWriter) -> io::Result<()> {
    fs::create_dir(tmp)?;
    for (i, file) in files.iter().enumerate() {
        writer.write_file(&tmp.join(&file.name), file.contents.as_bytes())?;
        if i == 1 {
            crate::crash::point("during_terraform");
        }
    }
    carry_over(target, tmp, files)?;
    fsync_dir(tmp)
}

/// Files the team keeps beside the generated ones must survive a regeneration.
fn carry_over(target: &Path, tmp: &Path, files: &[RenderedFile]) -> io::Result<()> {
    let entries = match fs::read_dir(target) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let generated = name.ends_with(".tf") || files.iter().any(|f| f.name == name);
        if !generated && entry.file_type()?.is_file() {
            let dest = tmp.join(name);
            fs::copy(entry.path(), &dest)?;
            fs::File::open(&dest)?.sync_all()?;
        }
    }
    Ok(())
}

fn swap_into_place(root: &Path, dir_name: &str, tmp: &Path, target: &Path) -> io::Result<()> {
    if fs::symlink_metadata(target).is_err() {
        fs::rename(tmp, target)?;
        return fsync_dir(root);
    }
    match exchange(tmp, target) {
        Ok(()) => {
            // `tmp` now holds the previous version.
            fsync_dir(root)?;
            fs::remove_dir_all(tmp)?;
        }
        Err(e) if exchange_unsupported(&e) => {
            // Without an atomic exchange there is a window with no target; `recover_and_clean`
            // puts the old version back if a crash lands in it.
            let old = root.join(format!("{dir_name}.old-{}", uuid::Uuid::new_v4().simple()));
            fs::rename(target, &old)?;
            fs::rename(tmp, target)?;
            fsync_dir(root)?;
            fs::remove_dir_all(&old)?;
        }
        Err(e) => return Err(e),
    }
    fsync_dir(root)
}

/// Restores a version moved away by an interrupted fallback swap, then removes leftover
/// temporary and old directories of this project from earlier, interrupted runs.
fn recover_and_clean(root: &Path, dir_name: &str, target: &Path) -> io::Result<()> {
    let tmp_prefix = format!("{dir_name}.tmp-");
    let old_prefix = format!("{dir_name}.old-");
    let mut leftovers = Vec::new();
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&tmp_prefix) || name.starts_with(&old_prefix) {
            leftovers.push((name.starts_with(&old_prefix), entry.path()));
        }
    }
    leftovers.sort();
    if fs::symlink_metadata(target).is_err()
        && let Some((_, old)) = leftovers.iter().find(|(is_old, _)| *is_old)
    {
        tracing::warn!(path = %old.display(), "terraform write: restoring the previous version");
        fs::rename(old, target)?;
    }
    for (_, path) in leftovers {
        if path.exists() {
            tracing::info!(path = %path.display(), "terraform write: removing leftover directory");
            fs::remove_dir_all(&path)?;
        }
    }
    Ok(())
}

fn fsync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: both pointers are valid NUL-terminated strings that outlive the call.
    let rc = unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

fn exchange_unsupported(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Unsupported
        || matches!(e.raw_os_error(), Some(code) if code == libc::EINVAL || code == libc::ENOSYS || code == libc::EOPNOTSUPP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchange_swaps_two_directories_or_reports_unsupported() {
        let root = tempfile::tempdir().unwrap();
        let (a, b) = (root.path().join("a"), root.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("f"), "from a").unwrap();
        match exchange(&a, &b) {
            Ok(()) => {
                assert_eq!(fs::read_to_string(b.join("f")).unwrap(), "from a");
                assert!(!a.join("f").exists());
            }
            Err(e) => assert!(exchange_unsupported(&e), "unexpected error {e}"),
        }
    }

    #[test]
    fn only_plain_file_names_are_written() {
        assert!(is_plain_file_name("compute.tf"));
        for bad in ["", ".", "..", "../x.tf", "a/b.tf", "x\0.tf", "é.tf"] {
            assert!(!is_plain_file_name(bad), "{bad:?}");
        }
    }
}

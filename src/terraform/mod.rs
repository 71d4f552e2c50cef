//! Terraform generation: a project's resources become a directory of formatted, secure-by-default
//! HCL for its provider, written atomically.
//!
//! - [`model`]: the input ([`ProjectSpec`]), free of database types.
//! - [`render`]: spec → files, through askama templates under `templates/terraform/<provider>/`.
//! - [`escape`]: the `.tf` escaper that keeps any value inside its HCL string.
//! - [`write`]: the atomic directory swap.
//! - [`actor`]: the `GeneratorActor` and its typed handle.

pub mod actor;
mod error;
pub mod escape;
pub mod format;
pub mod model;
pub mod render;
mod slots;
mod validate;
mod view;
pub mod write;

pub use actor::{Generated, GeneratorActor, GeneratorArgs, GeneratorHandle, GeneratorMsg, SpecSource};
pub use error::GenerateError;
pub use model::{ProjectSpec, ResourceSpec};
pub use render::{RenderedFile, dir_name, render};
pub use write::{FileWriter, FsWriter, ProjectLock, lock_project, write_project};

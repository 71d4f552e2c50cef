//! Terraform generation: a project's resources become a directory of formatted, secure-by-default
//! HCL for its provider. Pure rendering and writing; the actor that serialises generations lives in
//! `actors::generator`, the database side of [`SpecSource`] in `store::spec`.
//!
//! - [`model`]: the input ([`ProjectSpec`]), free of database types; [`options`] its typed options.
//! - [`address_of`], [`check_options`], [`check_plan`], [`nat_gateways_added`]: what the lobby asks
//!   before it opens.
//! - [`render`]: spec → files, through askama templates under `templates/terraform/<provider>/`:
//!   each file's head, and one block template per item (`blocks/`) whose formatting is kept while
//!   the item is unchanged (`blocks.rs`).
//! - [`escape`]: the `.tf` escaper that keeps any value inside its HCL string.
//! - [`write`]: the generated files replaced as one set, beside the team's own files.
//! - [`generate`]: one regeneration (load, render, lock, write), shared by the actor and `check`.

pub mod address;
mod blocks;
pub mod config;
mod error;
pub mod escape;
pub mod exposure;
pub mod format;
pub mod generate;
mod memo;
pub mod model;
mod nat;
pub mod options;
mod plan;
pub mod preview;
pub mod render;
mod resources;
mod shard;
mod slots;
pub mod source;
mod validate;
mod view;
pub mod write;

pub use address::address_of;
pub use error::GenerateError;
pub use generate::{Generated, GenerationMemo, content_hash, regenerate, regenerate_with};
pub use memo::RenderMemo;
pub use model::{GeneratorSettings, ProjectSpec, ResourceSpec, Resources};
pub use nat::{nat_gateways, nat_gateways_added};
pub use options::check_options;
pub use plan::{check_approval, check_plan};
pub use render::{RenderedFile, dir_name, render, render_with};
pub use source::SpecSource;
pub use write::{FileWriter, FsWriter, ProjectLock, Written, lock_project, read_generated, write_project};

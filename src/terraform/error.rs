//! The generator's error type: what a caller (and a Discord user) may see.

use crate::domain::ParseError;

/// Why a generation failed. Display never names a host path; those go to the logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// The project does not exist (or has no generator data).
    #[error("project `{0}` was not found")]
    NotFound(String),
    /// A stored value breaks the provider's rules; nothing was written.
    #[error("invalid value: {0}")]
    Invalid(#[from] ParseError),
    /// Two resources would produce the same Terraform address; nothing was written.
    #[error("conflicting resources: {0}")]
    Conflict(String),
    /// The spec source (the store) failed.
    #[error("could not load the project: {0}")]
    Source(String),
    /// A template failed to render; nothing was written.
    #[error("could not render Terraform: {0}")]
    Render(String),
    /// Writing the files failed; the previous configuration is still in place.
    #[error("could not write the Terraform files ({0}); the previous configuration is unchanged")]
    Io(std::io::ErrorKind),
    /// Writing would follow a symbolic link or replace a file the generator does not own; nothing was written.
    #[error("refusing to write the Terraform files: {0}")]
    Unsafe(String),
    /// The generator actor is not running or dropped the request.
    #[error("the Terraform generator is unavailable")]
    Unavailable,
}

impl From<askama::Error> for GenerateError {
    fn from(e: askama::Error) -> Self {
        GenerateError::Render(e.to_string())
    }
}

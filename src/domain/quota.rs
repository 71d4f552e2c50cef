//! Quota resource types and the default limits of a new project.

pub use entities::kinds::QuotaType;

/// The region value of a quota row that applies to every region of the project.
pub const ANY_REGION: &str = "*";

//! The seam between the generator and the database: where a project's spec comes from.

use std::future::Future;
use std::pin::Pin;

use super::GenerateError;
use super::model::ProjectSpec;

/// Where the generator reads a project from; `store::spec` implements it over the database.
pub trait SpecSource: Send + Sync + 'static {
    /// Loads the project's spec with its active resources, or `GenerateError::NotFound`.
    fn load(&self, project_id: &str) -> Pin<Box<dyn Future<Output = Result<ProjectSpec, GenerateError>> + Send + '_>>;
}

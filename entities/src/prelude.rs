//! The entities under short names.

pub use super::cloud_projects::Entity as CloudProjects;
pub use super::cloud_quotas::Entity as CloudQuotas;
pub use super::cloud_resources::Entity as CloudResources;
pub use super::deployment_history::Entity as DeploymentHistory;
pub use super::deployment_sessions::Entity as DeploymentSessions;
pub use super::infrastructure_policies::Entity as InfrastructurePolicies;
pub use super::user_cloud_permissions::Entity as UserCloudPermissions;

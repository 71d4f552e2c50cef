//! What loading the sample data needs to know from the database.

use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};

use entities::prelude::{CloudProjects, UserCloudPermissions};

use super::StoreResult;

/// Whether the database holds no project and no grant: a first start, which gets the sample data.
pub async fn is_fresh<C: ConnectionTrait>(db: &C) -> StoreResult<bool> {
    Ok(CloudProjects::find().count(db).await? == 0 && UserCloudPermissions::find().count(db).await? == 0)
}

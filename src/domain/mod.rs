//! Domain types shared by every layer: providers, resource kinds, roles, sizes, money, the
//! pricing catalogue and the validator. Nothing here touches the database, Discord or the file system.

pub mod catalog;
pub mod member;
pub mod money;
pub mod names;
pub mod plan;
pub mod quota;
pub mod shards;
pub mod stacks;
pub mod state;
pub mod validate;
pub mod words;

pub use catalog::Catalog;
pub use entities::kinds::{
    ParseError, PolicyKind, Provider, RecordStatus, ResourceKind, Role, SessionStatus, SizeClass,
};
pub use member::{Invoker, LobbyAction};
pub use money::Money;
pub use names::{MachineType, ProjectId, Region, ResourceName};
pub use plan::{LobbyKind, Plan};
pub use quota::QuotaType;
pub use shards::ShardRange;

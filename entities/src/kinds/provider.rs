//! The three cloud providers.

use crate::text_enum;

/// A cloud provider the bot can write Terraform for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum Provider {
    /// Google Cloud Platform.
    Gcp,
    /// Amazon Web Services.
    Aws,
    /// Microsoft Azure.
    Azure,
}

text_enum!(Provider, "provider", { Gcp => "gcp", Aws => "aws", Azure => "azure" });

impl Provider {
    /// Human-readable name for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::Gcp => "Google Cloud",
            Provider::Aws => "AWS",
            Provider::Azure => "Azure",
        }
    }
}

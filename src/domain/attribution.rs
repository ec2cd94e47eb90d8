//! The credit an openly licensed source requires on everything made from its data (CC BY:
//! the licence, the publisher's name and a link), carried by each listing it produced.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a harvested listing came from and under what licence; show it wherever the listing
/// is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Attribution {
    /// The credit to show, in the publisher's words.
    #[schema(example = "Contains data from Example Leisure, published under CC BY 4.0")]
    pub text: String,
    /// The licence (a URL).
    #[schema(example = "https://creativecommons.org/licenses/by/4.0/")]
    pub licence: String,
    /// The publisher's page to link the credit to; `null` when none was given.
    #[schema(example = "https://leisure.example.org/open-data")]
    pub url: Option<String>,
}

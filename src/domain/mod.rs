//! Domain rules with no HTTP or SQL in them: parsing, validation and derived values.
//! Everything here is unit-tested without a database.

/// Declares a closed set of names stored as text in the database and used in the API, with
/// their string forms in one place.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name stored in the database and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

pub mod address;
pub mod asset;
pub mod attribution;
pub mod audience;
pub mod audit;
pub mod calendar;
pub mod changes;
pub mod contact;
pub mod cost;
pub mod coverage;
pub mod duplicates;
pub mod freshness;
pub mod geometry;
pub mod map_tile;
pub mod matching;
pub mod organization;
pub mod paging;
pub mod participation;
pub mod phrase;
pub mod postcode;
pub mod postcode_index;
pub mod referrals;
pub mod schedule;
pub mod search;
pub mod semantic;
pub mod source;
pub mod validation;
pub mod venue;
pub mod webhooks;

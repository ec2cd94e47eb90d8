//! The taxonomies the feed publishes. Our interest vocabulary is one; the others carry what
//! HSDS has no field for (an asset's kind, the Five Ways to Wellbeing, newcomer details, a
//! venue's type, setting and accessibility) as attributes, so that another instance importing
//! the feed gets every field back. Ids are stable (UUID v5), so links to terms never break.

use uuid::Uuid;

use crate::domain::asset::{AssetKind, FiveWays};
use crate::domain::venue::{AccessibilityFeature, VenueType};

/// Namespace of the feed's derived ids.
pub const NAMESPACE: Uuid = Uuid::from_u128(0x2f6c_1e55_8a4b_4f0e_9a3c_6d1b_0c8e_5a71);

/// The taxonomies, by key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taxonomy {
    Interests,
    Kind,
    FiveWays,
    Details,
    VenueType,
    Accessibility,
}

impl Taxonomy {
    pub const ALL: [Taxonomy; 6] = [
        Taxonomy::Interests,
        Taxonomy::Kind,
        Taxonomy::FiveWays,
        Taxonomy::Details,
        Taxonomy::VenueType,
        Taxonomy::Accessibility,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Taxonomy::Interests => "interests",
            Taxonomy::Kind => "asset-kind",
            Taxonomy::FiveWays => "five-ways",
            Taxonomy::Details => "details",
            Taxonomy::VenueType => "venue-type",
            Taxonomy::Accessibility => "accessibility",
        }
    }

    pub fn from_key(key: &str) -> Option<Taxonomy> {
        Taxonomy::ALL.into_iter().find(|t| t.key() == key)
    }

    pub fn id(self) -> Uuid {
        Uuid::new_v5(&NAMESPACE, format!("taxonomy/{}", self.key()).as_bytes())
    }

    pub fn from_id(id: Uuid) -> Option<Taxonomy> {
        Taxonomy::ALL.into_iter().find(|t| t.id() == id)
    }

    /// The name published as a term's `taxonomy`; importers recognise our terms by it.
    pub fn name(self) -> &'static str {
        match self {
            Taxonomy::Interests => "community-assets interests",
            Taxonomy::Kind => "community-assets asset kinds",
            Taxonomy::FiveWays => "Five Ways to Wellbeing",
            Taxonomy::Details => "community-assets details",
            Taxonomy::VenueType => "community-assets venue types",
            Taxonomy::Accessibility => "community-assets accessibility features",
        }
    }

    /// Where the taxonomy is defined: the Five Ways' publisher, else this feed's own page for
    /// it under `base` (the feed's base URL, e.g. `https://example.org/oruk`).
    pub fn uri(self, base: &str) -> String {
        match self {
            Taxonomy::FiveWays => "https://neweconomics.org/2008/10/five-ways-to-wellbeing".into(),
            _ => format!("{base}/taxonomies/{}", self.id()),
        }
    }

    pub fn from_name(name: &str) -> Option<Taxonomy> {
        Taxonomy::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn description(self) -> &'static str {
        match self {
            Taxonomy::Interests => {
                "What people can do or learn: the community-assets interest vocabulary, built on the OpenActive Activity List (CC BY 4.0)."
            }
            Taxonomy::Kind => {
                "What sort of thing an asset is: a group, a volunteering role, a course or an activity."
            }
            Taxonomy::FiveWays => {
                "The Five Ways to Wellbeing (New Economics Foundation, 2008) an asset supports."
            }
            Taxonomy::Details => {
                "Facts about an asset or venue that HSDS has no field for; each attribute's value holds the fact."
            }
            Taxonomy::VenueType => "What kind of place a venue is.",
            Taxonomy::Accessibility => "Accessibility features of a venue.",
        }
    }
}

/// A fixed term (every taxonomy but the interests, which live in the database).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedTerm {
    pub taxonomy: Taxonomy,
    pub code: &'static str,
    pub description: &'static str,
}

impl FixedTerm {
    pub fn id(&self) -> Uuid {
        term_id(self.taxonomy, self.code)
    }

    pub fn name(&self) -> String {
        label(self.code)
    }
}

pub fn term_id(taxonomy: Taxonomy, code: &str) -> Uuid {
    Uuid::new_v5(
        &NAMESPACE,
        format!("term/{}/{code}", taxonomy.key()).as_bytes(),
    )
}

/// `step_free_access` → `Step free access`.
pub fn label(code: &str) -> String {
    let spaced = code.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The detail terms and what their values mean.
pub const DETAILS: [(&str, &str); 21] = [
    (
        "drop_in",
        "Anyone can turn up without arranging it first (true or false).",
    ),
    (
        "taster_session",
        "A free or low-cost first session to try it out (true or false).",
    ),
    (
        "meet_and_greet",
        "Someone meets newcomers and introduces them (true or false).",
    ),
    (
        "booking_required",
        "A place must be booked in advance (true or false).",
    ),
    (
        "newcomer_notes",
        "Anything else a newcomer should know (text).",
    ),
    (
        "max_participants",
        "Most people who can take part in one session (a whole number).",
    ),
    (
        "typical_group_size",
        "How many people usually come (a whole number).",
    ),
    (
        "non_stigmatised",
        "The venue is a mainstream, non-stigmatised setting (true or false).",
    ),
    (
        "example",
        "An illustrative listing, not a real session (true).",
    ),
    (
        "audience_gender",
        "Who may come by gender: mixed, women_only or men_only.",
    ),
    (
        "audience_groups",
        "The groups the session is made for, comma-separated (older_people, carers, pregnant_postnatal, parents_and_babies, young_people, disabled_people, learning_disability, lgbtq, dementia, refugees_and_asylum_seekers, veterans, long_term_conditions).",
    ),
    (
        "audience_groups_only",
        "Closed to people outside audience_groups (true or false).",
    ),
    (
        "referral_only",
        "People can come only when referred, e.g. by a GP (true or false).",
    ),
    (
        "levels",
        "The levels it suits in the provider's words, separated by \"; \" (text).",
    ),
    ("coached", "A coach or instructor leads it (true or false)."),
    (
        "attendee_instructions",
        "What to bring, wear or do on arrival (text).",
    ),
    (
        "accessibility_support",
        "Support offered to disabled people, separated by \"; \" (text).",
    ),
    (
        "prepayment",
        "Whether a place must be paid for in advance: required, optional or unavailable.",
    ),
    (
        "licence",
        "The licence of the data the listing was made from (a URL); show it with the listing.",
    ),
    (
        "attribution",
        "The credit the data's licence asks for (text); show it with the listing.",
    ),
    ("attribution_url", "The page the credit links to (a URL)."),
];

pub fn fixed_terms() -> Vec<FixedTerm> {
    let mut terms = Vec::new();
    for kind in AssetKind::ALL {
        terms.push(FixedTerm {
            taxonomy: Taxonomy::Kind,
            code: kind.as_str(),
            description: "What sort of thing the asset is.",
        });
    }
    for way in FiveWays::ALL {
        terms.push(FixedTerm {
            taxonomy: Taxonomy::FiveWays,
            code: way.as_str(),
            description: "One of the Five Ways to Wellbeing.",
        });
    }
    for (code, description) in DETAILS {
        terms.push(FixedTerm {
            taxonomy: Taxonomy::Details,
            code,
            description,
        });
    }
    for venue_type in VenueType::ALL {
        terms.push(FixedTerm {
            taxonomy: Taxonomy::VenueType,
            code: venue_type.as_str(),
            description: "What kind of place the venue is.",
        });
    }
    for feature in AccessibilityFeature::ALL {
        terms.push(FixedTerm {
            taxonomy: Taxonomy::Accessibility,
            code: feature.as_str(),
            description: "An accessibility feature of the venue.",
        });
    }
    terms
}

pub fn fixed_term(taxonomy: Taxonomy, code: &str) -> Option<FixedTerm> {
    fixed_terms()
        .into_iter()
        .find(|t| t.taxonomy == taxonomy && t.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let terms = fixed_terms();
        let mut ids: Vec<Uuid> = terms.iter().map(FixedTerm::id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), terms.len());
        assert_eq!(
            term_id(Taxonomy::Kind, "group"),
            term_id(Taxonomy::Kind, "group")
        );
        assert_ne!(
            term_id(Taxonomy::Kind, "group"),
            term_id(Taxonomy::Details, "group")
        );
        for t in Taxonomy::ALL {
            assert_eq!(Taxonomy::from_id(t.id()), Some(t));
            assert_eq!(Taxonomy::from_name(t.name()), Some(t));
            assert_eq!(Taxonomy::from_key(t.key()), Some(t));
        }
    }

    #[test]
    fn labels_read_as_words() {
        assert_eq!(label("step_free_access"), "Step free access");
        assert_eq!(label("group"), "Group");
    }
}

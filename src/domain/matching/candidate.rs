//! An asset as the candidate query returns it: only what the rules and scores read.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::asset::AssetKind;
use crate::domain::audience::{Audience, Person};
use crate::domain::cost::{ConcessionRule, best_rule_price};
use crate::domain::geometry::LatLon;
use crate::domain::matching::request::Budget;
use crate::domain::participation::Participation;
use crate::domain::referrals::Aggregate;
use crate::domain::schedule::Session;
use crate::domain::venue::VenueType;

#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub venue_id: Option<Uuid>,
    /// The venue's point, or the point of the service area nearest the person; `None` for an
    /// asset that is only online.
    pub position: Option<LatLon>,
    pub online: bool,
    pub kind: AssetKind,
    pub min_age: Option<i16>,
    pub max_age: Option<i16>,
    pub cost_free: Option<bool>,
    pub cost_pence: Option<i32>,
    pub concession_pence: Option<i32>,
    /// Concession prices with their own rules.
    pub concession_rules: Vec<ConcessionRule>,
    pub accessibility: Vec<String>,
    pub venue_type: Option<VenueType>,
    pub non_stigmatised: Option<bool>,
    pub drop_in: Option<bool>,
    pub taster_session: Option<bool>,
    pub meet_and_greet: Option<bool>,
    pub booking_required: Option<bool>,
    pub typical_group_size: Option<i32>,
    pub max_participants: Option<i32>,
    /// Who the session is for.
    pub audience: Audience,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The sum of its referrals (empty when it has none).
    pub outcomes: Aggregate,
    pub interest_ids: Vec<Uuid>,
    /// Per interest the person gave, whether its words appear in the asset's text.
    pub text_hits: Vec<bool>,
    /// Title and the start of the description, to relate the asset to a phrase by meaning.
    pub text: String,
    /// Per interest, how close the asset's text is in meaning to the phrase (worked out only
    /// for phrases widened that far).
    pub semantic: Vec<Option<f32>>,
    pub sessions: Vec<Session>,
    /// Levels, coaching, what to bring, support offered: said in the reasons.
    pub participation: Participation,
}

impl Candidate {
    /// What the person pays for one session: 0 when free, the concession price when they
    /// qualify and there is one, else the full price; `None` when the asset does not say.
    pub fn effective_cost_pence(&self, concessions: bool) -> Option<i32> {
        if self.cost_free == Some(true) {
            return Some(0);
        }
        if concessions && let Some(c) = self.concession_pence {
            return Some(c);
        }
        self.cost_pence
    }

    /// What this person pays for one session: the lowest of the full price, the flat
    /// concession price when they qualify, and any concession rule that covers them (their age
    /// and groups); 0 when free; `None` when the asset states no price that applies.
    pub fn price_for(&self, budget: &Budget, person: &Person) -> Option<i32> {
        let flat = self.effective_cost_pence(budget.concessions);
        if flat == Some(0) {
            return flat;
        }
        let rule = best_rule_price(&self.concession_rules, person.age, &budget.eligible_for);
        match (flat, rule) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn has_feature(&self, feature: &str) -> bool {
        self.accessibility.iter().any(|f| f == feature)
    }

    /// A group of about a dozen or fewer, which anxious newcomers find easier.
    pub fn small_group(&self) -> Option<bool> {
        self.typical_group_size
            .or(self.max_participants)
            .map(|n| n <= 12)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A published-looking candidate with nothing stated, for tests to adjust.
    pub fn blank(n: u128) -> Candidate {
        Candidate {
            id: Uuid::from_u128(n),
            organization_id: Uuid::from_u128(1000 + n),
            venue_id: Some(Uuid::from_u128(2000 + n)),
            position: Some(LatLon {
                lat: 53.4248,
                lon: -2.3232,
            }),
            online: false,
            kind: AssetKind::Group,
            min_age: None,
            max_age: None,
            cost_free: None,
            cost_pence: None,
            concession_pence: None,
            concession_rules: vec![],
            accessibility: vec![],
            venue_type: Some(VenueType::CommunityCentre),
            non_stigmatised: Some(true),
            drop_in: None,
            taster_session: None,
            meet_and_greet: None,
            booking_required: None,
            typical_group_size: None,
            max_participants: None,
            audience: Audience::default(),
            confirmed_at: None,
            created_at: DateTime::<Utc>::MIN_UTC,
            outcomes: Aggregate::default(),
            interest_ids: vec![],
            text_hits: vec![],
            text: String::new(),
            semantic: vec![],
            sessions: vec![],
            participation: Participation::default(),
        }
    }

    #[test]
    fn effective_cost_uses_concessions_only_for_those_who_qualify() {
        let mut c = blank(1);
        assert_eq!(c.effective_cost_pence(true), None);
        c.cost_pence = Some(500);
        c.concession_pence = Some(250);
        assert_eq!(c.effective_cost_pence(false), Some(500));
        assert_eq!(c.effective_cost_pence(true), Some(250));
        c.cost_free = Some(true);
        assert_eq!(c.effective_cost_pence(false), Some(0));
    }
}

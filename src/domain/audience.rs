//! Who a session is for, and whether a person may and would want to come.
//!
//! An asset states its gender rule (mixed, women only, men only), the groups it is made for
//! (older people, new parents, carers…), whether it is closed to everyone outside those groups,
//! and whether it takes referrals only. A match request may say the person's gender, that they
//! want single-gender sessions, their circumstances and whether they have a referral. A rule
//! that excludes the person is a hard constraint; a session made for them is a strong plus.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validation::Errors;

string_enum! {
    /// Who may come by gender.
    #[derive(Default)]
    GenderRule {
        #[default]
        Mixed => "mixed",
        WomenOnly => "women_only",
        MenOnly => "men_only",
    }
}

string_enum! {
    /// A group of people a session is made for.
    AudienceGroup {
        PregnantPostnatal => "pregnant_postnatal",
        ParentsAndBabies => "parents_and_babies",
        OlderPeople => "older_people",
        YoungPeople => "young_people",
        DisabledPeople => "disabled_people",
        LearningDisability => "learning_disability",
        Carers => "carers",
        Lgbtq => "lgbtq",
        Dementia => "dementia",
        RefugeesAndAsylumSeekers => "refugees_and_asylum_seekers",
        Veterans => "veterans",
        LongTermConditions => "long_term_conditions",
    }
}

string_enum! {
    /// The person's gender, when they choose to say.
    PersonGender {
        Woman => "woman",
        Man => "man",
        NonBinary => "non_binary",
    }
}

string_enum! {
    /// Sessions for one gender only, when that is what the person wants.
    SingleGender {
        WomenOnly => "women_only",
        MenOnly => "men_only",
    }
}

string_enum! {
    /// Something about the person's life that decides which sessions are for them.
    Circumstance {
        Pregnant => "pregnant",
        NewParent => "new_parent",
        RecentCardiacEvent => "recent_cardiac_event",
        FallsRisk => "falls_risk",
        LearningDisability => "learning_disability",
        Disabled => "disabled",
        Carer => "carer",
        Lgbtq => "lgbtq",
        Dementia => "dementia",
        RefugeeOrAsylumSeeker => "refugee_or_asylum_seeker",
        Veteran => "veteran",
        LongTermCondition => "long_term_condition",
    }
}

impl Circumstance {
    /// The groups someone in this circumstance belongs to.
    pub fn groups(self) -> &'static [AudienceGroup] {
        use AudienceGroup as G;
        match self {
            Circumstance::Pregnant => &[G::PregnantPostnatal],
            Circumstance::NewParent => &[G::PregnantPostnatal, G::ParentsAndBabies],
            Circumstance::RecentCardiacEvent
            | Circumstance::FallsRisk
            | Circumstance::LongTermCondition => &[G::LongTermConditions],
            Circumstance::LearningDisability => &[G::LearningDisability, G::DisabledPeople],
            Circumstance::Disabled => &[G::DisabledPeople],
            Circumstance::Carer => &[G::Carers],
            Circumstance::Lgbtq => &[G::Lgbtq],
            Circumstance::Dementia => &[G::Dementia],
            Circumstance::RefugeeOrAsylumSeeker => &[G::RefugeesAndAsylumSeekers],
            Circumstance::Veteran => &[G::Veterans],
        }
    }

    /// Whether starting physical activity calls for a word with a GP or midwife first.
    pub fn needs_medical_advice_for_exercise(self) -> bool {
        matches!(
            self,
            Circumstance::Pregnant | Circumstance::RecentCardiacEvent | Circumstance::FallsRisk
        )
    }
}

/// From this age a person counts as one of the older people sessions are made for.
pub const OLDER_FROM: i64 = 60;
/// Up to this age a person counts as one of the young people sessions are made for.
pub const YOUNG_UNTIL: i64 = 25;

/// Who a session is for, as submitted and as shown; every field has a default, so omitting
/// the object means a mixed session open to everyone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    /// Who may come by gender; default `mixed`.
    #[serde(default)]
    #[schema(example = "women_only")]
    pub gender: GenderRule,
    /// The groups the session is made for (at most one of each); empty when it is for anyone.
    #[serde(default)]
    #[schema(example = json!(["pregnant_postnatal"]))]
    pub groups: Vec<AudienceGroup>,
    /// Closed to people outside `groups` (a carers' group, a postnatal class); needs at least
    /// one group. Default false: made for them, open to all.
    #[serde(default)]
    #[schema(example = false)]
    pub groups_only: bool,
    /// People can come only when referred (e.g. GP exercise referral, cardiac rehabilitation).
    #[serde(default)]
    #[schema(example = false)]
    pub referral_only: bool,
}

impl Audience {
    /// An audience from its stored columns; a group name outside the enum (which the writers
    /// never store) is left out rather than failing a read.
    pub fn from_columns(
        gender: GenderRule,
        groups: &[String],
        groups_only: bool,
        referral_only: bool,
    ) -> Audience {
        Audience {
            gender,
            groups: groups
                .iter()
                .filter_map(|g| AudienceGroup::parse(g))
                .collect(),
            groups_only,
            referral_only,
        }
    }
}

/// Checks an asset's audience; groups come back sorted and without repeats.
pub fn validate(input: &Audience, field: &str, errors: &mut Errors) -> Audience {
    let mut groups = input.groups.clone();
    groups.sort();
    groups.dedup();
    if input.groups_only && groups.is_empty() {
        errors.add(
            format!("{field}.groups_only"),
            "needs at least one group in groups: closed to everyone else means closed to all",
        );
    }
    Audience {
        groups,
        ..input.clone()
    }
}

/// What the request says about the person; nothing of it is stored or logged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub age: Option<i64>,
    pub gender: Option<PersonGender>,
    pub single_gender: Option<SingleGender>,
    pub circumstances: Vec<Circumstance>,
    pub has_referral: bool,
}

impl Person {
    /// Every group the person is known to belong to.
    pub fn groups(&self) -> Vec<AudienceGroup> {
        let mut out: Vec<AudienceGroup> = self
            .circumstances
            .iter()
            .flat_map(|c| c.groups().iter().copied())
            .collect();
        if let Some(age) = self.age {
            if age >= OLDER_FROM {
                out.push(AudienceGroup::OlderPeople);
            }
            if age <= YOUNG_UNTIL {
                out.push(AudienceGroup::YoungPeople);
            }
        }
        out.sort();
        out.dedup();
        out
    }

    pub fn needs_medical_advice_for_exercise(&self) -> bool {
        self.circumstances
            .iter()
            .any(|c| c.needs_medical_advice_for_exercise())
    }
}

/// Why a session's audience rules leave the person out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Exclusion {
    /// Women only, and the person is a man (or men only, and a woman).
    Gender,
    /// The person asked for single-gender sessions and this one is not.
    NotSingleGender,
    /// Closed to people outside its groups, and the person is not known to be in one.
    Groups,
    /// Referral only, and the person has no referral.
    Referral,
}

/// Every rule of the audience that leaves the person out; empty when they may come.
pub fn exclusions(audience: &Audience, person: &Person) -> Vec<Exclusion> {
    let mut out = Vec::new();
    let wrong_gender = matches!(
        (audience.gender, person.gender),
        (GenderRule::WomenOnly, Some(PersonGender::Man))
            | (GenderRule::MenOnly, Some(PersonGender::Woman))
    );
    if wrong_gender {
        out.push(Exclusion::Gender);
    }
    let wanted = person.single_gender.map(|s| match s {
        SingleGender::WomenOnly => GenderRule::WomenOnly,
        SingleGender::MenOnly => GenderRule::MenOnly,
    });
    if let Some(rule) = wanted
        && audience.gender != rule
    {
        out.push(Exclusion::NotSingleGender);
    }
    if audience.groups_only {
        let theirs = person.groups();
        if !audience.groups.iter().any(|g| theirs.contains(g)) {
            out.push(Exclusion::Groups);
        }
    }
    if audience.referral_only && !person.has_referral {
        out.push(Exclusion::Referral);
    }
    out
}

/// The groups the session is made for that the person belongs to (a strong positive), and
/// whether it is the single-gender session they asked for.
pub fn made_for(audience: &Audience, person: &Person) -> Vec<AudienceGroup> {
    let theirs = person.groups();
    audience
        .groups
        .iter()
        .copied()
        .filter(|g| theirs.contains(g))
        .collect()
}

/// How a group reads in a sentence ("Made for carers").
pub fn group_phrase(group: AudienceGroup) -> &'static str {
    use AudienceGroup as G;
    match group {
        G::PregnantPostnatal => "pregnant women and new mothers",
        G::ParentsAndBabies => "parents with babies and toddlers",
        G::OlderPeople => "older people",
        G::YoungPeople => "young people",
        G::DisabledPeople => "disabled people",
        G::LearningDisability => "people with a learning disability",
        G::Carers => "carers",
        G::Lgbtq => "LGBTQ+ people",
        G::Dementia => "people living with dementia",
        G::RefugeesAndAsylumSeekers => "refugees and people seeking asylum",
        G::Veterans => "armed forces veterans",
        G::LongTermConditions => "people with a long-term health condition",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audience(gender: GenderRule, groups: &[AudienceGroup], only: bool) -> Audience {
        Audience {
            gender,
            groups: groups.to_vec(),
            groups_only: only,
            referral_only: false,
        }
    }

    fn person(gender: Option<PersonGender>) -> Person {
        Person {
            gender,
            ..Person::default()
        }
    }

    #[test]
    fn a_women_only_session_is_never_for_a_man_and_men_only_never_for_a_woman() {
        let women = audience(GenderRule::WomenOnly, &[], false);
        let men = audience(GenderRule::MenOnly, &[], false);
        assert_eq!(
            exclusions(&women, &person(Some(PersonGender::Man))),
            [Exclusion::Gender]
        );
        assert_eq!(
            exclusions(&men, &person(Some(PersonGender::Woman))),
            [Exclusion::Gender]
        );
        assert!(exclusions(&women, &person(Some(PersonGender::Woman))).is_empty());
        // Unstated gender, or non-binary: not excluded by us; the explanation says who it is for.
        assert!(exclusions(&women, &person(None)).is_empty());
        assert!(exclusions(&men, &person(Some(PersonGender::NonBinary))).is_empty());
    }

    #[test]
    fn wanting_single_gender_sessions_leaves_mixed_ones_out() {
        let p = Person {
            gender: Some(PersonGender::Woman),
            single_gender: Some(SingleGender::WomenOnly),
            ..Person::default()
        };
        assert_eq!(
            exclusions(&Audience::default(), &p),
            [Exclusion::NotSingleGender]
        );
        assert!(exclusions(&audience(GenderRule::WomenOnly, &[], false), &p).is_empty());
    }

    #[test]
    fn closed_groups_admit_only_their_members_by_circumstance_or_age() {
        let carers = audience(
            GenderRule::Mixed,
            &[AudienceGroup::Dementia, AudienceGroup::Carers],
            true,
        );
        assert_eq!(exclusions(&carers, &Person::default()), [Exclusion::Groups]);
        let carer = Person {
            circumstances: vec![Circumstance::Carer],
            ..Person::default()
        };
        assert!(exclusions(&carers, &carer).is_empty());
        assert_eq!(made_for(&carers, &carer), [AudienceGroup::Carers]);

        let over_60s = audience(GenderRule::Mixed, &[AudienceGroup::OlderPeople], true);
        let at = |age| Person {
            age: Some(age),
            ..Person::default()
        };
        assert!(exclusions(&over_60s, &at(OLDER_FROM)).is_empty());
        assert_eq!(
            exclusions(&over_60s, &at(OLDER_FROM - 1)),
            [Exclusion::Groups]
        );
        // Made for older people but open to all: nobody is excluded.
        let open = audience(GenderRule::Mixed, &[AudienceGroup::OlderPeople], false);
        assert!(exclusions(&open, &at(30)).is_empty());
        assert!(made_for(&open, &at(30)).is_empty());
    }

    #[test]
    fn a_new_parent_is_in_the_postnatal_and_baby_groups() {
        let p = Person {
            circumstances: vec![Circumstance::NewParent],
            ..Person::default()
        };
        assert_eq!(
            p.groups(),
            [
                AudienceGroup::PregnantPostnatal,
                AudienceGroup::ParentsAndBabies
            ]
        );
    }

    #[test]
    fn referral_only_sessions_need_a_referral() {
        let rehab = Audience {
            referral_only: true,
            ..Audience::default()
        };
        assert_eq!(
            exclusions(&rehab, &Person::default()),
            [Exclusion::Referral]
        );
        let referred = Person {
            has_referral: true,
            ..Person::default()
        };
        assert!(exclusions(&rehab, &referred).is_empty());
    }

    #[test]
    fn groups_only_without_a_group_is_refused() {
        let mut errors = Errors::default();
        let out = validate(
            &Audience {
                groups: vec![AudienceGroup::Carers, AudienceGroup::Carers],
                ..Audience::default()
            },
            "audience",
            &mut errors,
        );
        assert_eq!(out.groups, [AudienceGroup::Carers]);
        let mut errors = Errors::default();
        validate(
            &Audience {
                groups_only: true,
                ..Audience::default()
            },
            "audience",
            &mut errors,
        );
        assert!(errors.finish(()).is_err());
    }
}

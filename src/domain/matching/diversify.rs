//! Variety: maximal marginal relevance. The list is for a person and a worker to choose from
//! together, so a result that repeats an organisation, a venue or an interest already covered
//! must score clearly better than a fresh one to take the next place.

use uuid::Uuid;

/// What the re-ranking compares.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub venue_id: Option<Uuid>,
    /// The person's interest this asset matches best.
    pub interest: Option<usize>,
    pub score: f64,
}

/// Trade-off between score and novelty: 1 is pure score order.
pub const LAMBDA: f64 = 0.7;

/// How alike two results are, in 0..1.
pub fn similarity(a: &Item, b: &Item, several_interests: bool) -> f64 {
    let mut s: f64 = 0.0;
    if a.organization_id == b.organization_id {
        s += 0.6;
    }
    if a.venue_id.is_some() && a.venue_id == b.venue_id {
        s += 0.4;
    }
    if several_interests && a.interest.is_some() && a.interest == b.interest {
        s += 0.3;
    }
    s.min(1.0)
}

/// Picks up to `limit` items greedily by `λ·score − (1−λ)·(greatest similarity to those already
/// picked)`; ties go to the higher score, then the lower id, so the order is deterministic.
/// Returns indices into `items`.
pub fn mmr(items: &[Item], limit: usize, several_interests: bool) -> Vec<usize> {
    let mut chosen: Vec<usize> = Vec::with_capacity(limit.min(items.len()));
    let mut left: Vec<usize> = (0..items.len()).collect();
    while chosen.len() < limit && !left.is_empty() {
        let value = |i: usize| {
            let redundancy = chosen
                .iter()
                .map(|&j| similarity(&items[i], &items[j], several_interests))
                .fold(0.0, f64::max);
            LAMBDA * items[i].score - (1.0 - LAMBDA) * redundancy
        };
        let (pos, _) = left
            .iter()
            .enumerate()
            .map(|(pos, &i)| (pos, (value(i), i)))
            .max_by(|(_, (va, a)), (_, (vb, b))| {
                va.total_cmp(vb)
                    .then(items[*a].score.total_cmp(&items[*b].score))
                    .then(items[*b].id.cmp(&items[*a].id))
            })
            .expect("left is not empty");
        chosen.push(left.remove(pos));
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(n: u128, org: u128, venue: u128, interest: usize, score: f64) -> Item {
        Item {
            id: Uuid::from_u128(n),
            organization_id: Uuid::from_u128(org),
            venue_id: Some(Uuid::from_u128(venue)),
            interest: Some(interest),
            score,
        }
    }

    #[test]
    fn one_organisation_does_not_fill_the_list_when_others_are_close() {
        let mut items: Vec<Item> = (0..10)
            .map(|n| item(n, 1, 1, 0, 0.90 - n as f64 * 0.001))
            .collect();
        items.push(item(20, 2, 2, 0, 0.85));
        items.push(item(21, 3, 3, 0, 0.84));
        let picked = mmr(&items, 5, false);
        assert_eq!(picked[0], 0, "the best result stays first");
        assert!(picked.contains(&10) && picked.contains(&11), "{picked:?}");
    }

    #[test]
    fn a_far_better_result_still_wins_over_variety() {
        let items = vec![
            item(1, 1, 1, 0, 0.9),
            item(2, 1, 1, 0, 0.88),
            item(3, 2, 2, 0, 0.3),
        ];
        assert_eq!(mmr(&items, 2, false), [0, 1]);
    }

    #[test]
    fn several_interests_are_covered() {
        let items = vec![
            item(1, 1, 1, 0, 0.90),
            item(2, 2, 2, 0, 0.89),
            item(3, 3, 3, 0, 0.88),
            item(4, 4, 4, 1, 0.80),
        ];
        let picked = mmr(&items, 2, true);
        assert_eq!(picked, [0, 3]);
        assert_eq!(mmr(&items, 2, false), [0, 1]);
    }

    #[test]
    fn ties_are_broken_by_id_and_limits_are_kept() {
        let items = vec![item(2, 1, 1, 0, 0.5), item(1, 2, 2, 0, 0.5)];
        assert_eq!(mmr(&items, 1, false), [1]);
        assert_eq!(mmr(&items, 10, false).len(), 2);
        assert!(mmr(&[], 3, false).is_empty());
    }
}

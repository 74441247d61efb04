//! Who goes into which reflection group: the event's grouping rule over
//! one attribute, for everyone without a group at once (when the event
//! moves to the reflection part) and for each late joiner. Nobody who has
//! a group is moved; a group at its capacity takes nobody. Pure.

use super::Rule;
use std::collections::HashMap;

/// A reflection group as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub board: String,
    pub capacity: Option<i64>,
    /// The grouping attribute's value of each member.
    pub values: Vec<String>,
}

impl Group {
    fn has_room(&self) -> bool {
        self.capacity
            .is_none_or(|capacity| (self.values.len() as i64) < capacity)
    }

    fn count(&self, value: &str) -> usize {
        self.values.iter().filter(|v| *v == value).count()
    }
}

/// Someone to place, with their value of the grouping attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub value: String,
}

/// Places `people` (in the order they joined) into `groups`, which are
/// updated as they fill. Returns each person's group, `None` when every
/// group is full. The largest value's people go first, so that a value
/// with many people is not left with the scraps.
///
/// - [`Rule::Equal`]: into a group of their value below the even size,
///   else an empty group, else a group of their value, else the smallest:
///   one value per group as far as the groups go round.
/// - [`Rule::Mixed`]: into the group with the fewest of their value, then
///   the fewest people: every value spread as evenly as it goes.
pub fn assign(
    rule: Rule,
    groups: &mut [Group],
    people: &[Person],
) -> Vec<(String, Option<String>)> {
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for person in people {
        *sizes.entry(&person.value).or_default() += 1;
    }
    let mut ordered: Vec<(usize, &Person)> = people.iter().enumerate().collect();
    ordered.sort_by(|(a_index, a), (b_index, b)| {
        let size = |p: &Person| sizes.get(p.value.as_str()).copied().unwrap_or(0);
        size(b)
            .cmp(&size(a))
            .then_with(|| first_of(people, &a.value).cmp(&first_of(people, &b.value)))
            .then(a_index.cmp(b_index))
    });
    let members: usize = groups.iter().map(|g| g.values.len()).sum();
    let even = (members + people.len()).div_ceil(groups.len().max(1));
    let mut placed = Vec::with_capacity(people.len());
    for (_, person) in ordered {
        let chosen = match rule {
            Rule::Equal => choose_equal(groups, &person.value, even),
            Rule::Mixed => choose_mixed(groups, &person.value),
        };
        if let Some(index) = chosen {
            groups[index].values.push(person.value.clone());
        }
        placed.push((
            person.id.clone(),
            chosen.map(|index| groups[index].board.clone()),
        ));
    }
    placed
}

/// Where a value first occurs: ties between values of one size keep the
/// order people came in.
fn first_of(people: &[Person], value: &str) -> usize {
    people.iter().position(|p| p.value == value).unwrap_or(0)
}

fn choose_equal(groups: &[Group], value: &str, even: usize) -> Option<usize> {
    let open = || groups.iter().enumerate().filter(|(_, g)| g.has_room());
    let smallest = |candidates: Vec<(usize, &Group)>| {
        candidates
            .into_iter()
            .min_by_key(|(index, g)| (g.values.len(), *index))
            .map(|(index, _)| index)
    };
    let own: Vec<_> = open().filter(|(_, g)| g.count(value) > 0).collect();
    let below_even: Vec<_> = own
        .iter()
        .copied()
        .filter(|(_, g)| g.values.len() < even)
        .collect();
    smallest(below_even)
        .or_else(|| smallest(open().filter(|(_, g)| g.values.is_empty()).collect()))
        .or_else(|| smallest(own))
        .or_else(|| smallest(open().collect()))
}

fn choose_mixed(groups: &[Group], value: &str) -> Option<usize> {
    groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.has_room())
        .min_by_key(|(index, g)| (g.count(value), g.values.len(), *index))
        .map(|(index, _)| index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(count: usize, capacity: Option<i64>) -> Vec<Group> {
        (0..count)
            .map(|i| Group {
                board: format!("g{i}"),
                capacity,
                values: Vec::new(),
            })
            .collect()
    }

    fn people(values: &[&str]) -> Vec<Person> {
        values
            .iter()
            .enumerate()
            .map(|(i, value)| Person {
                id: format!("p{i}"),
                value: (*value).to_owned(),
            })
            .collect()
    }

    /// Each group's values, sorted.
    fn contents(groups: &[Group]) -> Vec<Vec<String>> {
        groups
            .iter()
            .map(|g| {
                let mut values = g.values.clone();
                values.sort();
                values
            })
            .collect()
    }

    #[test]
    fn equal_groups_hold_one_value_each() {
        let mut kassel = groups(3, None);
        let joined = people(&[
            "small", "large", "medium", "small", "large", "medium", "small", "medium", "large",
            "small", "medium", "large",
        ]);
        let placed = assign(Rule::Equal, &mut kassel, &joined);
        assert!(placed.iter().all(|(_, group)| group.is_some()));
        let mut sorted = contents(&kassel);
        sorted.sort();
        assert_eq!(
            sorted,
            [["large"; 4], ["medium"; 4], ["small"; 4]].map(|g| g.map(String::from).to_vec())
        );
    }

    #[test]
    fn a_large_value_takes_two_groups_and_a_spare_value_is_shared() {
        let mut three = groups(3, None);
        assign(
            Rule::Equal,
            &mut three,
            &people(
                &["a"; 8]
                    .iter()
                    .chain(&["b"; 4])
                    .copied()
                    .collect::<Vec<_>>(),
            ),
        );
        assert_eq!(contents(&three), [vec!["a"; 4], vec!["a"; 4], vec!["b"; 4]]);
        // Four values, three groups: three values keep a group each.
        let mut few = groups(3, None);
        assign(
            Rule::Equal,
            &mut few,
            &people(&["a", "a", "a", "b", "b", "b", "c", "c", "c", "d", "d"]),
        );
        let pure = contents(&few)
            .iter()
            .filter(|g| g.iter().all(|v| v == &g[0]))
            .count();
        assert!(pure >= 1, "{:?}", contents(&few));
        assert_eq!(few.iter().map(|g| g.values.len()).sum::<usize>(), 11);
    }

    #[test]
    fn mixed_groups_spread_every_value() {
        let mut cottbus = groups(3, None);
        assign(
            Rule::Mixed,
            &mut cottbus,
            &people(&[
                "stadtteil",
                "stadtteil",
                "stadtteil",
                "traeger",
                "traeger",
                "traeger",
                "politik",
                "politik",
                "politik",
            ]),
        );
        for group in contents(&cottbus) {
            assert_eq!(group, ["politik", "stadtteil", "traeger"]);
        }
    }

    #[test]
    fn late_joiners_move_nobody_and_find_their_value() {
        let mut kassel = groups(3, None);
        assign(
            Rule::Equal,
            &mut kassel,
            &people(&["small", "small", "large", "large", "medium", "medium"]),
        );
        let before = kassel.clone();
        let placed = assign(Rule::Equal, &mut kassel, &people(&["medium"]));
        let group = placed[0].1.clone().expect("placed");
        let index = kassel
            .iter()
            .position(|g| g.board == group)
            .expect("a group");
        assert!(before[index].values.iter().all(|v| v == "medium"));
        for (old, new) in before.iter().zip(&kassel) {
            assert_eq!(new.values[..old.values.len()], old.values[..]);
        }
        // Mixed: the late one goes where their value is missing.
        let mut mixed = groups(2, None);
        assign(Rule::Mixed, &mut mixed, &people(&["a", "b", "a"]));
        let placed = assign(Rule::Mixed, &mut mixed, &people(&["b"]));
        let index = mixed
            .iter()
            .position(|g| Some(&g.board) == placed[0].1.as_ref())
            .expect("a group");
        assert_eq!(mixed[index].count("b"), 1);
    }

    #[test]
    fn full_groups_take_nobody() {
        let mut small = groups(2, Some(2));
        let placed = assign(Rule::Mixed, &mut small, &people(&["a", "b", "c", "d", "e"]));
        assert_eq!(placed.iter().filter(|(_, g)| g.is_none()).count(), 1);
        assert!(small.iter().all(|g| g.values.len() == 2));
        assert_eq!(assign(Rule::Equal, &mut small, &people(&["a"]))[0].1, None);
        assert_eq!(assign(Rule::Equal, &mut [], &people(&["a"]))[0].1, None);
    }
}

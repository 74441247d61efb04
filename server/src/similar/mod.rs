//! Cards that say the same thing in other words (issue 15): the suggestions
//! the moderator accepts or dismisses ("these four cards look alike: make a
//! cluster?"), computed on the server with no model, no download and no
//! service.
//!
//! A card's text becomes weighted features ([`Analyser::features`]):
//!
//! 1. words, split at anything that is not a letter or digit, abbreviations
//!    typed on phones spelt out (`JC` → Jobcenter, `DaZ`, `Kita`, …) and
//!    stop words (German and English) dropped;
//! 2. each word's Snowball stem (German, or English for a card in English),
//!    umlauts folded (`ä` → `ae`), so "Wohnungen" meets "Wohnung";
//! 3. the known words a compound starts or ends with ("Sprachkursplätze" →
//!    Sprachkurs, Plätze), known from the lexicon and from the other cards;
//! 4. the concepts of a stem: topics ([`lexicon::CONCEPTS`]: "Deutschkurs",
//!    "Integrationskurs" and "language class" are one) and, weighed less,
//!    aspects ([`lexicon::ASPECTS`]: waiting, cost, evenings); a word may
//!    name several, and a word one or two letters from a concept's word
//!    ("Kinderbetreung") names its concepts too;
//! 5. the letter trigrams of each word, lightly weighted, for typos (off by
//!    default: they cost more precision than they bring).
//!
//! Features are weighted by how rare they are among the cards compared
//! (tf–idf) and compared by cosine. Cards are grouped by average linkage:
//! two groups join while their cards are, on average, at least
//! [`THRESHOLD`] alike, and never across a pair the moderator dismissed.
//! `bench/data/similar-cards*.json` are the labelled sets the lexicon and
//! threshold were chosen on (and one blind set); `kartenwand-bench similar`
//! prints precision and recall, and what each step adds.
//!
//! Everything here is pure: no I/O.

mod lexicon;

use crate::board::model::Board;
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How alike two groups' cards must be on average to join.
pub const THRESHOLD: f32 = 0.30;

/// Which steps run (all, by default); the benchmark turns them off one by
/// one to measure what each adds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Steps {
    pub stems: bool,
    pub compounds: bool,
    pub concepts: bool,
    pub abbreviations: bool,
    /// Weight of the letter trigrams; 0 leaves them out.
    pub trigrams: f32,
}

impl Default for Steps {
    fn default() -> Self {
        Steps {
            stems: true,
            compounds: true,
            concepts: true,
            abbreviations: true,
            trigrams: 0.0,
        }
    }
}

impl Steps {
    /// Plain word overlap: none of the steps.
    pub fn words_only() -> Self {
        Steps {
            stems: false,
            compounds: false,
            concepts: false,
            abbreviations: false,
            trigrams: 0.0,
        }
    }
}

/// Weights of the kinds of feature, before rarity.
const WORD: f32 = 1.0;
const PART: f32 = 0.7;
const CONCEPT: f32 = 1.0;
/// An aspect ([`lexicon::ASPECTS`]: waiting, cost, evenings) says less about
/// which need a card names than a topic does.
const ASPECT: f32 = 0.7;
/// A word's own weight beside its concept's.
const WORD_IN_CONCEPT: f32 = 0.1;

/// Compounds are looked into from this many letters on; a known part has
/// at least [`PART_MIN`].
const COMPOUND_MIN: usize = 8;
const PART_MIN: usize = 4;
/// Words with a typo are recognised from this many letters on.
const TYPO_MIN: usize = 6;

/// A feature of a card's text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Feature {
    Word(String),
    Concept(u16),
    Trigram(String),
    /// A synonym set of a thesaurus ([`Analyser::with_thesaurus`]).
    Synset(u32),
}

/// What [`Analyser`] found in one text, before weighting.
#[derive(Debug, Clone, Default)]
struct Found {
    features: Vec<(Feature, f32)>,
    /// Each word stem or concept with a word as written, for labels.
    spelled: Vec<(Feature, String)>,
}

pub struct Analyser {
    steps: Steps,
    german: Stemmer,
    english: Stemmer,
    german_stop: HashSet<&'static str>,
    english_stop: HashSet<&'static str>,
    abbreviations: HashMap<&'static str, &'static str>,
    cased: HashMap<&'static str, &'static str>,
    /// Stem → the concepts it names (a word may be in several).
    concepts: HashMap<String, Vec<u16>>,
    /// Stems of the lexicon's words: parts a compound may have.
    known: HashSet<String>,
    /// The concepts' stems as letters, for typos.
    concept_stems: Vec<(Vec<char>, String)>,
    /// Stem → the thesaurus' synonym sets it is in, and their weight.
    synsets: HashMap<String, Vec<u32>>,
    synonym_weight: f32,
}

/// `ä` → `ae`, `ö` → `oe`, `ü` → `ue`, `ß` → `ss`, accents dropped for the
/// common Latin letters.
fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    for c in word.chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'é' | 'è' | 'ê' => out.push('e'),
            'á' | 'à' | 'â' => out.push('a'),
            'ó' | 'ò' | 'ô' => out.push('o'),
            'í' | 'ì' | 'î' => out.push('i'),
            'ú' | 'ù' | 'û' => out.push('u'),
            'ç' => out.push('c'),
            other => out.push(other),
        }
    }
    out
}

/// The words of a text as written: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

impl Default for Analyser {
    fn default() -> Self {
        Analyser::new(Steps::default())
    }
}

impl Analyser {
    pub fn new(steps: Steps) -> Self {
        let english_stop: HashSet<&str> = lexicon::ENGLISH_STOP_WORDS.iter().copied().collect();
        let german_stop: HashSet<&str> = lexicon::STOP_WORDS
            .iter()
            .copied()
            .filter(|word| !english_stop.contains(word))
            .collect();
        let mut analyser = Analyser {
            steps,
            german: Stemmer::create(Algorithm::German),
            english: Stemmer::create(Algorithm::English),
            german_stop,
            english_stop,
            abbreviations: lexicon::ABBREVIATIONS.iter().copied().collect(),
            cased: lexicon::CASED_ABBREVIATIONS.iter().copied().collect(),
            concepts: HashMap::new(),
            known: HashSet::new(),
            concept_stems: Vec::new(),
            synsets: HashMap::new(),
            synonym_weight: 0.0,
        };
        for (index, words) in lexicon::CONCEPTS.iter().chain(lexicon::ASPECTS).enumerate() {
            for word in *words {
                let lower = word.to_lowercase();
                for stem in [analyser.stem(&lower, false), analyser.stem(&lower, true)] {
                    if stem.chars().count() >= PART_MIN {
                        analyser.known.insert(stem.clone());
                    }
                    let named = analyser.concepts.entry(stem).or_default();
                    if !named.contains(&(index as u16)) {
                        named.push(index as u16);
                    }
                }
            }
        }
        let mut stems: Vec<(Vec<char>, String)> = analyser
            .concepts
            .keys()
            .filter(|stem| stem.chars().count() >= TYPO_MIN)
            .map(|stem| (stem.chars().collect(), stem.clone()))
            .collect();
        stems.sort();
        analyser.concept_stems = stems;
        analyser
    }

    /// Adds a thesaurus in OpenThesaurus' text format (Debian's
    /// `openthesaurus-de-text`: one synonym set per line, terms between
    /// `;`, notes in parentheses, `#` comments): each one-word term's stem
    /// names the sets it is in, with `weight`; a stem in more than
    /// `max_senses` sets (a word of many meanings) names none.
    pub fn with_thesaurus(mut self, text: &str, weight: f32, max_senses: usize) -> Self {
        let mut synsets: HashMap<String, Vec<u32>> = HashMap::new();
        let mut id = 0u32;
        for line in text.lines().filter(|line| !line.starts_with('#')) {
            let mut stems: Vec<String> = line
                .split(';')
                .map(|term| match term.find('(') {
                    Some(at) => term[..at].trim(),
                    None => term.trim(),
                })
                .filter(|term| !term.is_empty() && !term.contains(' ') && !term.contains('.'))
                .map(|term| self.stem(&term.to_lowercase(), false))
                .filter(|stem| stem.chars().count() >= PART_MIN)
                .collect();
            stems.sort();
            stems.dedup();
            if stems.len() < 2 {
                continue;
            }
            for stem in stems {
                synsets.entry(stem).or_default().push(id);
            }
            id += 1;
        }
        synsets.retain(|_, sets| sets.len() <= max_senses);
        self.synsets = synsets;
        self.synonym_weight = weight;
        self
    }

    /// A word's stem (lower case, umlauts folded).
    fn stem(&self, lower: &str, english: bool) -> String {
        if !self.steps.stems {
            return fold(lower);
        }
        let stemmer = if english { &self.english } else { &self.german };
        let stem = fold(&stemmer.stem(lower));
        // Snowball keeps the s of "Kurs" but takes it from "Kurses": one
        // form for both.
        match stem.strip_suffix('s') {
            Some(shorter) if shorter.chars().count() >= PART_MIN => shorter.to_owned(),
            _ => stem,
        }
    }

    fn is_stop(&self, lower: &str) -> bool {
        self.german_stop.contains(lower) || self.english_stop.contains(lower)
    }

    /// The words of a text, lower case, abbreviations spelt out, stop words
    /// dropped; and whether the text reads as English.
    fn tokens(&self, text: &str) -> (Vec<String>, bool) {
        let mut english = 0usize;
        let mut german = 0usize;
        let mut out = Vec::new();
        for word in words(text) {
            if self.steps.abbreviations {
                if let Some(long) = self.cased.get(word) {
                    out.extend(long.split(' ').map(str::to_owned));
                    continue;
                }
            }
            let lower = word.to_lowercase();
            if self.english_stop.contains(lower.as_str()) {
                english += 1;
            } else if self.german_stop.contains(lower.as_str()) {
                german += 1;
            }
            if self.steps.abbreviations {
                if let Some(long) = self.abbreviations.get(lower.as_str()) {
                    out.extend(
                        long.split(' ')
                            .filter(|part| !part.is_empty() && !self.is_stop(part))
                            .map(str::to_owned),
                    );
                    continue;
                }
            }
            if self.is_stop(&lower)
                || lower.chars().count() < 2
                || lower.chars().all(|c| c.is_numeric())
            {
                continue;
            }
            out.push(lower);
        }
        (out, english > german)
    }

    /// The known parts a compound starts and ends with.
    fn parts(&self, lower: &str, english: bool, known: &HashSet<String>) -> Vec<String> {
        let chars: Vec<char> = lower.chars().collect();
        if chars.len() < COMPOUND_MIN {
            return Vec::new();
        }
        let mut found = Vec::new();
        for cut in PART_MIN..=chars.len() - PART_MIN {
            let head: String = chars[..cut].iter().collect();
            let tail: String = chars[cut..].iter().collect();
            // The linking letters of German compounds: Wohnung-s-not.
            let heads = [
                Some(head.clone()),
                head.strip_suffix('s').map(str::to_owned),
                head.strip_suffix("en").map(str::to_owned),
                head.strip_suffix('n').map(str::to_owned),
            ];
            for candidate in heads.into_iter().flatten() {
                if candidate.chars().count() < PART_MIN {
                    continue;
                }
                let stem = self.stem(&candidate, english);
                if known.contains(&stem) || known.contains(&fold(&candidate)) {
                    found.push(stem);
                    break;
                }
            }
            let stem = self.stem(&tail, english);
            if stem.chars().count() >= PART_MIN && known.contains(&stem) {
                found.push(stem);
            }
        }
        found.sort();
        found.dedup();
        found
    }

    /// The concepts of a stem, or of the concept word it is one typo away
    /// from ("kinderbetreung"): two letters in a long word.
    fn concepts_of(&self, stem: &str) -> &[u16] {
        if let Some(concepts) = self.concepts.get(stem) {
            return concepts;
        }
        let letters: Vec<char> = stem.chars().collect();
        if letters.len() < TYPO_MIN {
            return &[];
        }
        let allowed = if letters.len() >= 10 { 2 } else { 1 };
        self.concept_stems
            .iter()
            .filter(|(known, _)| {
                known.len().abs_diff(letters.len()) <= allowed && known.first() == letters.first()
            })
            .find(|(known, _)| edits(known, &letters, allowed) <= allowed)
            .and_then(|(_, known)| self.concepts.get(known))
            .map_or(&[], Vec::as_slice)
    }

    /// The stems of a text's words, for the parts compounds may have.
    fn stems(&self, text: &str) -> Vec<String> {
        let (tokens, english) = self.tokens(text);
        tokens
            .iter()
            .map(|token| self.stem(token, english))
            .filter(|stem| stem.chars().count() >= PART_MIN)
            .collect()
    }

    fn found(&self, text: &str, known: &HashSet<String>) -> Found {
        let (tokens, english) = self.tokens(text);
        let mut found = Found::default();
        for token in &tokens {
            let stem = self.stem(token, english);
            let mut stems = Vec::new();
            if self.steps.compounds {
                stems.extend(
                    self.parts(token, english, known)
                        .into_iter()
                        .filter(|part| *part != stem)
                        .map(|part| (part, PART)),
                );
            }
            stems.push((stem, WORD));
            for (stem, weight) in stems {
                let mut word = weight;
                if self.steps.concepts {
                    let concepts = self.concepts_of(&stem);
                    for &concept in concepts {
                        found
                            .features
                            .push((Feature::Concept(concept), concept_weight(concept) * weight));
                        found
                            .spelled
                            .push((Feature::Concept(concept), token.clone()));
                    }
                    if !concepts.is_empty() {
                        // The concept carries the word: synonyms share most of their weight.
                        word *= WORD_IN_CONCEPT;
                    }
                }
                if let Some(sets) = self.synsets.get(&stem) {
                    for &set in sets {
                        found
                            .features
                            .push((Feature::Synset(set), self.synonym_weight * weight));
                    }
                }
                found
                    .spelled
                    .push((Feature::Word(stem.clone()), token.clone()));
                found.features.push((Feature::Word(stem), word));
            }
            if self.steps.trigrams > 0.0 {
                let padded: Vec<char> = format!("^{}$", fold(token)).chars().collect();
                for window in padded.windows(3) {
                    found.features.push((
                        Feature::Trigram(window.iter().collect()),
                        self.steps.trigrams,
                    ));
                }
            }
        }
        found
    }
}

/// The weight of a concept: a topic's, or an aspect's.
fn concept_weight(concept: u16) -> f32 {
    if usize::from(concept) < lexicon::CONCEPTS.len() {
        CONCEPT
    } else {
        ASPECT
    }
}

/// Edits (insert, delete, replace, swap of neighbours) from `a` to `b`,
/// counted up to `bound` + 1.
fn edits(a: &[char], b: &[char], bound: usize) -> usize {
    let mut before: Vec<usize> = (0..=b.len()).collect();
    let mut previous = before.clone();
    let mut row = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        let mut smallest = row[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(row[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            row[j] = best;
            smallest = smallest.min(best);
        }
        if smallest > bound {
            return bound + 1;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut row);
    }
    previous[b.len()]
}

/// A text's features, weighted and of length 1.
type Vector = Vec<(u32, f32)>;

fn cosine(a: &Vector, b: &Vector) -> f32 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// Texts compared with each other.
pub struct Compared {
    vectors: Vec<Vector>,
    spelled: Vec<Vec<(Feature, String)>>,
}

impl Compared {
    pub fn new<S: AsRef<str>>(analyser: &Analyser, texts: &[S]) -> Compared {
        let mut known = analyser.known.clone();
        for text in texts {
            known.extend(analyser.stems(text.as_ref()));
        }
        let found: Vec<Found> = texts
            .iter()
            .map(|text| analyser.found(text.as_ref(), &known))
            .collect();
        // Rarity: in how many texts each feature is.
        let mut ids: HashMap<Feature, u32> = HashMap::new();
        let mut documents: Vec<u32> = Vec::new();
        let mut counted: Vec<BTreeMap<u32, f32>> = Vec::with_capacity(found.len());
        for text in &found {
            let mut counts: BTreeMap<u32, f32> = BTreeMap::new();
            for (feature, weight) in &text.features {
                let next = ids.len() as u32;
                let id = *ids.entry(feature.clone()).or_insert(next);
                if id as usize == documents.len() {
                    documents.push(0);
                }
                let count = counts.entry(id).or_insert(0.0);
                if *count == 0.0 {
                    documents[id as usize] += 1;
                }
                *count += weight;
            }
            counted.push(counts);
        }
        let n = texts.len() as f32;
        let vectors = counted
            .into_iter()
            .map(|counts| {
                let mut vector: Vector = counts
                    .into_iter()
                    .map(|(id, weight)| {
                        let idf = ((n + 1.0) / (documents[id as usize] as f32 + 0.5)).ln();
                        // A repeated word counts less than a new one.
                        (id, weight.sqrt() * idf.max(0.0))
                    })
                    .collect();
                let norm = vector.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
                if norm > 0.0 {
                    for entry in &mut vector {
                        entry.1 /= norm;
                    }
                }
                vector
            })
            .collect();
        Compared {
            vectors,
            spelled: found.into_iter().map(|text| text.spelled).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// How alike texts `a` and `b` are: 0 (nothing shared) to 1.
    pub fn similarity(&self, a: usize, b: usize) -> f32 {
        match (self.vectors.get(a), self.vectors.get(b)) {
            (Some(a), Some(b)) => cosine(a, b),
            _ => 0.0,
        }
    }

    /// Groups of two or more texts that look alike, by average linkage at
    /// `threshold`; `apart(a, b)` says a pair must never be in one group
    /// (the moderator dismissed it). Each group is sorted, groups by their
    /// first text.
    pub fn groups(&self, threshold: f32, apart: impl Fn(usize, usize) -> bool) -> Vec<Vec<usize>> {
        let n = self.len();
        let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        let mut alive: Vec<bool> = vec![true; n];
        // Sum of the similarities between the members of two groups, and
        // whether any pair of them is kept apart.
        let mut link = vec![vec![0.0f32; n]; n];
        let mut blocked = vec![vec![false; n]; n];
        for a in 0..n {
            for b in a + 1..n {
                let similarity = self.similarity(a, b);
                link[a][b] = similarity;
                link[b][a] = similarity;
                let kept = apart(a, b);
                blocked[a][b] = kept;
                blocked[b][a] = kept;
            }
        }
        loop {
            let mut best: Option<(usize, usize, f32)> = None;
            for a in (0..n).filter(|&a| alive[a]) {
                for b in (a + 1..n).filter(|&b| alive[b]) {
                    if blocked[a][b] {
                        continue;
                    }
                    let average = link[a][b] / (members[a].len() * members[b].len()) as f32;
                    if average >= threshold && best.is_none_or(|(_, _, top)| average > top) {
                        best = Some((a, b, average));
                    }
                }
            }
            let Some((a, b, _)) = best else { break };
            let moved = std::mem::take(&mut members[b]);
            members[a].extend(moved);
            alive[b] = false;
            for c in 0..n {
                if c != a && alive[c] {
                    link[a][c] += link[b][c];
                    link[c][a] = link[a][c];
                    blocked[a][c] |= blocked[b][c];
                    blocked[c][a] = blocked[a][c];
                }
            }
        }
        let mut groups: Vec<Vec<usize>> = members
            .into_iter()
            .zip(alive)
            .filter(|(group, alive)| *alive && group.len() >= 2)
            .map(|(mut group, _)| {
                group.sort_unstable();
                group
            })
            .collect();
        groups.sort();
        groups
    }

    /// A word for what a group's texts share: the concept or word most of
    /// them have, as one of them wrote it (capitalised).
    pub fn label(&self, group: &[usize]) -> String {
        let mut counts: BTreeMap<&Feature, (usize, &str)> = BTreeMap::new();
        for &member in group {
            let Some(spelled) = self.spelled.get(member) else {
                continue;
            };
            let mut seen = HashSet::new();
            for (feature, word) in spelled {
                if seen.insert(feature) {
                    let entry = counts.entry(feature).or_insert((0, word));
                    entry.0 += 1;
                }
            }
        }
        let best = counts
            .into_iter()
            .max_by(|a, b| {
                // More texts first; a concept before a word; then the longer word.
                (a.1.0, matches!(a.0, Feature::Concept(_)), a.1.1.len()).cmp(&(
                    b.1.0,
                    matches!(b.0, Feature::Concept(_)),
                    b.1.1.len(),
                ))
            })
            .map(|(_, (_, word))| word.to_owned())
            .unwrap_or_default();
        let mut chars = best.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => best,
        }
    }
}

/// The cards of a board a suggestion looks at, newest first: a
/// conference writes 40–300; the grouping's time grows with the cube.
pub const BOARD_CARDS_MAX: usize = 400;

/// A suggestion for the wall: cards that look alike, and a word for them.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub cards: Vec<String>,
    pub label: String,
}

/// The wall's suggestions (`GET /api/boards/{board}/suggestions`): groups
/// of Block 1 cards (situations, needs, offers) that look alike, unless
/// all of them are already in one cluster; never two cards of a suggestion
/// the moderator dismissed (`dismissals`). Changes nothing.
pub fn board_suggestions(board: &Board) -> Vec<Suggestion> {
    let mut cards: Vec<_> = board
        .cards
        .iter()
        .filter(|card| matches!(card.kind.as_str(), "situation" | "need" | "offer"))
        .collect();
    // The newest, in writing order.
    cards.sort_by(|a, b| {
        b.created_at
            .total_cmp(&a.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    cards.truncate(BOARD_CARDS_MAX);
    cards.reverse();
    let texts: Vec<&str> = cards.iter().map(|card| card.text.as_str()).collect();
    let compared = Compared::new(&Analyser::default(), &texts);
    // The dismissals each card is in: two cards of one are kept apart.
    let mut dismissed: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, dismissal) in board.dismissals.iter().enumerate() {
        for card in dismissal {
            dismissed.entry(card.as_str()).or_default().push(index);
        }
    }
    let apart = |a: usize, b: usize| match (
        dismissed.get(cards[a].id.as_str()),
        dismissed.get(cards[b].id.as_str()),
    ) {
        (Some(x), Some(y)) => x.iter().any(|d| y.contains(d)),
        _ => false,
    };
    compared
        .groups(THRESHOLD, apart)
        .into_iter()
        .filter(|group| {
            let first = cards[group[0]].cluster.as_deref();
            first.is_none() || group.iter().any(|&i| cards[i].cluster.as_deref() != first)
        })
        .map(|group| Suggestion {
            label: compared.label(&group),
            cards: group.iter().map(|&i| cards[i].id.clone()).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alike(a: &str, b: &str) -> f32 {
        let analyser = Analyser::default();
        // Rarity needs a few other texts around.
        let texts = [
            a,
            b,
            "Treffpunkt für Jugendliche am Abend",
            "Begleitung zu Terminen beim Arzt",
            "Busverbindung nach Sachsendorf am Wochenende",
            "Mehr Spielplätze im Quartier",
        ];
        Compared::new(&analyser, &texts).similarity(0, 1)
    }

    #[test]
    fn words_in_other_forms_and_compounds_meet() {
        assert!(
            alike(
                "Es fehlen Wohnungen für große Familien",
                "Wohnungsnot bei Großfamilien"
            ) > THRESHOLD
        );
        assert!(
            alike(
                "Sprachkurse mit Kinderbetreuung",
                "Deutschkurs nur mit Kita-Platz möglich"
            ) > THRESHOLD
        );
        assert!(
            alike(
                "Termine beim JC dauern zu lange",
                "Wartezeiten im Jobcenter"
            ) > THRESHOLD
        );
        assert!(
            alike(
                "Kinderbetreung fehlt",
                "Kinderbetreuung fehlt am Nachmittag"
            ) > THRESHOLD
        );
        assert!(alike("Es fehlen Deutschkurse", "not enough German classes") > THRESHOLD);
    }

    #[test]
    fn a_word_names_each_of_its_concepts_and_aspects_weigh_less() {
        // "WLAN" is digital access and the wifi of a shelter at once.
        assert!(
            alike(
                "no wifi in the shelter",
                "kein WLAN in der Gemeinschaftsunterkunft"
            ) > THRESHOLD
        );
        // Waiting is an aspect: two waits for different things are less
        // alike than two words for one course.
        let waits = alike(
            "Wartezeit bei der Ausländerbehörde",
            "Wartezeit auf den Integrationskurs",
        );
        let courses = alike("Integrationskurs fehlt", "Deutschkurs für Mütter");
        assert!(waits < courses, "{waits} < {courses}");
    }

    #[test]
    fn edits_are_counted_with_swaps() {
        let letters = |word: &str| word.chars().collect::<Vec<_>>();
        assert_eq!(
            edits(&letters("kinderbetreung"), &letters("kinderbetreuung"), 2),
            1
        );
        assert_eq!(edits(&letters("dolmetcher"), &letters("dolmetscher"), 2), 1);
        assert_eq!(edits(&letters("wohnugen"), &letters("wohnungen"), 1), 1);
        assert_eq!(edits(&letters("kurs"), &letters("kusr"), 1), 1);
        assert_eq!(edits(&letters("schule"), &letters("wohnung"), 2), 3);
    }

    #[test]
    fn different_needs_stay_apart() {
        assert!(
            alike(
                "Treffpunkt für Senioren",
                "Ausbildungsplätze für Geflüchtete"
            ) < 0.1
        );
        assert!(alike("", "Wohnungen") == 0.0);
    }

    #[test]
    fn groups_join_on_average_and_never_across_a_dismissed_pair() {
        let analyser = Analyser::default();
        let texts = [
            "Es fehlen Deutschkurse mit Kinderbetreuung",
            "Sprachkurse nur ohne Kita-Plätze möglich",
            "Bezahlbare Wohnungen für große Familien",
            "Wohnraum fehlt für Großfamilien",
            "Treffpunkt für Jugendliche am Abend",
        ];
        let compared = Compared::new(&analyser, &texts);
        let groups = compared.groups(THRESHOLD, |_, _| false);
        assert_eq!(groups, vec![vec![0, 1], vec![2, 3]]);
        assert_eq!(compared.label(&groups[1]), "Wohnungen");
        let apart = compared.groups(THRESHOLD, |a, b| (a, b) == (0, 1));
        assert_eq!(apart, vec![vec![2, 3]]);
    }

    #[test]
    fn any_text_is_taken() {
        let analyser = Analyser::default();
        let long = "x".repeat(5000);
        let texts = ["\u{202e}", "ß", "🙂🙂", "a-b-c", "Kita", long.as_str()];
        let compared = Compared::new(&analyser, &texts);
        for a in 0..texts.len() {
            for b in 0..texts.len() {
                let s = compared.similarity(a, b);
                assert!(s.is_finite() && (0.0..=1.0001).contains(&s));
            }
        }
    }

    #[test]
    fn a_thesaurus_links_its_synonyms_and_skips_words_of_many_senses() {
        let texts = [
            "Fahrrad fehlt",
            "Velo fehlt",
            "Treffpunkt für Jugendliche am Abend",
            "Begleitung zu Terminen beim Arzt",
        ];
        let thesaurus = "# a comment\nFahrrad;Velo (schweiz.);Drahtesel (ugs.)\nVelo;Zweirad\n";
        let plain = Compared::new(&Analyser::default(), &texts).similarity(0, 1);
        let linked = Analyser::default().with_thesaurus(thesaurus, 1.0, 2);
        assert!(Compared::new(&linked, &texts).similarity(0, 1) > plain);
        // "Velo" is in two sets: with at most one sense allowed it names
        // none, and nothing links the two.
        let strict = Analyser::default().with_thesaurus(thesaurus, 1.0, 1);
        assert!(Compared::new(&strict, &texts).similarity(0, 1) <= plain + 1e-6);
    }
}

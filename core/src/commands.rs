//! Which commands of the command palette a typed query names, best first:
//! the query as one piece of a command's text (at the start of a word
//! first), else each of its words somewhere in it, else its letters in
//! order (`dk` for "dark"). Case is ignored; ties keep the commands' order.

use std::cmp::Reverse;

/// The indices of `texts` that `query` matches, best first (all of them,
/// in order, for an empty query).
pub fn rank<S: AsRef<str>>(query: &str, texts: &[S]) -> Vec<usize> {
    let query = crate::case::lower(query.trim());
    let mut scored: Vec<(u32, usize)> = texts
        .iter()
        .enumerate()
        .filter_map(|(i, t)| Some((score(&query, &crate::case::lower(t.as_ref()))?, i)))
        .collect();
    crate::order::sort_by_key(&mut scored, |&(s, i)| (Reverse(s), i));
    scored.into_iter().map(|(_, i)| i).collect()
}

/// How well `query` names `text` (both lower case), None for not at all.
fn score(query: &str, text: &str) -> Option<u32> {
    if query.is_empty() {
        return Some(0);
    }
    let word_start = |at: usize| {
        text[..at]
            .chars()
            .last()
            .is_none_or(|c| !c.is_alphanumeric())
    };
    if let Some(at) = text.find(query) {
        let bonus = if word_start(at) { 1000 } else { 0 };
        return Some(3000 + bonus - at.min(999) as u32);
    }
    let words: Vec<&str> = query.split_whitespace().collect();
    if words.len() > 1 && words.iter().all(|w| text.contains(w)) {
        return Some(2000);
    }
    // The letters in order: fewer skipped is better.
    let mut rest = text.chars();
    let mut skipped = 0u32;
    for c in query.chars().filter(|c| !c.is_whitespace()) {
        skipped += rest.position(|x| x == c)? as u32;
    }
    Some(1000u32.saturating_sub(skipped))
}

#[cfg(test)]
mod tests {
    use super::rank;

    const COMMANDS: [&str; 6] = [
        "Go to Waterfall",
        "Go to Flame graph",
        "Switch to the dark theme",
        "Show only spans with an error",
        "Export as PNG",
        "Next span with an error",
    ];

    #[test]
    fn a_piece_at_a_word_start_first_then_words_then_letters_in_order() {
        assert_eq!(rank("flame", &COMMANDS), [1]);
        // "error" starts a word in both; the earlier place first.
        assert_eq!(rank("error", &COMMANDS), [5, 3]);
        // Inside a word after the start of one.
        assert_eq!(rank("ark", &COMMANDS), [2]);
        assert_eq!(rank("on", &["Zone map", "Map on"]), [1, 0]);
        assert_eq!(rank("png export", &COMMANDS), [4]);
        assert_eq!(rank("dk", &COMMANDS), [2]);
        assert_eq!(rank("  WATER ", &COMMANDS)[0], 0);
        assert!(rank("zebra", &COMMANDS).is_empty());
    }

    #[test]
    fn an_empty_query_lists_every_command_in_order() {
        assert_eq!(rank("", &COMMANDS), [0, 1, 2, 3, 4, 5]);
        assert_eq!(rank("   ", &COMMANDS), [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn letters_in_order_rank_by_what_they_skip() {
        // "gtf": Go To Flame skips fewer letters than anything else that has them.
        let r = rank("gtf", &COMMANDS);
        assert_eq!(r[0], 1, "{r:?}");
        assert!(rank("wg", &["Go to Waterfall", "wide gap"]).starts_with(&[1]));
    }
}

//! Normalisation of free-text phrases (interest names, synonyms) so that "5-a-side",
//! "5 A Side" and "5 a side!" compare equal.

/// Lowercase; every run of characters that are not letters or digits becomes one space; trimmed.
pub fn normalise(phrase: &str) -> String {
    let mut out = String::with_capacity(phrase.len());
    let mut pending_space = false;
    for c in phrase.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else {
            pending_space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn punctuation_and_case_do_not_matter() {
        assert_eq!(normalise("5-a-side"), "5 a side");
        assert_eq!(normalise("  5 A  Side! "), "5 a side");
        assert_eq!(normalise("Maths GCSE"), "maths gcse");
        assert_eq!(normalise("arts-and-crafts"), "arts and crafts");
        assert_eq!(normalise("Café"), "café");
        assert_eq!(normalise("---"), "");
    }
}

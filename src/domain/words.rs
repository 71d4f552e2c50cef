//! Small helpers for the wording of messages.

/// The indefinite article for `word`: "an" before a vowel letter (`an aws project`, `an Azure
/// region`), "a" otherwise (`a gcp project`).
pub fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// `word` with its indefinite article: `an aws`, `a gcp`.
pub fn with_article(word: impl std::fmt::Display) -> String {
    let word = word.to_string();
    format!("{} {word}", article(&word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_before_a_vowel_letter_a_before_the_others() {
        assert_eq!(with_article("aws"), "an aws");
        assert_eq!(with_article("Azure"), "an Azure");
        assert_eq!(with_article("gcp"), "a gcp");
        assert_eq!(with_article("Google Cloud"), "a Google Cloud");
        assert_eq!(article(""), "a");
    }
}

//! What a search box accepts (检索): a few words, matched literally. A bound keeps
//! a pasted page of text from becoming a pattern the database refuses to run.

/// The longest text one search field takes, in characters.
pub const MAX_SEARCH_CHARS: usize = 100;

/// A search field longer than [`MAX_SEARCH_CHARS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchTooLong {
    pub max: usize,
}

/// Accepts a search text of at most [`MAX_SEARCH_CHARS`] characters (after trimming).
pub fn check_search(text: &str) -> Result<(), SearchTooLong> {
    if text.trim().chars().count() > MAX_SEARCH_CHARS {
        Err(SearchTooLong {
            max: MAX_SEARCH_CHARS,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_searches_pass_and_long_ones_are_refused_by_characters_not_bytes() {
        assert_eq!(check_search(""), Ok(()));
        assert_eq!(check_search(&"海".repeat(MAX_SEARCH_CHARS)), Ok(()));
        assert_eq!(
            check_search(&format!("  {}  ", "海".repeat(MAX_SEARCH_CHARS))),
            Ok(())
        );
        assert_eq!(
            check_search(&"a".repeat(MAX_SEARCH_CHARS + 1)),
            Err(SearchTooLong {
                max: MAX_SEARCH_CHARS
            })
        );
    }
}

//! Checks for contact details: e-mail addresses, web addresses and phone numbers. Deliberately
//! permissive about format (people write phone numbers many ways) but strict about nonsense.

use super::validation::Errors;

pub fn email(errors: &mut Errors, field: &str, value: Option<&str>) -> Option<String> {
    let v = errors.optional_text(field, value, 254)?;
    let valid = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !v.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !valid {
        errors.add(field, "must be an e-mail address such as hello@example.org");
    }
    Some(v)
}

pub fn url(errors: &mut Errors, field: &str, value: Option<&str>) -> Option<String> {
    let v = errors.optional_text(field, value, 500)?;
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    let valid = rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !r.chars().any(char::is_whitespace)
    });
    if !valid {
        errors.add(
            field,
            "must be a web address starting with https:// or http://",
        );
    }
    Some(v)
}

pub fn phone(errors: &mut Errors, field: &str, value: Option<&str>) -> Option<String> {
    let v = errors.optional_text(field, value, 40)?;
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v
        .chars()
        .all(|c| c.is_ascii_digit() || " +()-.".contains(c) || c.is_ascii_alphabetic());
    if !allowed || !(6..=15).contains(&digits) {
        errors.add(
            field,
            "must be a phone number of 6 to 15 digits, e.g. 0161 912 2000",
        );
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<F: Fn(&mut Errors, &str, Option<&str>) -> Option<String>>(f: F, v: &str) -> bool {
        let mut errors = Errors::default();
        f(&mut errors, "x", Some(v));
        errors.is_empty()
    }

    #[test]
    fn emails() {
        assert!(ok(email, "hello@example.org"));
        for bad in [
            "hello",
            "@example.org",
            "a@b",
            "a b@example.org",
            "a@example.org.",
        ] {
            assert!(!ok(email, bad), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert!(ok(url, "https://www.trafford.gov.uk/libraries"));
        assert!(ok(url, "http://example.org"));
        for bad in [
            "www.example.org",
            "ftp://example.org",
            "https://",
            "javascript:alert(1)",
        ] {
            assert!(!ok(url, bad), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert!(ok(phone, "0161 912 2000"));
        assert!(ok(phone, "+44 (0)1904 552828"));
        assert!(ok(phone, "01904 552828 ext 3"));
        for bad in ["123", "call me", "0161; DROP TABLE"] {
            assert!(!ok(phone, bad), "{bad}");
        }
    }
}

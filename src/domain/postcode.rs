//! UK postcodes: parsing any reasonable spelling (`m11aa`, ` YO10  5DD `) into the normalised
//! form `YO10 5DD`.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

/// The Royal Mail (BS 7666) format: outward code (area + district) then inward code (sector
/// digit + unit). Some letters never appear in some positions (no Q, V or X first; no C, I, K,
/// M, O or V in the unit).
static POSTCODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(GIR0AA|(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])[0-9][ABD-HJLNP-UW-Z]{2})$",
    )
    .expect("postcode regex")
});

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Postcode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a valid UK postcode (expected something like \"YO10 5DD\")")]
pub struct InvalidPostcode;

impl Postcode {
    pub fn parse(raw: &str) -> Result<Self, InvalidPostcode> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.len() > 8 || !POSTCODE.is_match(&compact) {
            return Err(InvalidPostcode);
        }
        let split = compact.len() - 3;
        Ok(Self(format!("{} {}", &compact[..split], &compact[split..])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The outward code, e.g. `YO10`.
    pub fn outcode(&self) -> &str {
        self.0.split(' ').next().unwrap_or(&self.0)
    }

    /// The sector, e.g. `YO10 5`.
    pub fn sector(&self) -> &str {
        &self.0[..self.0.len() - 2]
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_spacing_and_case() {
        for raw in ["YO10 5DD", "yo105dd", " YO10  5DD ", "Yo10 5dD"] {
            assert_eq!(Postcode::parse(raw).unwrap().as_str(), "YO10 5DD");
        }
        assert_eq!(Postcode::parse("m11aa").unwrap().as_str(), "M1 1AA");
        assert_eq!(Postcode::parse("M33 7ZF").unwrap().as_str(), "M33 7ZF");
        assert_eq!(Postcode::parse("EC1A1BB").unwrap().as_str(), "EC1A 1BB");
        assert_eq!(Postcode::parse("W1A 0AX").unwrap().as_str(), "W1A 0AX");
    }

    #[test]
    fn exposes_outcode_and_sector() {
        let pc = Postcode::parse("yo10 5dd").unwrap();
        assert_eq!(pc.outcode(), "YO10");
        assert_eq!(pc.sector(), "YO10 5");
    }

    #[test]
    fn rejects_malformed_postcodes() {
        for raw in [
            "",
            "hello",
            "YO10",
            "12345",
            "YO10 5CC",
            "QQ1 1AA",
            "YO10 5DDX",
            "Y O 1 0 5 D D D",
            "YO10-5DD",
        ] {
            assert!(Postcode::parse(raw).is_err(), "{raw} should be rejected");
        }
    }
}

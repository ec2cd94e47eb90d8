//! Organisations: the charities, clubs, colleges and councils that run assets.

use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::contact;
use super::validation::Errors;

/// An organisation as submitted with `POST /v1/organizations`. Text is trimmed of leading and
/// trailing whitespace: length limits count what is left, and blank optional text counts as
/// absent.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInput {
    /// The organisation's name; 1 to 200 characters after trimming, no control characters.
    #[schema(
        example = "Age UK Trafford",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: String,
    /// What the organisation does, in plain words; at most 5,000 characters, no control
    /// characters except line breaks and tabs.
    #[serde(default)]
    #[schema(
        example = "Charity for older people hosting the Urmston community hub at The Sharples Building.",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,4998}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub description: Option<String>,
    /// Web site, starting `https://` or `http://`; at most 500 characters.
    #[serde(default)]
    #[schema(
        example = "https://www.ageuk.org.uk/trafford/",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(https://[^/?#\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F][^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,491}|http://[^/?#\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F][^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,492})?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub website: Option<String>,
    /// E-mail address; at most 254 characters.
    #[serde(default)]
    #[schema(
        example = "admin@ageuktrafford.org.uk",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]{255})([^@\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+@[^@.\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F][^@\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*\.[^@\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^@.\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub email: Option<String>,
    /// Phone number: 6 to 15 digits, written any usual way (spaces, `+`, brackets, hyphens,
    /// dots, and words such as "ext"); at most 40 characters.
    #[serde(default)]
    #[schema(
        example = "0161 746 9754",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?!.{40}.*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])(([ +().A-Za-z-]*[0-9]){6,15}[ +().A-Za-z-]*)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub phone: Option<String>,
    /// Charity Commission (or OSCR / CCNI) registration number: letters, digits, spaces and
    /// hyphens, at most 20 characters.
    #[serde(default)]
    #[schema(
        example = "1123456",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([A-Za-z0-9-]([A-Za-z0-9 -]{0,18}[A-Za-z0-9-])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub charity_number: Option<String>,
    /// Companies House number: letters, digits, spaces and hyphens, at most 20 characters.
    #[serde(default)]
    #[schema(
        example = "07654321",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([A-Za-z0-9-]([A-Za-z0-9 -]{0,18}[A-Za-z0-9-])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub company_number: Option<String>,
    /// Trusted organisations' assets are published at once; others wait for a moderator
    /// (default `false`).
    #[serde(default)]
    #[schema(example = false)]
    pub trusted: bool,
}

/// A JSON Merge Patch (RFC 7396) of an organisation: absent fields are left alone, `null`
/// clears an optional field. The result is checked as a whole, by the same rules as
/// `OrganizationInput` (text is trimmed, and length limits count what is left).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    /// New name; 1 to 200 characters after trimming, no control characters. Absent or `null`
    /// keeps the current name (a name cannot be cleared).
    #[serde(default)]
    #[schema(
        example = "Age UK Trafford",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,198}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub name: Option<String>,
    /// New description, at most 5,000 characters; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(
        value_type = Option<String>,
        example = "Charity for older people hosting the Urmston community hub at The Sharples Building.",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]([^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,4998}[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub description: Option<Option<String>>,
    /// New web site, starting `https://` or `http://`, at most 500 characters; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(
        value_type = Option<String>,
        example = "https://www.ageuk.org.uk/trafford/",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(https://[^/?#\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F][^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,491}|http://[^/?#\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F][^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]{0,492})?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub website: Option<Option<String>>,
    /// New e-mail address, at most 254 characters; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(
        value_type = Option<String>,
        example = "admin@ageuktrafford.org.uk",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?![^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]{255})([^@\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]+@[^@.\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F][^@\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*\.[^@\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^@.\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F])?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub email: Option<Option<String>>,
    /// New phone number of 6 to 15 digits, at most 40 characters; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(
        value_type = Option<String>,
        example = "0161 746 9754",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(?!.{40}.*[^\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])(([ +().A-Za-z-]*[0-9]){6,15}[ +().A-Za-z-]*)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub phone: Option<Option<String>>,
    /// New charity registration number (letters, digits, spaces and hyphens, at most 20
    /// characters); `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(
        value_type = Option<String>,
        example = "1123456",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([A-Za-z0-9-]([A-Za-z0-9 -]{0,18}[A-Za-z0-9-])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub charity_number: Option<Option<String>>,
    /// New Companies House number (letters, digits, spaces and hyphens, at most 20
    /// characters); `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(
        value_type = Option<String>,
        example = "07654321",
        pattern = r"^[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*([A-Za-z0-9-]([A-Za-z0-9 -]{0,18}[A-Za-z0-9-])?)?[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub company_number: Option<Option<String>>,
    /// Only an admin key may change this. Absent or `null` keeps the current value.
    #[serde(default)]
    #[schema(example = true)]
    pub trusted: Option<bool>,
}

/// Distinguishes a field sent as `null` (`Some(None)`) from an absent one (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A validated organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub name: String,
    pub description: Option<String>,
    pub website: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub charity_number: Option<String>,
    pub company_number: Option<String>,
    pub trusted: bool,
}

fn registration_number(errors: &mut Errors, field: &str, value: Option<&str>) -> Option<String> {
    let v = errors.optional_text(field, value, 20)?;
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ' ')
    {
        errors.add(
            field,
            "must contain only letters, digits, spaces and hyphens",
        );
    }
    Some(v)
}

pub fn validate(
    input: &OrganizationInput,
) -> Result<Organization, Vec<crate::domain::validation::FieldError>> {
    let mut errors = Errors::default();
    let org = Organization {
        name: errors.required_text("name", &input.name, 200),
        description: errors.optional_text("description", input.description.as_deref(), 5000),
        website: contact::url(&mut errors, "website", input.website.as_deref()),
        email: contact::email(&mut errors, "email", input.email.as_deref()),
        phone: contact::phone(&mut errors, "phone", input.phone.as_deref()),
        charity_number: registration_number(
            &mut errors,
            "charity_number",
            input.charity_number.as_deref(),
        ),
        company_number: registration_number(
            &mut errors,
            "company_number",
            input.company_number.as_deref(),
        ),
        trusted: input.trusted,
    };
    errors.finish(org)
}

/// Applies a merge patch to the current organisation and validates the result as a whole.
pub fn apply_patch(
    current: &Organization,
    patch: &OrganizationPatch,
) -> Result<Organization, Vec<crate::domain::validation::FieldError>> {
    let pick = |new: &Option<Option<String>>, old: &Option<String>| match new {
        Some(v) => v.clone(),
        None => old.clone(),
    };
    let merged = OrganizationInput {
        name: patch.name.clone().unwrap_or_else(|| current.name.clone()),
        description: pick(&patch.description, &current.description),
        website: pick(&patch.website, &current.website),
        email: pick(&patch.email, &current.email),
        phone: pick(&patch.phone, &current.phone),
        charity_number: pick(&patch.charity_number, &current.charity_number),
        company_number: pick(&patch.company_number, &current.company_number),
        trusted: patch.trusted.unwrap_or(current.trusted),
    };
    validate(&merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> Organization {
        validate(&OrganizationInput {
            name: "Sale Harriers".into(),
            description: Some("Running club".into()),
            website: Some("https://example.org".into()),
            email: None,
            phone: None,
            charity_number: None,
            company_number: None,
            trusted: false,
        })
        .unwrap()
    }

    #[test]
    fn merge_patch_keeps_absent_and_clears_null() {
        let patch: OrganizationPatch =
            serde_json::from_str(r#"{"description": null, "email": "run@example.org"}"#).unwrap();
        let patched = apply_patch(&org(), &patch).unwrap();
        assert_eq!(patched.description, None);
        assert_eq!(patched.email.as_deref(), Some("run@example.org"));
        assert_eq!(patched.website.as_deref(), Some("https://example.org"));
        assert_eq!(patched.name, "Sale Harriers");
    }

    #[test]
    fn patch_is_validated() {
        let patch: OrganizationPatch =
            serde_json::from_str(r#"{"name": " ", "website": "nope"}"#).unwrap();
        let fields: Vec<_> = apply_patch(&org(), &patch)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "website"]);
    }

    #[test]
    fn unknown_patch_fields_are_refused() {
        assert!(serde_json::from_str::<OrganizationPatch>(r#"{"nmae": "x"}"#).is_err());
    }
}

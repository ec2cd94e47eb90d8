//! Organisations: the charities, clubs, colleges and councils that run assets.

use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::contact;
use super::validation::Errors;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInput {
    #[schema(example = "Sale Harriers Manchester")]
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    #[schema(example = "https://www.saleharriersmanchester.com")]
    pub website: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// Charity Commission (or OSCR / CCNI) registration number.
    #[serde(default)]
    #[schema(example = "1123456")]
    pub charity_number: Option<String>,
    /// Companies House number.
    #[serde(default)]
    #[schema(example = "07654321")]
    pub company_number: Option<String>,
    /// Trusted organisations' assets are published at once; others wait for a moderator.
    #[serde(default)]
    pub trusted: bool,
}

/// A JSON Merge Patch (RFC 7396) of an organisation: absent fields are left alone, `null`
/// clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub charity_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub company_number: Option<Option<String>>,
    /// Only an admin key may change this.
    #[serde(default)]
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

//! What the parties sign: the content of one agreement version, checked, in a canonical JSON
//! form whose SHA-256 each signature records, and the readable difference between versions.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::commitments::terms::CommitmentTerms;
use crate::domain::{BoundedText, Party};
use crate::error::{ApiError, FieldError};

const MAX_BODY: usize = 100_000;
const MAX_COMMITMENTS: usize = 100;
const MAX_PROVISIONS: usize = 30;
/// A provision's amount: positive, at most one million euros in cents.
const MAX_AMOUNT_CENTS: i64 = 100_000_000;

crate::domain::text_enum! {
    /// What the municipality provides.
    pub enum ProvisionKind {
        Money,
        Space,
        Advice,
        Other,
    }
}

/// Something one side offers in an agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    pub kind: ProvisionKind,
    pub description: String,
    /// For `money`: the amount in euro cents.
    pub amount_cents: Option<i64>,
}

/// The signed content of one version, in canonical field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AgreementContent {
    pub title: String,
    pub vision_id: Option<String>,
    pub parties: Vec<Party>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Months between reviews.
    pub review_interval_months: Option<u32>,
    pub next_review_on: Option<NaiveDate>,
    /// The clauses, in Markdown.
    pub body: String,
    /// What the municipality provides: money, space, advice, other.
    pub provisions: Vec<Provision>,
    pub commitments: Vec<CommitmentTerms>,
}

impl AgreementContent {
    /// The exact bytes that are hashed and stored.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn hash(&self) -> String {
        hash_of(&self.canonical_json())
    }

    /// Checks every field and gives new commitments a key. `parties` must already be checked.
    pub fn validate(mut self) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        match BoundedText::<200>::parse(&self.title) {
            Ok(t) => self.title = t.into_inner(),
            Err(m) => errors.push(FieldError::new("title", m)),
        }
        if self.body.chars().count() > MAX_BODY {
            errors.push(FieldError::new("body", format!("must be at most {MAX_BODY} characters")));
        }
        if let Some(ends_on) = self.ends_on {
            if ends_on < self.starts_on {
                errors.push(FieldError::new("ends_on", "must not be before starts_on"));
            }
        }
        match self.review_interval_months {
            Some(0) | Some(61..) => {
                errors.push(FieldError::new("review_interval_months", "must be between 1 and 60"))
            }
            Some(months) if self.next_review_on.is_none() => {
                self.next_review_on = self.starts_on.checked_add_months(Months::new(months));
            }
            _ => {}
        }
        if self.provisions.len() > MAX_PROVISIONS {
            errors.push(FieldError::new("provisions", format!("at most {MAX_PROVISIONS}")));
        }
        for (i, provision) in self.provisions.iter_mut().enumerate() {
            match BoundedText::<1000>::parse(&provision.description) {
                Ok(t) => provision.description = t.into_inner(),
                Err(m) => errors.push(FieldError::new(format!("provisions[{i}].description"), m)),
            }
            if let Some(amount) = provision.amount_cents {
                if !(1..=MAX_AMOUNT_CENTS).contains(&amount) {
                    errors.push(FieldError::new(
                        format!("provisions[{i}].amount_cents"),
                        "must be positive and at most 100000000",
                    ));
                }
            }
        }
        if self.commitments.len() > MAX_COMMITMENTS {
            errors.push(FieldError::new("commitments", format!("at most {MAX_COMMITMENTS}")));
        }
        let mut keys = std::collections::BTreeSet::new();
        for (i, commitment) in self.commitments.iter_mut().enumerate() {
            match BoundedText::<2000>::parse(&commitment.description) {
                Ok(t) => commitment.description = t.into_inner(),
                Err(m) => errors.push(FieldError::new(format!("commitments[{i}].description"), m)),
            }
            if !self.parties.contains(&commitment.party) {
                errors.push(FieldError::new(
                    format!("commitments[{i}].party"),
                    "must be one of the agreement's parties",
                ));
            }
            let key = commitment.key.get_or_insert_with(|| uuid::Uuid::now_v7().to_string());
            if key.is_empty() || key.len() > 64 || !keys.insert(key.clone()) {
                errors.push(FieldError::new(
                    format!("commitments[{i}].key"),
                    "must be unique and at most 64 characters",
                ));
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(ApiError::validation(errors))
        }
    }

    pub fn parse(json: &str) -> Result<Self, ApiError> {
        serde_json::from_str(json).map_err(ApiError::internal)
    }
}

pub fn hash_of(canonical: &str) -> String {
    Sha256::digest(canonical.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A commitment as it changed between two versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentChange {
    pub key: String,
    pub before: Option<CommitmentTerms>,
    pub after: Option<CommitmentTerms>,
}

/// What changed from version `from` to version `to`.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDiff {
    pub from: i32,
    pub to: i32,
    /// Other fields that changed: `{"field": {"before": .., "after": ..}}`.
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    /// The body as a unified diff (`-` removed, `+` added lines).
    pub body: String,
    pub commitments: Vec<CommitmentChange>,
}

pub fn diff(from: i32, before: Option<&AgreementContent>, to: i32, after: &AgreementContent) -> VersionDiff {
    let empty_body = String::new();
    let before_body = before.map_or(&empty_body, |b| &b.body);
    let body = similar::TextDiff::from_lines(before_body, &after.body)
        .unified_diff()
        .context_radius(3)
        .header(&format!("version {from}"), &format!("version {to}"))
        .to_string();
    let strip = |content: &AgreementContent| {
        let mut value = serde_json::to_value(content).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("body");
            map.remove("commitments");
        }
        value
    };
    let fields = crate::audit::changes(before.map(strip).as_ref(), &strip(after));
    let key = |c: &CommitmentTerms| c.key.clone().unwrap_or_default();
    let old: Vec<CommitmentTerms> = before.map(|b| b.commitments.clone()).unwrap_or_default();
    let mut commitments: Vec<CommitmentChange> = Vec::new();
    for new in &after.commitments {
        let previous = old.iter().find(|o| key(o) == key(new));
        if previous != Some(new) {
            commitments.push(CommitmentChange {
                key: key(new),
                before: previous.cloned(),
                after: Some(new.clone()),
            });
        }
    }
    for gone in old.iter().filter(|o| !after.commitments.iter().any(|n| key(n) == key(o))) {
        commitments.push(CommitmentChange { key: key(gone), before: Some(gone.clone()), after: None });
    }
    VersionDiff { from, to, fields, body, commitments }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PartyType;

    fn content() -> AgreementContent {
        let network = Party::new(PartyType::Network, "n");
        AgreementContent {
            title: "Koffie-ochtenden".into(),
            vision_id: None,
            parties: vec![Party::new(PartyType::Municipality, "m"), network.clone()],
            starts_on: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            ends_on: None,
            review_interval_months: Some(6),
            next_review_on: None,
            body: "1. Elke dinsdag koffie.\n2. De gemeente betaalt de koffie.\n".into(),
            provisions: vec![],
            commitments: vec![CommitmentTerms {
                key: None,
                party: network,
                description: "Koffie zetten".into(),
                due_on: None,
            }],
        }
    }

    #[test]
    fn the_hash_is_of_the_canonical_json_and_stable() {
        let checked = content().validate().unwrap();
        assert_eq!(checked.next_review_on, NaiveDate::from_ymd_opt(2027, 7, 1));
        assert!(checked.commitments[0].key.is_some());
        let again = AgreementContent::parse(&checked.canonical_json()).unwrap();
        assert_eq!(again.hash(), checked.hash());
        assert_eq!(checked.hash().len(), 64);
        let mut changed = checked.clone();
        changed.body.push('.');
        assert_ne!(changed.hash(), checked.hash());
    }

    #[test]
    fn commitments_must_be_owed_by_a_party() {
        let mut bad = content();
        bad.commitments[0].party = Party::new(PartyType::Organisation, "o");
        let err = bad.validate().unwrap_err();
        assert_eq!(err.errors[0].field, "commitments[0].party");
    }

    #[test]
    fn diff_shows_body_lines_and_commitment_changes() {
        let v1 = content().validate().unwrap();
        let mut v2 = v1.clone();
        v2.body = v2.body.replace("dinsdag", "woensdag");
        v2.commitments[0].description = "Koffie en thee zetten".into();
        let d = diff(1, Some(&v1), 2, &v2);
        assert!(
            d.body.contains("-1. Elke dinsdag koffie.") && d.body.contains("+1. Elke woensdag koffie."),
            "{}",
            d.body
        );
        assert_eq!(d.commitments.len(), 1);
        assert_eq!(d.fields, serde_json::json!({}));
    }
}

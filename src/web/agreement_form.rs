//! What the agreement form holds as an officer fills it in: title, parties, term, clauses in
//! Markdown, what the municipality offers and the commitments of every side, in rows (blank
//! ones dropped, more on request without JavaScript). Checked here as typed, and again by the
//! service; the service's objections are put back beside the fields.

use std::str::FromStr;

use chrono::NaiveDate;

use crate::agreements::content::{AgreementContent, Provision, ProvisionKind};
use crate::commitments::terms::CommitmentTerms;
use crate::domain::Party;
use crate::error::{ApiError, ErrorCode};

use super::form::{value, Errors};
use super::format;
use super::i18n::Lang;
use super::party_choices;

/// Blank rows a form offers beyond those filled in.
const SPARE_ROWS: usize = 2;
/// Rows the "more rows" button adds.
const MORE_ROWS: usize = 3;
/// The most rows of each kind (as the service takes).
pub const MAX_PROVISIONS: usize = 30;
pub const MAX_COMMITMENTS: usize = 100;

/// One offer of the municipality, as typed.
#[derive(Default, Clone)]
pub struct ProvisionRow {
    pub kind: String,
    pub description: String,
    pub amount: String,
}

/// One commitment, as typed; `key` keeps it the same commitment across versions.
#[derive(Default, Clone)]
pub struct CommitmentRow {
    pub key: String,
    pub party: String,
    pub description: String,
    pub due: String,
}

/// What the form holds, as typed.
#[derive(Default)]
pub struct Values {
    pub title: String,
    pub parties: Vec<Party>,
    pub starts_on: String,
    pub ends_on: String,
    pub review_months: String,
    pub body: String,
    pub provisions: Vec<ProvisionRow>,
    pub commitments: Vec<CommitmentRow>,
    /// Blank rows to show.
    pub spare: usize,
}

impl Values {
    pub fn new() -> Self {
        Values { spare: SPARE_ROWS, ..Values::default() }
    }

    /// The content of a version, for editing.
    pub fn of(lang: Lang, content: &AgreementContent) -> Self {
        Values {
            title: content.title.clone(),
            parties: content.parties.clone(),
            starts_on: format::date_input(content.starts_on),
            ends_on: content.ends_on.map(format::date_input).unwrap_or_default(),
            review_months: content.review_interval_months.map(|m| m.to_string()).unwrap_or_default(),
            body: content.body.clone(),
            provisions: content
                .provisions
                .iter()
                .map(|p| ProvisionRow {
                    kind: p.kind.as_str().to_owned(),
                    description: p.description.clone(),
                    amount: format::money_input(lang, p.amount_cents),
                })
                .collect(),
            commitments: content
                .commitments
                .iter()
                .map(|c| CommitmentRow {
                    key: c.key.clone().unwrap_or_default(),
                    party: party_choices::key(&c.party),
                    description: c.description.clone(),
                    due: c.due_on.map(format::date_input).unwrap_or_default(),
                })
                .collect(),
            spare: SPARE_ROWS,
        }
    }

    /// The posted form; rows left blank are dropped. `more` adds blank rows.
    pub fn posted(form: &[(String, String)], more: bool) -> Self {
        let get = |name: String| value(form, &name).to_owned();
        let provisions = (1..=MAX_PROVISIONS)
            .map(|n| ProvisionRow {
                kind: get(format!("provision-{n}-kind")),
                description: get(format!("provision-{n}-description")),
                amount: get(format!("provision-{n}-amount")),
            })
            .filter(|p| !p.description.trim().is_empty() || !p.amount.trim().is_empty())
            .collect();
        let commitments = (1..=MAX_COMMITMENTS)
            .map(|n| CommitmentRow {
                key: get(format!("commitment-{n}-key")),
                party: get(format!("commitment-{n}-party")),
                description: get(format!("commitment-{n}-description")),
                due: get(format!("commitment-{n}-due")),
            })
            .filter(|c| !c.description.trim().is_empty() || !c.due.trim().is_empty())
            .collect();
        let spare =
            value(form, "spare").parse::<usize>().unwrap_or(SPARE_ROWS).clamp(SPARE_ROWS, MAX_PROVISIONS);
        Values {
            title: get("title".into()),
            parties: party_choices::ticked(form),
            starts_on: get("starts_on".into()),
            ends_on: get("ends_on".into()),
            review_months: get("review_months".into()),
            body: clauses(value(form, "body")),
            provisions,
            commitments,
            spare: if more { (spare + MORE_ROWS).min(MAX_PROVISIONS) } else { spare },
        }
    }
}

/// The clauses as a browser sends them (lines end in CR LF) the way they are stored: lines
/// ending in LF, the last one too, so versions compare line by line.
fn clauses(typed: &str) -> String {
    let text = typed.replace("\r\n", "\n");
    let text = text.trim_end();
    if text.is_empty() {
        String::new()
    } else {
        format!("{text}\n")
    }
}

/// The agreement as the service takes it.
pub struct Checked {
    pub title: String,
    pub parties: Vec<Party>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub review_months: Option<u32>,
    pub body: String,
    pub provisions: Vec<Provision>,
    pub commitments: Vec<CommitmentTerms>,
}

fn optional_date(errors: &mut Errors, lang: Lang, id: String, typed: &str) -> Option<NaiveDate> {
    if typed.trim().is_empty() {
        return None;
    }
    let parsed = format::parse_date(typed);
    if parsed.is_none() {
        errors.add(id, lang.t("date-invalid"));
    }
    parsed
}

fn check_provisions(lang: Lang, rows: &[ProvisionRow], errors: &mut Errors) -> Vec<Provision> {
    let mut provisions = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
        let kind = ProvisionKind::from_str(&row.kind).unwrap_or(ProvisionKind::Other);
        if row.description.trim().is_empty() {
            errors.add(format!("provision-{n}-description"), lang.t("drafting-provision-missing"));
        }
        let amount_cents = match (row.amount.trim().is_empty(), kind) {
            (true, _) => None,
            (false, ProvisionKind::Money) => {
                let cents = format::parse_money(&row.amount).filter(|c| *c > 0);
                if cents.is_none() {
                    errors.add(format!("provision-{n}-amount"), lang.t("money-invalid"));
                }
                cents
            }
            (false, _) => {
                errors.add(format!("provision-{n}-amount"), lang.t("drafting-amount-only-money"));
                None
            }
        };
        provisions.push(Provision { kind, description: row.description.trim().to_owned(), amount_cents });
    }
    provisions
}

fn check_commitments(
    lang: Lang,
    rows: &[CommitmentRow],
    parties: &[Party],
    municipality: &Party,
    errors: &mut Errors,
) -> Vec<CommitmentTerms> {
    let mut commitments = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
        let party = party_choices::parse(&row.party).filter(|p| p == municipality || parties.contains(p));
        if party.is_none() {
            errors.add(format!("commitment-{n}-party"), lang.t("drafting-commitment-party"));
        }
        if row.description.trim().is_empty() {
            errors.add(format!("commitment-{n}-description"), lang.t("drafting-commitment-missing"));
        }
        let due_on = optional_date(errors, lang, format!("commitment-{n}-due"), &row.due);
        if let Some(party) = party {
            commitments.push(CommitmentTerms {
                key: Some(row.key.clone()).filter(|k| !k.is_empty()),
                party,
                description: row.description.trim().to_owned(),
                due_on,
            });
        }
    }
    commitments
}

/// What to fix, in the person's language, or the agreement to save. `fixed_parties` (an
/// amendment keeps its parties) skips the choice of parties.
pub fn validate(
    lang: Lang,
    values: &Values,
    municipality: &Party,
    fixed_parties: bool,
) -> Result<Checked, Errors> {
    let mut errors = Errors::default();
    if values.title.trim().is_empty() {
        errors.add("title", lang.t("drafting-title-missing"));
    }
    if !fixed_parties && values.parties.is_empty() {
        errors.add("parties", lang.t("drafting-parties-missing"));
    }
    let starts_on = format::parse_date(&values.starts_on);
    if starts_on.is_none() {
        errors.add("starts_on", lang.t("date-invalid"));
    }
    let ends_on = optional_date(&mut errors, lang, "ends_on".into(), &values.ends_on);
    if let (Some(start), Some(end)) = (starts_on, ends_on) {
        if end < start {
            errors.add("ends_on", lang.t("application-ends-before"));
        }
    }
    let review_months = match values.review_months.trim() {
        "" => None,
        typed => {
            let months = typed.parse::<u32>().ok().filter(|m| (1..=60).contains(m));
            if months.is_none() {
                errors.add("review_months", lang.t("drafting-review-invalid"));
            }
            months
        }
    };
    let provisions = check_provisions(lang, &values.provisions, &mut errors);
    let commitments =
        check_commitments(lang, &values.commitments, &values.parties, municipality, &mut errors);
    match (starts_on, errors.is_empty()) {
        (Some(starts_on), true) => Ok(Checked {
            title: values.title.trim().to_owned(),
            parties: values.parties.clone(),
            starts_on,
            ends_on,
            review_months,
            body: values.body.clone(),
            provisions,
            commitments,
        }),
        _ => Err(errors),
    }
}

/// Rules only the service knows (a text too long, a party that no longer works with the
/// municipality) as messages beside the fields.
pub fn service_errors(lang: Lang, err: &ApiError) -> Option<Errors> {
    if err.code != ErrorCode::ValidationFailed {
        return None;
    }
    let mut errors = Errors::default();
    for field in &err.errors {
        let f = field.field.as_str();
        let row = |prefix: &str| {
            f.strip_prefix(prefix)
                .and_then(|rest| rest.split(']').next())
                .and_then(|n| n.parse::<usize>().ok())
                .map_or(1, |n| n + 1)
        };
        let (id, key) = match f {
            "review_interval_months" => ("review_months".to_owned(), "drafting-review-invalid"),
            f if f.starts_with("parties") => ("parties".to_owned(), "drafting-parties-invalid"),
            f if f.starts_with("provisions[") => {
                let part = if f.ends_with("amount_cents") { "amount" } else { "description" };
                (format!("provision-{}-{part}", row("provisions[")), "field-check")
            }
            f if f.starts_with("commitments[") => {
                let part = if f.ends_with("party") { "party" } else { "description" };
                (format!("commitment-{}-{part}", row("commitments[")), "field-check")
            }
            f => (f.to_owned(), "field-check"),
        };
        errors.add(id, lang.t(key));
    }
    Some(errors)
}

//! The agreement form as a page: the fields of what was typed, each error beside its field,
//! the offers and commitments in rows (with blank ones to fill in), and the parties as
//! checkboxes, or as names for an amendment, which keeps them.

use askama::Template;

use crate::agreements::content::ProvisionKind;

use super::agreement_form::{Values, MAX_COMMITMENTS, MAX_PROVISIONS};
use super::form::{Control, Errors, Field};
use super::layout::Chrome;
use super::party_choices::{self, PartyChoice};

/// One offer of the municipality: what kind, what, how much.
pub struct ProvisionFields {
    pub kind: Field,
    pub description: Field,
    pub amount: Field,
}

/// One commitment: who, what, when.
pub struct CommitmentFields {
    /// `(name, value)` of the hidden key.
    pub key: (String, String),
    pub party: Field,
    pub description: Field,
    pub due: Field,
}

#[derive(Template)]
#[template(path = "agreement_form.html")]
pub struct AgreementForm {
    pub chrome: Chrome,
    pub title: String,
    pub intro: String,
    pub action: String,
    /// `(name, value)` the form carries unseen: the municipality, the version it was read at.
    pub hidden: Vec<(&'static str, String)>,
    pub fields: Vec<Field>,
    /// Checkboxes; empty when the parties are fixed (an amendment).
    pub parties: Vec<Field>,
    /// The fixed parties' names (an amendment).
    pub fixed_parties: Option<String>,
    pub parties_error: Option<String>,
    pub term: Vec<Field>,
    pub body: Field,
    pub provisions: Vec<ProvisionFields>,
    pub commitments: Vec<CommitmentFields>,
    /// Someone else saved in between: what happened, and where to read their version.
    pub stale: Option<(String, String)>,
    pub errors: Vec<(String, String)>,
}

fn row_label(chrome: &Chrome, key: &str, n: usize) -> String {
    chrome.t_with(key, "n", &n.to_string())
}

fn provision_rows(chrome: &Chrome, values: &Values, errors: &Errors) -> Vec<ProvisionFields> {
    let kinds: Vec<(String, String)> =
        [ProvisionKind::Money, ProvisionKind::Space, ProvisionKind::Advice, ProvisionKind::Other]
            .iter()
            .map(|k| (k.as_str().to_owned(), chrome.t(&format!("provision-{}", k.as_str()))))
            .collect();
    let count = (values.provisions.len() + values.spare).min(MAX_PROVISIONS);
    (1..=count)
        .map(|n| {
            let row = values.provisions.get(n - 1).cloned().unwrap_or_default();
            let mut fields = [
                Field::new(
                    format!("provision-{n}-kind"),
                    row_label(chrome, "field-provision-kind", n),
                    Control::Select(kinds.clone()),
                )
                .value(row.kind)
                .optional(),
                Field::new(
                    format!("provision-{n}-description"),
                    row_label(chrome, "field-provision-description", n),
                    Control::Text,
                )
                .value(row.description)
                .optional(),
                Field::new(
                    format!("provision-{n}-amount"),
                    row_label(chrome, "field-provision-amount", n),
                    Control::Money,
                )
                .hint(chrome.t("field-provision-amount-hint"))
                .value(row.amount)
                .optional(),
            ];
            errors.attach(&mut fields);
            let [kind, description, amount] = fields;
            ProvisionFields { kind, description, amount }
        })
        .collect()
}

fn commitment_rows(
    chrome: &Chrome,
    values: &Values,
    who: &[(String, String)],
    errors: &Errors,
) -> Vec<CommitmentFields> {
    let count = (values.commitments.len() + values.spare).min(MAX_COMMITMENTS);
    (1..=count)
        .map(|n| {
            let row = values.commitments.get(n - 1).cloned().unwrap_or_default();
            let mut fields = [
                Field::new(
                    format!("commitment-{n}-party"),
                    row_label(chrome, "field-commitment-party", n),
                    Control::Select(who.to_vec()),
                )
                .value(row.party)
                .optional(),
                Field::new(
                    format!("commitment-{n}-description"),
                    row_label(chrome, "field-commitment-description", n),
                    Control::Text,
                )
                .value(row.description)
                .optional(),
                Field::new(
                    format!("commitment-{n}-due"),
                    row_label(chrome, "field-commitment-due", n),
                    Control::Date,
                )
                .hint(chrome.t("date-hint"))
                .value(row.due)
                .optional(),
            ];
            errors.attach(&mut fields);
            let [party, description, due] = fields;
            CommitmentFields { key: (format!("commitment-{n}-key"), row.key), party, description, due }
        })
        .collect()
}

impl AgreementForm {
    /// The form with `values`, each error beside its field. `fixed_parties` names the parties of
    /// an amendment, which keeps them.
    pub fn new(
        chrome: Chrome,
        action: String,
        values: Values,
        choices: &[PartyChoice],
        fixed_parties: Option<String>,
        errors: Errors,
    ) -> Self {
        let t = |key: &str| chrome.t(key);
        let mut fields =
            vec![Field::new("title", t("field-agreement-title"), Control::Text).value(values.title.clone())];
        errors.attach(&mut fields);
        let mut term = vec![
            Field::new("starts_on", t("field-starts-on"), Control::Date)
                .hint(t("date-hint"))
                .value(values.starts_on.clone()),
            Field::new("ends_on", t("field-ends-on"), Control::Date)
                .hint(t("date-hint"))
                .value(values.ends_on.clone())
                .optional(),
            Field::new("review_months", t("field-review-months"), Control::Number)
                .hint(t("field-review-months-hint"))
                .value(values.review_months.clone())
                .optional(),
        ];
        errors.attach(&mut term);
        let mut body = [Field::new("body", t("field-clauses"), Control::TextArea)
            .hint(t("field-clauses-hint"))
            .value(values.body.clone())
            .optional()];
        errors.attach(&mut body);
        let [body] = body;
        let parties = if fixed_parties.is_some() {
            Vec::new()
        } else {
            party_choices::checkboxes(choices, &values.parties)
        };
        let parties_error = errors.0.iter().find(|(id, _)| id == "parties").map(|(_, m)| m.clone());
        let provisions = provision_rows(&chrome, &values, &errors);
        let commitments = commitment_rows(&chrome, &values, &party_choices::options(choices), &errors);
        AgreementForm {
            title: t("drafting-new-title"),
            intro: t("drafting-intro"),
            action,
            hidden: vec![("spare", values.spare.to_string())],
            fields,
            parties,
            fixed_parties,
            parties_error,
            term,
            body,
            provisions,
            commitments,
            stale: None,
            errors: errors.0,
            chrome,
        }
    }

    /// A value the form carries unseen.
    pub fn hidden(mut self, name: &'static str, value: String) -> Self {
        self.hidden.push((name, value));
        self
    }

    /// The heading and the sentence under it.
    pub fn titled(mut self, title: &str, intro: &str) -> Self {
        self.title = self.chrome.t(title);
        self.intro = self.chrome.t(intro);
        self
    }
}

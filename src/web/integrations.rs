//! What the pages for other systems share (service accounts and their tokens, webhooks and
//! their deliveries): scopes and event types in words, "works until" dates, the form with a
//! group of checkboxes, the page that shows a secret once, and the answer to a refusal.

use actix_web::cookie::Cookie;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use strum::IntoEnumIterator;

use crate::domain::Scope;
use crate::error::{ApiError, ErrorCode};
use crate::webhooks::EventType;

use super::form::{CheckboxGroup, Errors, Field};
use super::i18n::Lang;
use super::layout::{message, not_found, Chrome};

pub type Cookies = Vec<Cookie<'static>>;

/// What a scope lets a system do, in words, and a sentence more.
pub fn scope_words(lang: Lang, scope: Scope) -> (String, String) {
    let key = format!("scope-{}", scope.as_str().replace(':', "-"));
    (lang.t(&key), lang.t(&format!("{key}-hint")))
}

/// The scopes as a list in words.
pub fn scopes_in_words(lang: Lang, scopes: &[Scope]) -> String {
    scopes.iter().map(|s| scope_words(lang, *s).0).collect::<Vec<_>>().join("; ")
}

fn scope_box(scope: Scope) -> String {
    format!("scope-{}", scope.as_str().replace(':', "-"))
}

/// The scopes as checkboxes with plain explanations, `chosen` ticked.
pub fn scope_group(lang: Lang, chosen: &[Scope], errors: &Errors) -> CheckboxGroup {
    let choices = Scope::iter()
        .map(|scope| {
            let (label, hint) = scope_words(lang, scope);
            (scope_box(scope), label, Some(hint), chosen.contains(&scope))
        })
        .collect();
    CheckboxGroup::new("scopes", lang.t("field-scopes"), lang.t("field-scopes-hint"), choices, errors)
}

/// The scopes ticked in a posted form.
pub fn ticked_scopes(form: &[(String, String)]) -> Vec<Scope> {
    Scope::iter().filter(|s| !super::form::value(form, &scope_box(*s)).is_empty()).collect()
}

/// What happened, in words.
pub fn event_words(lang: Lang, event: EventType) -> String {
    lang.t(&format!("event-{}", event.as_str().replace('.', "-")))
}

fn event_box(event: EventType) -> String {
    format!("event-{}", event.as_str().replace('.', "-"))
}

/// The event types as checkboxes in words, `chosen` ticked.
pub fn event_group(lang: Lang, chosen: &[EventType], errors: &Errors) -> CheckboxGroup {
    let choices = EventType::iter()
        .map(|event| (event_box(event), event_words(lang, event), None, chosen.contains(&event)))
        .collect();
    CheckboxGroup::new(
        "events",
        lang.t("field-webhook-events"),
        lang.t("field-webhook-events-hint"),
        choices,
        errors,
    )
}

/// The event types ticked in a posted form.
pub fn ticked_events(form: &[(String, String)]) -> Vec<EventType> {
    EventType::iter().filter(|e| !super::form::value(form, &event_box(*e)).is_empty()).collect()
}

/// The moment something typed as "works until and with" a day stops: the end of that day in
/// Amsterdam.
pub fn end_of_day(day: NaiveDate) -> Option<DateTime<Utc>> {
    let next = day.succ_opt()?.and_hms_opt(0, 0, 0)?;
    chrono_tz::Europe::Amsterdam.from_local_datetime(&next).earliest().map(|at| at.with_timezone(&Utc))
}

/// The last day something that stops at `at` works, in Amsterdam (the inverse of [`end_of_day`]).
pub fn last_day(at: DateTime<Utc>) -> NaiveDate {
    (at - chrono::Duration::seconds(1)).with_timezone(&chrono_tz::Europe::Amsterdam).date_naive()
}

/// A "works until" date as typed: `Some(None)` when left empty, `None` when it is not a date.
pub fn typed_expiry(typed: &str) -> Option<Option<DateTime<Utc>>> {
    match typed.trim() {
        "" => Some(None),
        text => super::format::parse_date(text).and_then(end_of_day).map(Some),
    }
}

/// A "works until" date as a form shows it for editing.
pub fn expiry_input(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| super::format::date_input(last_day(at))).unwrap_or_default()
}

/// A form with fields, then a group of checkboxes, then more fields, and one button.
pub struct GroupedForm {
    pub action: String,
    /// `(name, value)` the form carries unseen, such as the version it was read at.
    pub hidden: Vec<(&'static str, String)>,
    pub before: Vec<Field>,
    pub group: CheckboxGroup,
    pub after: Vec<Field>,
    pub button: String,
}

impl GroupedForm {
    /// Puts each error beside its field (the group finds its own).
    pub fn attach(mut self, errors: &Errors) -> Self {
        errors.attach(&mut self.before);
        errors.attach(&mut self.after);
        self
    }
}

/// A page that is one [`GroupedForm`]: a new service account, a new webhook.
#[derive(Template)]
#[template(path = "integration_form.html")]
pub struct FormPage {
    pub chrome: Chrome,
    pub title: String,
    pub intro: String,
    /// `(href, text)` back to the list.
    pub back: (String, String),
    pub errors: Vec<(String, String)>,
    pub form: GroupedForm,
}

impl FormPage {
    /// The page of a new record: `keys` are its title, its sentence and the link back to
    /// `list`.
    pub fn new(chrome: Chrome, keys: [&str; 3], list: String, form: GroupedForm, errors: Errors) -> Self {
        let [title, intro, back] = keys.map(|key| chrome.t(key));
        FormPage { title, intro, back: (list, back), errors: errors.0, form, chrome }
    }
}

/// Switching a record off or on, at the version the person saw: what it is now, in words, and
/// the button that turns it around (posted to `{record}/active`).
pub struct StatusSwitch {
    pub title: String,
    pub explain: String,
    pub button: String,
    /// What pressing the button asks for.
    pub to_active: bool,
    pub version: i64,
    /// Why the last press changed nothing.
    pub error: Option<String>,
}

impl StatusSwitch {
    /// `keys`: the heading, the sentence when on, when off, the button when on, when off.
    pub fn new(lang: Lang, keys: [&str; 5], active: bool, version: i64, errors: &Errors) -> Self {
        let [title, on, off, switch_off, switch_on] = keys;
        StatusSwitch {
            title: lang.t(title),
            explain: lang.t(if active { on } else { off }),
            button: lang.t(if active { switch_off } else { switch_on }),
            to_active: !active,
            version,
            error: errors.message("status"),
        }
    }
}

/// A secret shown once (an API token, a webhook's signing secret): never in an address, a
/// redirect or a log, only in this answer, which no cache keeps.
#[derive(Template)]
#[template(path = "secret.html")]
pub struct SecretPage {
    pub chrome: Chrome,
    pub title: String,
    pub intro: String,
    pub secret: String,
    /// `(href, text)` of where to go after copying it.
    pub next: (String, String),
}

/// The notice a list or record page shows after a step, from `?done=` in its address.
pub fn notice(lang: Lang, req: &HttpRequest, notices: &[(&str, &str)]) -> Option<String> {
    let query =
        actix_web::web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
            .ok()?;
    let done = query.get("done")?;
    notices.iter().find(|(value, _)| value == done).map(|(_, key)| lang.t(key))
}

/// The version a form was read at. One that is not a number cannot be the current one:
/// "changed meanwhile".
pub fn posted_version(form: &[(String, String)]) -> i64 {
    super::form::value(form, "version").trim().parse().unwrap_or(0)
}

/// The `cursor` in the address of a paged list.
pub fn cursor(req: &HttpRequest) -> Option<String> {
    actix_web::web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("cursor").cloned())
}

/// The answer to a service's refusal: someone of the municipality without the admin role reads
/// why, anyone else gets "not found" (as for something that does not exist).
pub fn refusal(chrome: Chrome, cookies: Cookies, err: ApiError) -> Result<HttpResponse, ApiError> {
    match err.code {
        ErrorCode::Forbidden => {
            let home = Some(("/".to_owned(), chrome.t("go-home")));
            message(chrome, cookies, StatusCode::FORBIDDEN, "error-title", "integrations-not-allowed", home)
        }
        code if code.status().is_client_error() => not_found(chrome, cookies),
        _ => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_last_day_is_the_end_of_that_day_in_amsterdam() {
        let day = NaiveDate::from_ymd_opt(2027, 12, 31).unwrap();
        let end = end_of_day(day).unwrap();
        assert_eq!(end.to_rfc3339(), "2027-12-31T23:00:00+00:00");
        assert_eq!(last_day(end), day);
        let summer = NaiveDate::from_ymd_opt(2027, 6, 30).unwrap();
        assert_eq!(end_of_day(summer).unwrap().to_rfc3339(), "2027-06-30T22:00:00+00:00");
        assert_eq!(typed_expiry("31-12-2027"), Some(Some(end)));
        assert_eq!(typed_expiry(" "), Some(None));
        assert_eq!(typed_expiry("morgen"), None);
        assert_eq!(expiry_input(Some(end)), "31-12-2027");
    }
}

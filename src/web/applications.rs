//! Applying for a grant, as pages: choose an open fund (its purpose, maximum and the reporting it
//! asks for are shown), then the application form: amounts in euros with a comma, budget lines,
//! the period, and the payee's IBAN checked as typed. Saved as a draft; submitted from the
//! grant's page. The same services as the API (`grants::service`, `funds::service`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;

use crate::db::page::PageRequest;
use crate::domain::iban::Iban;
use crate::error::{ApiError, ErrorCode};
use crate::grants::dto::{BudgetLine, CreateGrant, GrantDto, Payee, UpdateGrant};
use crate::identity::dto::MeResponse;
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::format;
use super::funds::{fund_choice, FundChoice};
use super::i18n::Lang;
use super::layout::{chrome, html, not_found, refused, see_other, Chrome};
use super::session::{csrf_ok, SignedIn};

/// Budget lines a form offers beyond those already filled in.
const SPARE_LINES: usize = 2;
/// The most budget lines a form takes (as the API).
const MAX_LINES: usize = 50;

#[derive(Template)]
#[template(path = "funds.html")]
struct FundsPage {
    chrome: Chrome,
    title: String,
    funds: Vec<FundChoice>,
    /// `(id, name)` of the person's networks; a choice only with more than one.
    networks: Vec<(String, String)>,
}

/// One budget line of the form.
pub struct LineFields {
    pub description: Field,
    pub amount: Field,
}

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage {
    chrome: Chrome,
    title: String,
    fund: Option<FundChoice>,
    action: String,
    network_id: String,
    fund_id: String,
    fields: Vec<Field>,
    lines: Vec<LineFields>,
    payee: Vec<Field>,
    errors: Vec<(String, String)>,
}

/// The networks the person may apply for (coordinators and treasurers).
fn applying_networks(me: &MeResponse) -> Vec<(String, String)> {
    me.networks
        .iter()
        .filter(|n| matches!(n.role.as_str(), "coordinator" | "treasurer"))
        .map(|n| (n.network_id.clone(), n.network_name.clone()))
        .collect()
}

#[derive(Debug, serde::Deserialize)]
pub struct NewQuery {
    fund: Option<String>,
    network: Option<String>,
}

/// `GET /grants/new`: the open funds; with `?fund=` the application form for it.
pub async fn new(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let query = web::Query::<NewQuery>::from_query(req.query_string()).map(|q| q.into_inner()).ok();
    let today = crate::domain::time::today_in("Europe/Amsterdam");
    let (me, funds) = state
        .db
        .run(move |conn| {
            let me = crate::identity::service::me(conn, &caller)?;
            let page = PageRequest { limit: 200, after_id: None };
            Ok::<_, ApiError>((me, crate::funds::service::list(conn, &caller.reach(), None, &page)?))
        })
        .await?;
    let networks = applying_networks(&me);
    if networks.is_empty() {
        return not_found(chrome, cookies);
    }
    let funds = funds
        .items
        .into_iter()
        .filter(|f| f.opens_on <= today && f.closes_on.is_none_or(|c| c >= today))
        .collect::<Vec<_>>();
    let chosen =
        query.as_ref().and_then(|q| q.fund.as_deref()).and_then(|id| funds.iter().find(|f| f.id == id));
    let Some(fund) = chosen else {
        let page = FundsPage {
            title: lang.t("funds-title"),
            funds: funds.iter().map(|f| fund_choice(lang, f)).collect(),
            networks,
            chrome,
        };
        return html(StatusCode::OK, cookies, &page);
    };
    let network_id = query
        .and_then(|q| q.network)
        .filter(|n| networks.iter().any(|(id, _)| id == n))
        .unwrap_or_else(|| networks[0].0.clone());
    let page = application_page(chrome, Some(fund_choice(lang, fund)), Values::default(), Errors::default())
        .for_new(&fund.id, &network_id);
    html(StatusCode::OK, cookies, &page)
}

/// What the form holds, as typed.
#[derive(Default)]
struct Values {
    title: String,
    purpose: String,
    requested: String,
    starts_on: String,
    ends_on: String,
    lines: Vec<(String, String)>,
    payee_name: String,
    iban: String,
}

impl Values {
    fn of(lang: Lang, grant: &GrantDto) -> Self {
        Values {
            title: grant.title.clone(),
            purpose: grant.purpose.clone(),
            requested: format::money_input(lang, Some(grant.requested_cents)),
            starts_on: format::date_input(grant.starts_on),
            ends_on: format::date_input(grant.ends_on),
            lines: grant
                .budget_lines
                .iter()
                .map(|l| (l.description.clone(), format::money_input(lang, Some(l.amount_cents))))
                .collect(),
            payee_name: grant.payee.name.clone(),
            iban: grant.payee.iban.clone(),
        }
    }

    fn posted(form: &[(String, String)]) -> Self {
        let get =
            |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let lines = (1..=MAX_LINES)
            .map(|i| (get(&format!("line-{i}-description")), get(&format!("line-{i}-amount"))))
            .filter(|(d, a)| !d.trim().is_empty() || !a.trim().is_empty())
            .collect();
        Values {
            title: get("title"),
            purpose: get("purpose"),
            requested: get("requested"),
            starts_on: get("starts_on"),
            ends_on: get("ends_on"),
            lines,
            payee_name: get("payee_name"),
            iban: get("iban"),
        }
    }
}

/// The application as the service takes it, or what to fix, in the person's language.
struct Checked {
    title: String,
    purpose: String,
    requested_cents: i64,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    budget_lines: Vec<BudgetLine>,
    payee: Payee,
}

fn validate(lang: Lang, values: &Values, maximum: Option<i64>) -> Result<Checked, Errors> {
    let mut errors = Errors::default();
    if values.title.trim().is_empty() {
        errors.add("title", lang.t("application-title-missing"));
    }
    let requested = format::parse_money(&values.requested).filter(|c| *c > 0);
    match (requested, maximum) {
        (None, _) => errors.add("requested", lang.t("money-invalid")),
        (Some(cents), Some(max)) if cents > max => errors
            .add("requested", lang.t_with("application-over-maximum", &[("max", &format::money(lang, max))])),
        _ => {}
    }
    let (starts_on, ends_on) = (format::parse_date(&values.starts_on), format::parse_date(&values.ends_on));
    if starts_on.is_none() {
        errors.add("starts_on", lang.t("date-invalid"));
    }
    match (starts_on, ends_on) {
        (_, None) => errors.add("ends_on", lang.t("date-invalid")),
        (Some(start), Some(end)) if end < start => errors.add("ends_on", lang.t("application-ends-before")),
        _ => {}
    }
    let mut budget_lines = Vec::new();
    for (i, (description, amount)) in values.lines.iter().enumerate() {
        let n = i + 1;
        if description.trim().is_empty() {
            errors.add(format!("line-{n}-description"), lang.t("line-description-missing"));
        }
        match format::parse_money(amount).filter(|c| *c > 0) {
            Some(cents) => budget_lines
                .push(BudgetLine { description: description.trim().to_owned(), amount_cents: cents }),
            None => errors.add(format!("line-{n}-amount"), lang.t("money-invalid")),
        }
    }
    if values.payee_name.trim().is_empty() {
        errors.add("payee_name", lang.t("payee-name-missing"));
    }
    if Iban::parse(&values.iban).is_err() {
        errors.add("iban", lang.t("iban-invalid"));
    }
    match (requested, starts_on, ends_on, errors.is_empty()) {
        (Some(requested_cents), Some(starts_on), Some(ends_on), true) => Ok(Checked {
            title: values.title.trim().to_owned(),
            purpose: values.purpose.trim().to_owned(),
            requested_cents,
            starts_on,
            ends_on,
            budget_lines,
            payee: Payee { iban: values.iban.clone(), name: values.payee_name.trim().to_owned() },
        }),
        _ => Err(errors),
    }
}

/// Rules only the service knows (a closed fund, a text too long) as messages on the form.
fn service_errors(lang: Lang, err: ApiError) -> Result<Errors, ApiError> {
    let mut errors = Errors::default();
    match err.code {
        ErrorCode::ValidationFailed => {
            for field in &err.errors {
                let id = match field.field.as_str() {
                    "requested_cents" => "requested".to_owned(),
                    "payee.iban" => "iban".to_owned(),
                    "payee.name" => "payee_name".to_owned(),
                    f if f.starts_with("budget_lines[") => {
                        let n =
                            f[13..].split(']').next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0) + 1;
                        let part = if f.ends_with("amount_cents") { "amount" } else { "description" };
                        format!("line-{n}-{part}")
                    }
                    f => f.to_owned(),
                };
                errors.add(id, lang.t("field-check"));
            }
        }
        ErrorCode::Conflict | ErrorCode::InvalidTransition => {
            errors.add("title", lang.t("application-not-now"))
        }
        _ => return Err(err),
    }
    Ok(errors)
}

fn application_page(
    chrome: Chrome,
    fund: Option<FundChoice>,
    values: Values,
    errors: Errors,
) -> ApplicationPage {
    let t = |key: &str| chrome.t(key);
    let mut fields = vec![
        Field::new("title", t("field-application-title"), Control::Text).value(values.title),
        Field::new("purpose", t("field-purpose"), Control::TextArea)
            .hint(t("field-purpose-hint"))
            .value(values.purpose)
            .optional(),
        Field::new("requested", t("field-requested"), Control::Money)
            .hint(t("money-hint"))
            .value(values.requested),
        Field::new("starts_on", t("field-starts-on"), Control::Date)
            .hint(t("date-hint"))
            .value(values.starts_on),
        Field::new("ends_on", t("field-ends-on"), Control::Date).hint(t("date-hint")).value(values.ends_on),
    ];
    errors.attach(&mut fields);
    let count = (values.lines.len() + SPARE_LINES).min(MAX_LINES);
    let lines = (1..=count)
        .map(|n| {
            let (description, amount) = values.lines.get(n - 1).cloned().unwrap_or_default();
            let mut pair = [
                Field::new(
                    format!("line-{n}-description"),
                    chrome.t_with("field-line-description", "n", &n.to_string()),
                    Control::Text,
                )
                .value(description)
                .optional(),
                Field::new(
                    format!("line-{n}-amount"),
                    chrome.t_with("field-line-amount", "n", &n.to_string()),
                    Control::Money,
                )
                .value(amount)
                .optional(),
            ];
            errors.attach(&mut pair);
            let [description, amount] = pair;
            LineFields { description, amount }
        })
        .collect();
    let mut payee = vec![
        Field::new("payee_name", t("field-payee-name"), Control::Text)
            .hint(t("field-payee-name-hint"))
            .value(values.payee_name),
        Field::new("iban", t("field-iban"), Control::Text).hint(t("iban-hint")).value(values.iban),
    ];
    errors.attach(&mut payee);
    ApplicationPage {
        title: t("application-title"),
        fund,
        action: String::new(),
        network_id: String::new(),
        fund_id: String::new(),
        fields,
        lines,
        payee,
        errors: errors.0,
        chrome,
    }
}

impl ApplicationPage {
    fn for_new(mut self, fund_id: &str, network_id: &str) -> Self {
        self.action = "/grants/new".to_owned();
        self.fund_id = fund_id.to_owned();
        self.network_id = network_id.to_owned();
        self
    }

    fn for_edit(mut self, grant_id: &str) -> Self {
        self.title = self.chrome.t("application-edit-title");
        self.action = format!("/grants/{grant_id}/edit");
        self
    }
}

/// `POST /grants/new`: saves the application as a draft, then its page.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    if !csrf_ok(&req, super::form::value(&form, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let (fund_id, network_id) =
        (super::form::value(&form, "fund_id").to_owned(), super::form::value(&form, "network_id").to_owned());
    let (Ok(fund_uuid), Ok(network_uuid)) = (fund_id.parse::<uuid::Uuid>(), network_id.parse::<uuid::Uuid>())
    else {
        return not_found(chrome, cookies);
    };
    let finder = caller.clone();
    let lookup = fund_id.clone();
    let fund = match state
        .db
        .run(move |conn| {
            let row = crate::funds::service::visible(conn, &finder, &lookup)?;
            crate::funds::service::to_dto(conn, row)
        })
        .await
    {
        Ok(fund) => fund,
        Err(err) if err.code == ErrorCode::NotFound => return not_found(chrome, cookies),
        Err(err) => return Err(err),
    };
    let values = Values::posted(&form);
    let errors = match validate(lang, &values, Some(fund.max_grant_cents)) {
        Ok(checked) => {
            let input = CreateGrant {
                fund_id: fund_uuid,
                network_id: network_uuid,
                agreement_id: None,
                title: checked.title,
                purpose: checked.purpose,
                requested_cents: checked.requested_cents,
                starts_on: checked.starts_on,
                ends_on: checked.ends_on,
                budget_lines: checked.budget_lines,
                payee: checked.payee,
            };
            match state.db.run(move |conn| crate::grants::applications::create(conn, &caller, input)).await {
                Ok(grant) => return Ok(see_other(&format!("/grants/{}?saved=1", grant.id))),
                Err(err) if err.code == ErrorCode::NotFound || err.code == ErrorCode::Forbidden => {
                    return not_found(chrome, cookies)
                }
                Err(err) => service_errors(lang, err)?,
            }
        }
        Err(errors) => errors,
    };
    let page = application_page(chrome, Some(fund_choice(lang, &fund)), values, errors)
        .for_new(&fund_id, &network_id);
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
}

/// `GET /grants/{id}/edit`: the application form with what was saved.
pub async fn edit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let lookup = id.clone();
    let grant = match state.db.run(move |conn| crate::grants::applications::get(conn, &caller, &lookup)).await
    {
        Ok(grant) if grant.allowed_actions.contains(&crate::domain::workflow::GrantAction::Edit) => grant,
        Ok(_) => return Ok(see_other(&format!("/grants/{id}"))),
        Err(err) if err.code.status().is_client_error() => return not_found(chrome, cookies),
        Err(err) => return Err(err),
    };
    let page = application_page(chrome, None, Values::of(lang, &grant), Errors::default()).for_edit(&id);
    html(StatusCode::OK, cookies, &page)
}

/// `POST /grants/{id}/edit`: saves the changes, then the grant's page.
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if !csrf_ok(&req, super::form::value(&form, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let values = Values::posted(&form);
    let errors = match validate(lang, &values, None) {
        Ok(checked) => {
            let change = UpdateGrant {
                title: Some(checked.title),
                purpose: Some(checked.purpose),
                requested_cents: Some(checked.requested_cents),
                starts_on: Some(checked.starts_on),
                ends_on: Some(checked.ends_on),
                budget_lines: Some(checked.budget_lines),
                payee: Some(checked.payee),
            };
            let target = id.clone();
            match state
                .db
                .run(move |conn| crate::grants::applications::update(conn, &caller, &target, None, change))
                .await
            {
                Ok(_) => return Ok(see_other(&format!("/grants/{id}?saved=1"))),
                Err(err) if err.code == ErrorCode::NotFound || err.code == ErrorCode::Forbidden => {
                    return not_found(chrome, cookies)
                }
                Err(err)
                    if err.code == ErrorCode::ValidationFailed
                        && err.errors.iter().any(|e| e.field == "requested_cents") =>
                {
                    let mut errors = Errors::default();
                    errors.add("requested", lang.t("application-over-fund"));
                    errors
                }
                Err(err) => service_errors(lang, err)?,
            }
        }
        Err(errors) => errors,
    };
    let page = application_page(chrome, None, values, errors).for_edit(&id);
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
}

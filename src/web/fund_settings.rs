//! A municipality's funds as its officers and admins set them up: the list, a new fund, and a
//! fund's settings (budget, maximum per grant, the amount from which two officers must approve,
//! weeks to decide, the account it pays from). Amounts in euros, dates day-first; the same
//! services as `POST /api/v1/funds` and `PATCH /api/v1/funds/{id}`, which ask the policy.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Action, Caller, Target};
use crate::db::page::PageRequest;
use crate::error::{ApiError, ErrorCode};
use crate::funds::dto::{CreateFund, FundDto, UpdateFund};
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::format::{self, money_input, parse_date, parse_money};
use super::i18n::Lang;
use super::layout::{chrome, html, message, not_found, refused, see_other, visible, Chrome, FormPage};
use super::session::{csrf_ok, SignedIn};

/// A fund as a row of the list.
pub struct FundLine {
    pub id: String,
    pub name: String,
    pub budget: String,
    pub available: String,
    pub period: String,
    pub four_eyes: String,
}

#[derive(Template)]
#[template(path = "fund_settings.html")]
struct FundsPage {
    chrome: Chrome,
    title: String,
    municipality_id: String,
    notice: Option<String>,
    funds: Vec<FundLine>,
}

/// The form as typed: every field text, read when it is sent.
#[derive(Debug, Default, Deserialize)]
pub struct FundForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    budget: String,
    #[serde(default)]
    opens_on: String,
    #[serde(default)]
    closes_on: String,
    #[serde(default)]
    max_grant: String,
    #[serde(default)]
    four_eyes: String,
    #[serde(default)]
    decision_weeks: String,
    #[serde(default)]
    debtor_name: String,
    #[serde(default)]
    debtor_iban: String,
}

impl FundForm {
    fn of(lang: Lang, fund: &FundDto) -> Self {
        FundForm {
            version: fund.version.to_string(),
            name: fund.name.clone(),
            description: fund.description.clone(),
            budget: money_input(lang, Some(fund.budget_cents)),
            opens_on: format::date_input(fund.opens_on),
            closes_on: fund.closes_on.map(format::date_input).unwrap_or_default(),
            max_grant: money_input(lang, Some(fund.max_grant_cents)),
            four_eyes: money_input(lang, Some(fund.four_eyes_threshold_cents)),
            decision_weeks: fund.decision_weeks.to_string(),
            debtor_name: fund.debtor_name.clone().unwrap_or_default(),
            debtor_iban: fund.debtor_iban.clone().unwrap_or_default(),
            ..FundForm::default()
        }
    }

    fn fields(&self, lang: Lang, new: bool) -> Vec<Field> {
        let t = |key: &str| lang.t(key);
        let mut fields = vec![
            Field::new("name", t("field-fund-name"), Control::Text).value(self.name.clone()),
            Field::new("description", t("field-fund-description"), Control::TextArea)
                .hint(t("field-fund-description-hint"))
                .value(self.description.clone())
                .optional(),
            Field::new("budget", t("field-fund-budget"), Control::Money).value(self.budget.clone()),
        ];
        if new {
            fields.push(
                Field::new("opens_on", t("field-fund-opens-on"), Control::Date)
                    .hint(t("date-hint"))
                    .value(self.opens_on.clone()),
            );
        }
        fields.extend([
            Field::new("closes_on", t("field-fund-closes-on"), Control::Date)
                .hint(t("date-hint"))
                .value(self.closes_on.clone())
                .optional(),
            Field::new("max_grant", t("field-fund-max-grant"), Control::Money)
                .hint(t("field-fund-max-grant-hint"))
                .value(self.max_grant.clone())
                .optional(),
            Field::new("four_eyes", t("field-fund-four-eyes"), Control::Money)
                .hint(t("field-fund-four-eyes-hint"))
                .value(self.four_eyes.clone())
                .optional(),
            Field::new("decision_weeks", t("field-fund-decision-weeks"), Control::Number)
                .hint(t("field-fund-decision-weeks-hint"))
                .value(self.decision_weeks.clone())
                .optional(),
            Field::new("debtor_name", t("field-fund-debtor-name"), Control::Text)
                .hint(t("field-fund-debtor-hint"))
                .value(self.debtor_name.clone())
                .optional(),
            Field::new("debtor_iban", t("field-fund-debtor-iban"), Control::Text)
                .value(self.debtor_iban.clone())
                .autocomplete("off")
                .optional(),
        ]);
        fields
    }
}

/// The typed values of a form, or what is wrong with it, field by field.
struct Typed {
    budget: Option<i64>,
    opens_on: Option<chrono::NaiveDate>,
    closes_on: Option<chrono::NaiveDate>,
    max_grant: Option<i64>,
    four_eyes: Option<i64>,
    decision_weeks: Option<i32>,
}

fn typed(lang: Lang, form: &FundForm, new: bool) -> Result<Typed, Errors> {
    let mut errors = Errors::default();
    let mut money = |field: &str, text: &str, required: bool| match text.trim() {
        "" if required => {
            errors.add(field, lang.t("fund-amount-missing"));
            None
        }
        "" => None,
        typed => parse_money(typed).or_else(|| {
            errors.add(field, lang.t("money-invalid"));
            None
        }),
    };
    let budget = money("budget", &form.budget, true);
    let max_grant = money("max_grant", &form.max_grant, false);
    let four_eyes = money("four_eyes", &form.four_eyes, false);
    let mut date = |field: &str, text: &str, required: bool| match text.trim() {
        "" if required => {
            errors.add(field, lang.t("date-invalid"));
            None
        }
        "" => None,
        typed => parse_date(typed).or_else(|| {
            errors.add(field, lang.t("date-invalid"));
            None
        }),
    };
    let opens_on = date("opens_on", &form.opens_on, new);
    let closes_on = date("closes_on", &form.closes_on, false);
    let decision_weeks = match form.decision_weeks.trim() {
        "" => None,
        weeks => weeks.parse::<i32>().ok().filter(|w| (1..=52).contains(w)).or_else(|| {
            errors.add("decision_weeks", lang.t("fund-weeks-invalid"));
            None
        }),
    };
    if errors.is_empty() {
        Ok(Typed { budget, opens_on, closes_on, max_grant, four_eyes, decision_weeks })
    } else {
        Err(errors)
    }
}

/// What the service refused, beside the fields (the service names them as the API does).
fn service_errors(lang: Lang, err: &ApiError) -> Errors {
    let mut errors = Errors::default();
    for field in &err.errors {
        let (id, key) = match field.field.as_str() {
            "name" => ("name", "fund-name-invalid"),
            "budget_cents" => ("budget", "fund-budget-invalid"),
            "closes_on" => ("closes_on", "fund-closes-on-invalid"),
            "max_grant_cents" => ("max_grant", "fund-max-grant-invalid"),
            "four_eyes_threshold_cents" => ("four_eyes", "fund-four-eyes-invalid"),
            "decision_weeks" => ("decision_weeks", "fund-weeks-invalid"),
            "debtor_iban" => ("debtor_iban", "iban-invalid"),
            "debtor_name" => ("debtor_name", "fund-debtor-name-invalid"),
            "description" => ("description", "fund-description-invalid"),
            _ => ("name", "fund-invalid"),
        };
        errors.add(id, lang.t(key));
    }
    if errors.is_empty() {
        errors.add("name", lang.t("fund-invalid"));
    }
    errors
}

fn optional_text(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Officers and admins set up a municipality's funds (the policy's `ManageFunds`).
fn manages(caller: &Caller, municipality_id: &str) -> bool {
    caller.may(Action::ManageFunds, Target::Municipality(municipality_id))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    saved: Option<String>,
}

/// `GET /municipalities/{id}/funds`: the funds, with a link to each one's settings.
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    if !manages(&caller, &municipality_id) {
        return not_found(chrome, cookies);
    }
    let (lookup, reach) = (municipality_id.clone(), caller.reach());
    let funds = state
        .db
        .run(move |conn| {
            let first = PageRequest { limit: 100, after_id: None };
            crate::funds::service::list(conn, &reach, Some(&lookup), &first)
        })
        .await?
        .items;
    let lang = chrome.lang;
    let funds = funds
        .into_iter()
        .map(|f| FundLine {
            budget: format::money(lang, f.budget_cents),
            available: format::money(lang, f.balances.available_cents),
            period: match f.closes_on {
                Some(closes) => {
                    format!("{} – {}", format::date(lang, f.opens_on), format::date(lang, closes))
                }
                None => lang.t_with("agreement-from", &[("date", &format::date(lang, f.opens_on))]),
            },
            four_eyes: format::money(lang, f.four_eyes_threshold_cents),
            id: f.id,
            name: f.name,
        })
        .collect();
    let notice = web::Query::<ListQuery>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.saved.clone())
        .map(|_| lang.t("fund-saved"));
    let page = FundsPage { title: lang.t("funds-settings-title"), municipality_id, notice, funds, chrome };
    html(StatusCode::OK, cookies, &page)
}

fn new_form(chrome: Chrome, municipality_id: &str, form: &FundForm, errors: Errors) -> FormPage {
    let fields = form.fields(chrome.lang, true);
    let action = format!("/municipalities/{municipality_id}/funds/new");
    FormPage::new(chrome, "fund-new-title", "fund-new-intro", action, fields, errors).button("fund-create")
}

/// `GET /municipalities/{id}/funds/new`.
pub async fn new(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    if !manages(&caller, &municipality_id) {
        return not_found(chrome, cookies);
    }
    html(
        StatusCode::OK,
        cookies,
        &new_form(chrome, &municipality_id, &FundForm::default(), Errors::default()),
    )
}

/// `POST /municipalities/{id}/funds/new`: creates the fund, then the list.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<FundForm>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner();
    let form = form.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Ok(municipality) = uuid::Uuid::parse_str(&municipality_id) else { return not_found(chrome, cookies) };
    let lang = chrome.lang;
    let typed = match typed(lang, &form, true) {
        Ok(typed) => typed,
        Err(errors) => {
            let page = new_form(chrome, &municipality_id, &form, errors);
            return html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page);
        }
    };
    let input = CreateFund {
        municipality_id: municipality,
        name: form.name.trim().to_owned(),
        description: form.description.trim().to_owned(),
        currency: None,
        budget_cents: typed.budget.unwrap_or_default(),
        opens_on: typed.opens_on.unwrap_or_default(),
        closes_on: typed.closes_on,
        max_grant_cents: typed.max_grant,
        four_eyes_threshold_cents: typed.four_eyes,
        decision_weeks: typed.decision_weeks,
        reporting_tiers: None,
        report_due_days: None,
        debtor_name: optional_text(&form.debtor_name),
        debtor_iban: optional_text(&form.debtor_iban),
        debtor_bic: None,
    };
    let created = state.db.run(move |conn| crate::funds::service::create(conn, &caller, input)).await;
    match created {
        Ok(_) => Ok(see_other(&format!("/municipalities/{municipality_id}/funds?saved=1"))),
        Err(err) if matches!(err.code, ErrorCode::NotFound | ErrorCode::Forbidden) => {
            not_found(chrome, cookies)
        }
        Err(err) if err.code == ErrorCode::ValidationFailed => {
            let page = new_form(chrome, &municipality_id, &form, service_errors(lang, &err));
            html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
        }
        Err(err) => Err(err),
    }
}

fn settings_form(chrome: Chrome, fund: &FundDto, form: &FundForm, errors: Errors) -> FormPage {
    let fields = form.fields(chrome.lang, false);
    let action = format!("/funds/{}/settings", fund.id);
    let mut page =
        FormPage::new(chrome, "fund-settings-title", "fund-settings-intro", action, fields, errors)
            .button("fund-save")
            .hidden("version", form.version.clone());
    page.title = format!("{}: {}", page.title, fund.name);
    page
}

/// The fund, when the person may set it up; else the answer to give.
async fn managed_fund(
    state: &AppState,
    caller: &Caller,
    id: String,
    chrome: Chrome,
    cookies: Vec<actix_web::cookie::Cookie<'static>>,
) -> Result<Result<(FundDto, Chrome, Vec<actix_web::cookie::Cookie<'static>>), HttpResponse>, ApiError> {
    let viewer = caller.clone();
    let found = state
        .db
        .run(move |conn| {
            let row = crate::funds::service::visible(conn, &viewer, &id)?;
            crate::funds::service::to_dto(conn, row)
        })
        .await;
    match visible(found)? {
        Some(fund) if manages(caller, &fund.municipality_id) => Ok(Ok((fund, chrome, cookies))),
        Some(_) => {
            let back = Some(("/admin".to_owned(), chrome.t("admin-back")));
            Ok(Err(message(chrome, cookies, StatusCode::FORBIDDEN, "error-title", "fund-not-allowed", back)?))
        }
        None => Ok(Err(not_found(chrome, cookies)?)),
    }
}

/// `GET /funds/{id}/settings`.
pub async fn settings(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let (fund, chrome, cookies) =
        match managed_fund(&state, &caller, id.into_inner(), chrome, cookies).await? {
            Ok(found) => found,
            Err(answer) => return Ok(answer),
        };
    let form = FundForm::of(chrome.lang, &fund);
    html(StatusCode::OK, cookies, &settings_form(chrome, &fund, &form, Errors::default()))
}

/// `POST /funds/{id}/settings`: saves the settings, then the list.
pub async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<FundForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let (fund, chrome, cookies) =
        match managed_fund(&state, &caller, id.into_inner(), chrome, cookies).await? {
            Ok(found) => found,
            Err(answer) => return Ok(answer),
        };
    let lang = chrome.lang;
    let typed = match typed(lang, &form, false) {
        Ok(typed) => typed,
        Err(errors) => {
            return html(
                StatusCode::UNPROCESSABLE_ENTITY,
                cookies,
                &settings_form(chrome, &fund, &form, errors),
            )
        }
    };
    let change = UpdateFund {
        name: Some(form.name.trim().to_owned()),
        description: Some(form.description.trim().to_owned()),
        budget_cents: typed.budget,
        closes_on: Some(typed.closes_on),
        max_grant_cents: typed.max_grant,
        four_eyes_threshold_cents: typed.four_eyes,
        decision_weeks: typed.decision_weeks,
        reporting_tiers: None,
        report_due_days: None,
        debtor_name: Some(optional_text(&form.debtor_name)),
        debtor_iban: Some(optional_text(&form.debtor_iban)),
        debtor_bic: None,
    };
    // A version that is not a number cannot be the current one: "changed meanwhile".
    let expected = Some(form.version.trim().parse::<i64>().unwrap_or(0));
    let (actor, target) = (caller.clone(), fund.id.clone());
    let saved = state
        .db
        .run(move |conn| crate::funds::service::update(conn, &actor, &target, expected, change))
        .await;
    let mut form = form;
    let errors = match saved {
        Ok(saved) => {
            return Ok(see_other(&format!("/municipalities/{}/funds?saved=1", saved.municipality_id)))
        }
        // What was typed stays; saving again is a choice made knowing (the form moves on to
        // the version just read).
        Err(err) if err.code == ErrorCode::PreconditionFailed => {
            form.version = fund.version.to_string();
            Errors::one("name", lang.t("fund-changed-meanwhile"))
        }
        Err(err) if err.code == ErrorCode::ValidationFailed => service_errors(lang, &err),
        Err(err) if matches!(err.code, ErrorCode::NotFound | ErrorCode::Forbidden) => {
            return not_found(chrome, cookies)
        }
        Err(err) => return Err(err),
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &settings_form(chrome, &fund, &form, errors))
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/municipalities/{id}/funds").route(web::get().to(list)))
        .service(
            web::resource("/municipalities/{id}/funds/new")
                .route(web::get().to(new))
                .route(web::post().to(create)),
        )
        .service(
            web::resource("/funds/{id}/settings").route(web::get().to(settings)).route(web::post().to(save)),
        );
}

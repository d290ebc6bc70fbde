//! A municipality's service accounts (its other systems) as pages for its admins: the list, a
//! new one (a name, what it may do as checkboxes in words, an optional last day), and a page per
//! account to change it and to switch it off or on, with its tokens (`api_tokens` issues and
//! revokes them). The same service as `/api/v1/municipalities/{id}/service-accounts`, which
//! asks the policy.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, Utc};

use crate::auth::{Action, Caller, Target};
use crate::db::page::PageRequest;
use crate::domain::Scope;
use crate::error::{ApiError, ErrorCode};
use crate::service_accounts::dto::{CreateServiceAccount, ServiceAccountDto, TokenDto, UpdateServiceAccount};
use crate::service_accounts::service;
use crate::state::AppState;

use super::api_tokens::{token_line, TokenLine};
use super::form::{value, Control, Errors, Field};
use super::format;
use super::i18n::Lang;
use super::integrations::{
    cursor, expiry_input, last_day, notice, posted_version, refusal, scope_group, scopes_in_words,
    ticked_scopes, typed_expiry, FormPage, GroupedForm, StatusSwitch,
};
use super::layout::{chrome, html, query_string, refused, see_other, Chrome};
use super::session::{csrf_ok, SignedIn};

pub fn list_path(municipality_id: &str) -> String {
    format!("/municipalities/{municipality_id}/service-accounts")
}

pub fn account_path(municipality_id: &str, id: &str) -> String {
    format!("{}/{id}", list_path(municipality_id))
}

/// Until when something works, in words.
pub fn expiry_words(lang: Lang, at: Option<DateTime<Utc>>) -> String {
    match at {
        None => lang.t("service-account-no-expiry"),
        Some(at) => {
            let key = if at <= Utc::now() { "service-account-expired" } else { "service-account-expires" };
            lang.t_with(key, &[("date", &format::date(lang, last_day(at)))])
        }
    }
}

/// An account as a line of the list.
pub struct AccountLine {
    pub id: String,
    pub name: String,
    pub scopes: String,
    pub state: String,
    pub expiry: String,
}

#[derive(Template)]
#[template(path = "service_accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    title: String,
    base: String,
    accounts: Vec<AccountLine>,
    next: Option<String>,
}

/// `GET /municipalities/{id}/service-accounts`.
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let page = PageRequest::parse(Some(50), cursor(&req).as_deref());
    let lookup = municipality_id.clone();
    let found = state.db.run(move |conn| service::list(conn, &caller, &lookup, &page?)).await;
    let accounts = match found {
        Ok(accounts) => accounts,
        Err(err) => return refusal(chrome, cookies, err),
    };
    let lang = chrome.lang;
    let base = list_path(&municipality_id);
    let next = accounts.next_cursor.map(|c| format!("{base}?{}", query_string(&[("cursor", &c)])));
    let accounts = accounts
        .items
        .into_iter()
        .map(|a| AccountLine {
            scopes: scopes_in_words(lang, &a.scopes),
            state: lang.t(if a.active { "service-account-on" } else { "service-account-off" }),
            expiry: expiry_words(lang, a.expires_at),
            id: a.id,
            name: a.name,
        })
        .collect();
    let page = AccountsPage { title: lang.t("service-accounts-title"), base, accounts, next, chrome };
    html(StatusCode::OK, cookies, &page)
}

/// The account form as typed.
pub struct AccountForm {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub expires: String,
}

impl AccountForm {
    fn read(form: &[(String, String)]) -> Self {
        AccountForm {
            name: value(form, "name").to_owned(),
            scopes: ticked_scopes(form),
            expires: value(form, "expires").to_owned(),
        }
    }

    fn of(account: &ServiceAccountDto) -> Self {
        AccountForm {
            name: account.name.clone(),
            scopes: account.scopes.clone(),
            expires: expiry_input(account.expires_at),
        }
    }

    fn grouped(self, lang: Lang, action: String, button: &str, errors: &Errors) -> GroupedForm {
        GroupedForm {
            action,
            hidden: Vec::new(),
            before: vec![Field::new("name", lang.t("field-service-account-name"), Control::Text)
                .hint(lang.t("field-service-account-name-hint"))
                .value(self.name)],
            group: scope_group(lang, &self.scopes, errors),
            after: vec![Field::new("expires", lang.t("field-expiry"), Control::Date)
                .hint(lang.t("field-expiry-hint"))
                .value(self.expires)
                .optional()],
            button: lang.t(button),
        }
        .attach(errors)
    }
}

/// What the service refused, beside the fields (it names them as the API does).
fn account_errors(lang: Lang, err: &ApiError) -> Errors {
    let mut errors = Errors::default();
    for field in &err.errors {
        match field.field.as_str() {
            "name" => errors.add("name", lang.t("service-account-name-invalid")),
            "scopes" => errors.add("scopes", lang.t("scopes-missing")),
            _ => errors.add("expires", lang.t("expiry-invalid")),
        }
    }
    errors
}

fn new_page(chrome: Chrome, municipality_id: &str, form: AccountForm, errors: Errors) -> FormPage {
    let list = list_path(municipality_id);
    let form = form.grouped(chrome.lang, format!("{list}/new"), "service-account-create", &errors);
    let keys = ["service-account-new-title", "service-account-new-intro", "service-accounts-back"];
    FormPage::new(chrome, keys, list, form, errors)
}

/// `GET /municipalities/{id}/service-accounts/new`.
pub async fn new(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    if let Err(err) = caller.authorize(Action::ManageServiceAccounts, Target::Municipality(&municipality_id))
    {
        return refusal(chrome, cookies, err);
    }
    let empty = AccountForm { name: String::new(), scopes: Vec::new(), expires: String::new() };
    html(StatusCode::OK, cookies, &new_page(chrome, &municipality_id, empty, Errors::default()))
}

/// `POST /municipalities/{id}/service-accounts/new`: creates it, then its page (to issue a
/// token).
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    posted: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let municipality_id = id.into_inner();
    if !csrf_ok(&req, value(&posted, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let form = AccountForm::read(&posted);
    let errors = match typed_expiry(&form.expires) {
        None => Errors::one("expires", lang.t("expiry-invalid")),
        Some(expires_at) => {
            let input = CreateServiceAccount {
                name: form.name.trim().to_owned(),
                scopes: form.scopes.clone(),
                expires_at,
            };
            let target = municipality_id.clone();
            match state.db.run(move |conn| service::create(conn, &caller, &target, input)).await {
                Ok(account) => {
                    return Ok(see_other(&format!(
                        "{}?done=created",
                        account_path(&municipality_id, &account.id)
                    )))
                }
                Err(err) if err.code == ErrorCode::ValidationFailed => account_errors(lang, &err),
                Err(err) => return refusal(chrome, cookies, err),
            }
        }
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &new_page(chrome, &municipality_id, form, errors))
}

/// What switching an account off and on says.
const STATUS_KEYS: [&str; 5] = [
    "service-account-status",
    "service-account-on-explain",
    "service-account-off-explain",
    "service-account-deactivate",
    "service-account-activate",
];

#[derive(Template)]
#[template(path = "service_account.html")]
pub struct AccountPage {
    chrome: Chrome,
    title: String,
    back: (String, String),
    base: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    edit: GroupedForm,
    active: bool,
    status: StatusSwitch,
    tokens: Vec<TokenLine>,
    issue: Vec<Field>,
}

/// The account and its tokens, when the person manages the municipality's service accounts.
pub async fn load(
    state: &AppState,
    caller: &Caller,
    municipality_id: &str,
    id: &str,
) -> Result<(ServiceAccountDto, Vec<TokenDto>), ApiError> {
    let (caller, municipality_id, id) = (caller.clone(), municipality_id.to_owned(), id.to_owned());
    state
        .db
        .run(move |conn| {
            let account = service::get(conn, &caller, &municipality_id, &id)?;
            let tokens = service::list_tokens(conn, &caller, &municipality_id, &id)?;
            Ok::<_, ApiError>((account, tokens))
        })
        .await
}

/// What the page's forms hold: the change as typed (with the version it was read at) and the
/// new token's label and last day.
pub struct Typed {
    pub edit: Option<(AccountForm, i64)>,
    pub label: String,
    pub token_expires: String,
}

impl Typed {
    pub fn fresh() -> Self {
        Typed { edit: None, label: String::new(), token_expires: String::new() }
    }
}

/// The page of an account.
pub fn account_page(
    chrome: Chrome,
    account: ServiceAccountDto,
    tokens: Vec<TokenDto>,
    typed: Typed,
    notice: Option<String>,
    errors: Errors,
) -> AccountPage {
    let lang = chrome.lang;
    let base = account_path(&account.municipality_id, &account.id);
    let (form, edit_version) = typed.edit.unwrap_or_else(|| (AccountForm::of(&account), account.version));
    let mut edit = form.grouped(lang, base.clone(), "service-account-save", &errors);
    edit.hidden.push(("version", edit_version.to_string()));
    let mut issue = vec![
        Field::new("label", lang.t("field-token-label"), Control::Text)
            .hint(lang.t("field-token-label-hint"))
            .value(typed.label)
            .optional(),
        Field::new("token_expires", lang.t("field-token-expires"), Control::Date)
            .hint(lang.t("field-expiry-hint"))
            .value(typed.token_expires)
            .optional(),
    ];
    errors.attach(&mut issue);
    AccountPage {
        title: lang.t_with("service-account-title", &[("name", &account.name)]),
        back: (list_path(&account.municipality_id), lang.t("service-accounts-back")),
        base,
        notice,
        status: StatusSwitch::new(lang, STATUS_KEYS, account.active, account.version, &errors),
        errors: errors.0,
        edit,
        active: account.active,
        tokens: tokens.into_iter().map(|t| token_line(lang, t)).collect(),
        issue,
        chrome,
    }
}

/// `GET /municipalities/{id}/service-accounts/{sid}`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (municipality_id, id) = path.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let (account, tokens) = match load(&state, &caller, &municipality_id, &id).await {
        Ok(found) => found,
        Err(err) => return refusal(chrome, cookies, err),
    };
    let notice = notice(
        chrome.lang,
        &req,
        &[
            ("created", "service-account-created"),
            ("saved", "service-account-saved"),
            ("activated", "service-account-activated"),
            ("deactivated", "service-account-deactivated"),
            ("revoked", "token-revoked-notice"),
        ],
    );
    let page = account_page(chrome, account, tokens, Typed::fresh(), notice, Errors::default());
    html(StatusCode::OK, cookies, &page)
}

/// `POST /municipalities/{id}/service-accounts/{sid}`: saves the name, scopes and last day; a
/// change someone made meanwhile is not overwritten unseen.
pub async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String)>,
    posted: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let (municipality_id, id) = path.into_inner();
    if !csrf_ok(&req, value(&posted, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let (account, tokens) = match load(&state, &caller, &municipality_id, &id).await {
        Ok(found) => found,
        Err(err) => return refusal(chrome, cookies, err),
    };
    let lang = chrome.lang;
    let form = AccountForm::read(&posted);
    let mut version = posted_version(&posted);
    let errors = match typed_expiry(&form.expires) {
        None => Errors::one("expires", lang.t("expiry-invalid")),
        Some(expires_at) => {
            // The same last day as before stays as it is (even when it has passed).
            let unchanged = expires_at.map(last_day) == account.expires_at.map(last_day);
            let change = UpdateServiceAccount {
                name: Some(form.name.trim().to_owned()),
                scopes: Some(form.scopes.clone()),
                expires_at: (!unchanged).then_some(expires_at),
                active: None,
            };
            let (actor, target, account_id) = (caller.clone(), municipality_id.clone(), id.clone());
            let saved = state
                .db
                .run(move |conn| service::update(conn, &actor, &target, &account_id, Some(version), change))
                .await;
            match saved {
                Ok(_) => {
                    return Ok(see_other(&format!("{}?done=saved", account_path(&municipality_id, &id))))
                }
                // What was typed stays; saving again is a choice made knowing.
                Err(err) if err.code == ErrorCode::PreconditionFailed => {
                    version = account.version;
                    Errors::one("name", lang.t("integrations-changed-meanwhile"))
                }
                Err(err) if err.code == ErrorCode::ValidationFailed => account_errors(lang, &err),
                Err(err) => return refusal(chrome, cookies, err),
            }
        }
    };
    let typed = Typed { edit: Some((form, version)), ..Typed::fresh() };
    let page = account_page(chrome, account, tokens, typed, None, errors);
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
}

/// `POST /municipalities/{id}/service-accounts/{sid}/active`: switches it off (every token
/// stops at once) or on, at the version the person saw.
pub async fn set_active(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String)>,
    posted: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let (municipality_id, id) = path.into_inner();
    if !csrf_ok(&req, value(&posted, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let active = value(&posted, "active") == "true";
    let change = UpdateServiceAccount { active: Some(active), ..UpdateServiceAccount::default() };
    let version = posted_version(&posted);
    let (actor, target, account_id) = (caller.clone(), municipality_id.clone(), id.clone());
    let saved = state
        .db
        .run(move |conn| service::update(conn, &actor, &target, &account_id, Some(version), change))
        .await;
    let errors = match saved {
        Ok(_) => {
            let done = if active { "activated" } else { "deactivated" };
            return Ok(see_other(&format!("{}?done={done}", account_path(&municipality_id, &id))));
        }
        Err(err) if err.code == ErrorCode::PreconditionFailed => {
            Errors::one("status", chrome.t("integrations-status-changed"))
        }
        Err(err) => return refusal(chrome, cookies, err),
    };
    let (account, tokens) = match load(&state, &caller, &municipality_id, &id).await {
        Ok(found) => found,
        Err(err) => return refusal(chrome, cookies, err),
    };
    let page = account_page(chrome, account, tokens, Typed::fresh(), None, errors);
    html(StatusCode::CONFLICT, cookies, &page)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    let base = "/municipalities/{id}/service-accounts";
    cfg.service(web::resource(base).route(web::get().to(list)))
        .service(web::resource(format!("{base}/new")).route(web::get().to(new)).route(web::post().to(create)))
        .service(
            web::resource(format!("{base}/{{sid}}")).route(web::get().to(show)).route(web::post().to(save)),
        )
        .service(web::resource(format!("{base}/{{sid}}/active")).route(web::post().to(set_active)))
        .configure(super::api_tokens::routes);
}

//! A service account's API tokens as its admins see and handle them on the account's page: a
//! row per token (never the token itself); a new token shown once, on the answer to the form
//! (never in an address or a redirect); a token revoked after a confirmation. The same service
//! as `.../service-accounts/{sid}/tokens`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;

use crate::error::{ApiError, ErrorCode};
use crate::service_accounts::dto::{IssueToken, TokenDto};
use crate::service_accounts::service;
use crate::state::AppState;

use super::form::{value, Errors};
use super::format;
use super::i18n::Lang;
use super::integrations::{last_day, refusal, typed_expiry, SecretPage};
use super::layout::{chrome, html, refused, see_other};
use super::service_accounts::{account_page, account_path, load, Typed};
use super::session::{csrf_ok, SignedIn};

/// A token as a row of the table.
pub struct TokenLine {
    pub id: String,
    pub label: String,
    pub hint: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub state: String,
    pub revocable: bool,
}

pub fn token_line(lang: Lang, token: TokenDto) -> TokenLine {
    let state = match (token.revoked_at, token.expires_at) {
        (Some(at), _) => lang.t_with("token-revoked", &[("date", &format::moment(lang, at))]),
        (None, Some(at)) if at <= Utc::now() => lang.t("token-expired"),
        _ => lang.t("token-works"),
    };
    TokenLine {
        label: token.label,
        hint: format!("{}…", token.hint),
        created: format::moment(lang, token.created_at),
        expires: match token.expires_at {
            Some(at) => format::date(lang, last_day(at)),
            None => lang.t("token-no-expiry"),
        },
        last_used: token
            .last_used_at
            .map_or_else(|| lang.t("token-never-used"), |at| format::moment(lang, at)),
        revocable: token.revoked_at.is_none(),
        state,
        id: token.id,
    }
}

/// `POST /municipalities/{id}/service-accounts/{sid}/tokens`: a new token, shown once.
pub async fn issue(
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
    let lang = chrome.lang;
    let (label, token_expires) = (value(&posted, "label").trim(), value(&posted, "token_expires"));
    let errors = match typed_expiry(token_expires) {
        None => Errors::one("token_expires", lang.t("expiry-invalid")),
        Some(expires_at) => {
            let input = IssueToken { label: Some(label.to_owned()).filter(|l| !l.is_empty()), expires_at };
            let (actor, target, account) = (caller.clone(), municipality_id.clone(), id.clone());
            let issued =
                state.db.run(move |conn| service::issue_token(conn, &actor, &target, &account, input)).await;
            match issued {
                Ok(issued) => {
                    let page = SecretPage {
                        title: lang.t("token-issued-title"),
                        intro: lang.t("token-issued-intro"),
                        secret: issued.token,
                        next: (account_path(&municipality_id, &id), lang.t("token-issued-next")),
                        chrome,
                    };
                    return html(StatusCode::OK, cookies, &page);
                }
                Err(err) if err.code == ErrorCode::Conflict => {
                    Errors::one("status", lang.t("token-account-inactive"))
                }
                Err(err) if err.code == ErrorCode::ValidationFailed => {
                    let mut errors = Errors::default();
                    for field in &err.errors {
                        match field.field.as_str() {
                            "label" => errors.add("label", lang.t("token-label-invalid")),
                            _ => errors.add("token_expires", lang.t("expiry-invalid")),
                        }
                    }
                    errors
                }
                Err(err) => return refusal(chrome, cookies, err),
            }
        }
    };
    let (account, tokens) = match load(&state, &caller, &municipality_id, &id).await {
        Ok(found) => found,
        Err(err) => return refusal(chrome, cookies, err),
    };
    let typed = Typed { label: label.to_owned(), token_expires: token_expires.to_owned(), ..Typed::fresh() };
    let page = account_page(chrome, account, tokens, typed, None, errors);
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
}

/// `POST /municipalities/{id}/service-accounts/{sid}/tokens/{tid}/revoke`: the token stops
/// working at once.
pub async fn revoke(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String, String)>,
    posted: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ApiError> {
    let (municipality_id, id, token_id) = path.into_inner();
    if !csrf_ok(&req, value(&posted, "csrf")) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let (target, account) = (municipality_id.clone(), id.clone());
    let revoked =
        state.db.run(move |conn| service::revoke_token(conn, &caller, &target, &account, &token_id)).await;
    match revoked {
        Ok(_) => Ok(see_other(&format!("{}?done=revoked", account_path(&municipality_id, &id)))),
        Err(err) => refusal(chrome, cookies, err),
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    let base = "/municipalities/{id}/service-accounts/{sid}/tokens";
    cfg.service(web::resource(base).route(web::post().to(issue)))
        .service(web::resource(format!("{base}/{{tid}}/revoke")).route(web::post().to(revoke)));
}

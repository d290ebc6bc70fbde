//! Accepting an invitation, as a page: the emailed link opens it. Someone new gives a name, a
//! password and consent to the privacy statement, and is signed in; someone who already has an
//! account accepts signed in as that account, and no password is set here. The same service as
//! `POST /api/v1/invitations/{token}/accept`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorCode};
use crate::identity::service as identity;
use crate::members::dto::AcceptInvitationRequest;
use crate::members::service::{self as members, InvitationPreview};
use crate::state::AppState;

use super::layout::{chrome, html, message, refused, see_other, Chrome};
use super::session::{self, csrf_ok, signed_in, SESSION_COOKIE};

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage {
    chrome: Chrome,
    title: String,
    intro: String,
    note: Option<String>,
    /// Where to sign in first, for an address that has an account.
    sign_in: Option<String>,
    can_accept: bool,
    new_account: bool,
    action: String,
    name: String,
    errors: Vec<(&'static str, String)>,
}

impl InvitationPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    fn new(chrome: Chrome, token: &str, invitation: &InvitationPreview, caller: Option<&Caller>) -> Self {
        let role = chrome.t(&format!("role-{}", invitation.role));
        let args = [
            ("organisation", invitation.organisation.as_str()),
            ("role", role.as_str()),
            ("email", invitation.email.as_str()),
        ];
        let signed_in_as_invitee = caller.is_some_and(|c| c.email.eq_ignore_ascii_case(&invitation.email));
        let (intro, note, sign_in) = if !invitation.has_account {
            (chrome.lang.t_with("invitation-intro", &args), None, None)
        } else if signed_in_as_invitee {
            (chrome.lang.t_with("invitation-account-intro", &args), None, None)
        } else if caller.is_some() {
            (
                chrome.lang.t_with("invitation-account-intro", &args),
                Some(chrome.lang.t_with("invitation-other-account", &args)),
                None,
            )
        } else {
            let next = format!("/sign-in?next=/invitations/{token}");
            (
                chrome.lang.t_with("invitation-account-intro", &args),
                Some(chrome.t("invitation-sign-in-first")),
                Some(next),
            )
        };
        Self {
            title: chrome.lang.t_with("invitation-title", &args),
            intro,
            note,
            sign_in,
            can_accept: !invitation.has_account || signed_in_as_invitee,
            new_account: !invitation.has_account,
            action: format!("/invitations/{token}"),
            name: invitation.name.clone(),
            errors: Vec::new(),
            chrome,
        }
    }
}

/// An invitation that cannot be accepted (unknown, used, expired): a message, not an error page.
fn unusable(
    chrome: Chrome,
    cookies: Vec<actix_web::cookie::Cookie<'static>>,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    message(chrome, cookies, status, "error-title", "invitation-unusable", None)
}

/// `GET /invitations/{token}`: the link from the invitation email.
pub async fn open(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = signed_in(&state, &req).await?;
    let (chrome, cookies) = chrome(&state, &req, caller.as_ref());
    let link = token.into_inner();
    let lookup = link.clone();
    match state.db.run(move |conn| members::preview(conn, &lookup)).await {
        Ok(invitation) => {
            html(StatusCode::OK, cookies, &InvitationPage::new(chrome, &link, &invitation, caller.as_ref()))
        }
        Err(err) if err.code.status().is_client_error() => unusable(chrome, cookies, err.code.status()),
        Err(err) => Err(err),
    }
}

#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    consent: Option<String>,
}

/// `POST /invitations/{token}`: accepts, then on to the home page, signed in.
pub async fn accept(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<AcceptForm>,
) -> Result<HttpResponse, ApiError> {
    let AcceptForm { csrf, name, password, consent } = form.into_inner();
    let caller = signed_in(&state, &req).await?;
    if !csrf_ok(&req, &csrf) {
        return refused(&state, &req, caller.as_ref());
    }
    let (chrome, cookies) = chrome(&state, &req, caller.as_ref());
    let link = token.into_inner();
    let lookup = link.clone();
    let invitation = match state.db.run(move |conn| members::preview(conn, &lookup)).await {
        Ok(invitation) => invitation,
        Err(err) if err.code.status().is_client_error() => {
            return unusable(chrome, cookies, err.code.status())
        }
        Err(err) => return Err(err),
    };
    let mut page = InvitationPage::new(chrome, &link, &invitation, caller.as_ref());
    if !page.can_accept {
        return html(StatusCode::UNAUTHORIZED, cookies, &page);
    }
    if !invitation.has_account {
        page.name = name.clone();
        if name.trim().is_empty() {
            page.errors.push(("name", page.chrome.t("name-missing")));
        }
        if password.chars().count() < 12 {
            page.errors.push(("password", page.chrome.t("password-too-short")));
        }
        if consent.is_none() {
            page.errors.push(("consent", page.chrome.t("consent-missing")));
        }
        if !page.errors.is_empty() {
            return html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page);
        }
    }
    let input = AcceptInvitationRequest {
        password: (!invitation.has_account).then(|| password.clone()),
        name: (!invitation.has_account).then(|| name.trim().to_owned()),
    };
    let request_id = caller.as_ref().and_then(|c| c.request_id.clone()).unwrap_or_default();
    let accepting = caller.clone();
    let outcome =
        state.db.run(move |conn| members::accept(conn, &link, input, accepting.as_ref(), request_id)).await;
    match outcome {
        Ok(_) if invitation.has_account => Ok(see_other("/")),
        Ok(accepted) => {
            // The new account is signed in at once.
            let email = accepted.email;
            let session = state.db.run(move |conn| identity::sign_in_web(conn, &email, &password)).await?;
            let mut response = see_other("/");
            response
                .add_cookie(&session::cookie(&state, SESSION_COOKIE, session))
                .map_err(ApiError::internal)?;
            Ok(response)
        }
        Err(err) if err.code == ErrorCode::ValidationFailed => {
            page.errors.push(("password", page.chrome.t("password-too-short")));
            html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
        }
        Err(err) if err.code.status().is_client_error() => unusable(page.chrome, cookies, err.code.status()),
        Err(err) => Err(err),
    }
}

/// `GET /privacy`: what Pactum keeps about a person, in plain words.
pub async fn privacy(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let caller = signed_in(&state, &req).await?;
    let (chrome, cookies) = chrome(&state, &req, caller.as_ref());
    message(chrome, cookies, StatusCode::OK, "privacy-title", "privacy-text", None)
}

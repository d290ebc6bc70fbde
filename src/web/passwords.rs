//! Forgot password, as pages: ask for a link by email, then choose a new password with it. The
//! same services as the API (`identity::passwords`): the same answer for unknown addresses,
//! single-use links valid for an hour, every session ended.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::error::{ApiError, ErrorCode};
use crate::identity::passwords;
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::layout::{chrome, html, message, refused, see_other, Chrome, FormPage, MessagePage};
use super::session::{csrf_ok, SignedIn};

fn forgot_form(chrome: Chrome, email: String, errors: Errors) -> FormPage {
    let fields =
        vec![Field::new("email", chrome.t("field-email"), Control::Email).autocomplete("email").value(email)];
    FormPage::new(chrome, "forgot-title", "forgot-intro", "/password-reset".to_owned(), fields, errors)
        .button("forgot-button")
}

/// `GET /password-reset`.
pub async fn forgot(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, None);
    html(StatusCode::OK, cookies, &forgot_form(chrome, String::new(), Errors::default()))
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
}

/// `POST /password-reset`: emails a link when the address has an account; the same answer
/// either way.
pub async fn send_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, ApiError> {
    let ForgotForm { csrf, email } = form.into_inner();
    if !csrf_ok(&req, &csrf) {
        return refused(&state, &req, None);
    }
    let (chrome, cookies) = chrome(&state, &req, None);
    if email.trim().is_empty() {
        let errors = Errors::one("email", chrome.t("email-missing"));
        return html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &forgot_form(chrome, email, errors));
    }
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let (app, asked) = (state.clone(), email.clone());
    let outcome = state
        .db
        .run(move |conn| {
            app.password_reset_limits.take_on(conn, &asked.trim().to_lowercase(), &address)?;
            passwords::request_reset(conn, &asked, app.settings.link_mail())
        })
        .await;
    match outcome {
        Ok(()) => Ok(see_other("/password-reset/sent")),
        Err(err) if err.code == ErrorCode::RateLimited => {
            let errors = Errors::one("email", chrome.t("sign-in-too-many"));
            html(StatusCode::TOO_MANY_REQUESTS, cookies, &forgot_form(chrome, email, errors))
        }
        Err(err) => Err(err),
    }
}

/// `GET /password-reset/sent`.
pub async fn sent(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, None);
    message(chrome, cookies, StatusCode::OK, "forgot-sent-title", "forgot-sent", None)
}

fn new_password_form(chrome: Chrome, token: &str, errors: Errors) -> FormPage {
    let fields = vec![Field::new("password", chrome.t("field-new-password"), Control::Password)
        .autocomplete("new-password")];
    FormPage::new(chrome, "reset-title", "reset-intro", format!("/password-reset/{token}"), fields, errors)
        .button("reset-button")
}

/// `GET /password-reset/{token}`: the link from the email.
pub async fn choose(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, None);
    html(StatusCode::OK, cookies, &new_password_form(chrome, &token, Errors::default()))
}

#[derive(Debug, Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
}

/// `POST /password-reset/{token}`: sets the password once; every session ends.
pub async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<NewPasswordForm>,
) -> Result<HttpResponse, ApiError> {
    let NewPasswordForm { csrf, password } = form.into_inner();
    if !csrf_ok(&req, &csrf) {
        return refused(&state, &req, None);
    }
    let token = token.into_inner();
    let (chrome, cookies) = chrome(&state, &req, None);
    let sign_in = Some(("/sign-in".to_owned(), chrome.t("go-sign-in")));
    let link = token.clone();
    let outcome = state.db.run(move |conn| passwords::reset(conn, &link, &password, None)).await;
    let (status, page) = match outcome {
        Ok(()) => (
            StatusCode::OK,
            MessagePage {
                title: chrome.t("reset-done-title"),
                message: chrome.t("reset-done"),
                link: sign_in,
                chrome,
            },
        ),
        Err(err) if err.code == ErrorCode::ValidationFailed => {
            let errors = Errors::one("password", chrome.t("password-too-short"));
            return html(
                StatusCode::UNPROCESSABLE_ENTITY,
                cookies,
                &new_password_form(chrome, &token, errors),
            );
        }
        Err(err) if err.code.status().is_client_error() => {
            let again = Some(("/password-reset".to_owned(), chrome.t("forgot-title")));
            (
                err.code.status(),
                MessagePage {
                    title: chrome.t("error-title"),
                    message: chrome.t("reset-unusable"),
                    link: again,
                    chrome,
                },
            )
        }
        Err(err) => return Err(err),
    };
    html(status, cookies, &page)
}

fn change_form(chrome: Chrome, errors: Errors) -> FormPage {
    let field =
        |id, label: String, autocomplete| Field::new(id, label, Control::Password).autocomplete(autocomplete);
    let fields = vec![
        field("current_password", chrome.t("field-current-password"), "current-password"),
        field("new_password", chrome.t("field-new-password"), "new-password"),
    ];
    FormPage::new(
        chrome,
        "change-password-title",
        "change-password-intro",
        "/account/password".to_owned(),
        fields,
        errors,
    )
    .button("change-password-button")
}

/// `GET /account/password`.
pub async fn change_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    html(StatusCode::OK, cookies, &change_form(chrome, Errors::default()))
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// `POST /account/password`: this browser stays signed in, every other session ends.
pub async fn change(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, ApiError> {
    let ChangeForm { csrf, current_password, new_password } = form.into_inner();
    if !csrf_ok(&req, &csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let address = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let account = caller.email.to_lowercase();
    let (app, changing) = (state.clone(), caller.clone());
    let outcome = state
        .db
        .run(move |conn| {
            app.login_limits.take_on(conn, &account, &address)?;
            let outcome = passwords::change(conn, &changing, &current_password, &new_password);
            // A wrong current password counts as a failed sign-in; anything else clears them.
            if !matches!(&outcome, Err(e) if e.code == ErrorCode::WrongPassword) {
                app.login_limits.succeeded_on(conn, &account)?;
            }
            outcome
        })
        .await;
    let errors = match outcome {
        Err(err) if err.code == ErrorCode::RateLimited => {
            let errors = Errors::one("current_password", chrome.t("sign-in-too-many"));
            return html(StatusCode::TOO_MANY_REQUESTS, cookies, &change_form(chrome, errors));
        }
        Ok(()) => {
            let home = Some(("/".to_owned(), chrome.t("go-home")));
            let page = MessagePage {
                title: chrome.t("change-password-title"),
                message: chrome.t("change-password-done"),
                link: home,
                chrome,
            };
            return html(StatusCode::OK, cookies, &page);
        }
        Err(err) if err.code == ErrorCode::WrongPassword => {
            Errors::one("current_password", chrome.t("wrong-current-password"))
        }
        Err(err) if err.code == ErrorCode::ValidationFailed => {
            Errors::one("new_password", chrome.t("password-too-short"))
        }
        Err(err) => return Err(err),
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &change_form(chrome, errors))
}

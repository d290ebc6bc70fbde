//! The people of a network, as a page: who is in it and with which role, for every member; for
//! a coordinator also the open invitations, a form to invite someone by email and a way to
//! remove someone. The same policy checks and services as `/api/v1/networks/{id}/members`
//! (`members::service`): the invitation email goes through the outbox, as from the API.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::audit::Actor;
use crate::auth::{Action, Caller};
use crate::domain::NetworkRole;
use crate::error::{ApiError, ErrorCode};
use crate::members::dto::{InvitationDto, InviteRequest, MemberDto};
use crate::members::service::{self as members, authorize, invite_action};
use crate::members::MembershipOwner;
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::format;
use super::i18n::Lang;
use super::layout::{chrome, html, not_found, refused, see_other, Chrome};
use super::networks::{not_allowed, readable, Readable};
use super::session::{csrf_ok, SignedIn};

/// A member as a line of the list.
pub struct MemberLine {
    pub user_id: String,
    pub name: String,
    pub role: String,
    /// Shown to those who manage the members.
    pub email: Option<String>,
    pub since: String,
    pub is_you: bool,
    pub remove_summary: String,
    pub remove_explain: String,
    pub remove_button: String,
}

/// An open invitation as a line of the list.
pub struct InvitationLine {
    pub name: String,
    pub email: String,
    pub role: String,
    pub until: String,
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    chrome: Chrome,
    title: String,
    id: String,
    network_name: String,
    notice: Option<String>,
    members: Vec<MemberLine>,
    invitations: Vec<InvitationLine>,
    can_manage: bool,
    invite_intro: String,
    invite: Vec<Field>,
    errors: Vec<(String, String)>,
}

/// What the invitation form holds, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

fn role(lang: Lang, role: &str) -> String {
    lang.t(&format!("role-{role}"))
}

fn member_line(lang: Lang, me: &str, member: MemberDto, can_manage: bool) -> MemberLine {
    let is_you = member.user_id == me;
    let name = member.name.as_str();
    let (summary, explain, button) = if is_you {
        (
            lang.t("member-remove-self"),
            lang.t("member-remove-self-explain"),
            lang.t("member-remove-self-button"),
        )
    } else {
        (
            lang.t_with("member-remove", &[("name", name)]),
            lang.t_with("member-remove-explain", &[("name", name)]),
            lang.t_with("member-remove-button", &[("name", name)]),
        )
    };
    MemberLine {
        role: role(lang, &member.role),
        email: can_manage.then(|| member.email.clone()),
        since: lang.t_with(
            "member-since",
            &[(
                "date",
                &format::date(lang, member.since.with_timezone(&chrono_tz::Europe::Amsterdam).date_naive()),
            )],
        ),
        remove_summary: summary,
        remove_explain: explain,
        remove_button: button,
        user_id: member.user_id,
        name: member.name,
        is_you,
    }
}

fn invitation_line(lang: Lang, invitation: InvitationDto) -> InvitationLine {
    let until = invitation.expires_at.with_timezone(&chrono_tz::Europe::Amsterdam).date_naive();
    InvitationLine {
        role: role(lang, &invitation.role),
        until: lang.t_with("invitation-until", &[("date", &format::date(lang, until))]),
        name: invitation.name,
        email: invitation.email,
    }
}

fn invite_fields(lang: Lang, form: InviteForm) -> Vec<Field> {
    let roles = [NetworkRole::Member, NetworkRole::Treasurer, NetworkRole::Coordinator]
        .into_iter()
        .map(|r| (r.as_str().to_owned(), role(lang, r.as_str())))
        .collect();
    let chosen = if form.role.is_empty() { NetworkRole::Member.as_str().to_owned() } else { form.role };
    vec![
        Field::new("name", lang.t("field-invitee-name"), Control::Text).value(form.name),
        Field::new("email", lang.t("field-email"), Control::Email)
            .hint(lang.t("field-invitee-email-hint"))
            .value(form.email),
        Field::new("role", lang.t("field-invitee-role"), Control::Select(roles))
            .hint(lang.t("field-invitee-role-hint"))
            .value(chosen),
    ]
}

/// Everything the page shows, for someone who may read the network.
async fn members_page(
    state: &AppState,
    caller: Caller,
    chrome: Chrome,
    readable: Readable,
    notice: Option<String>,
    form: InviteForm,
    errors: Errors,
) -> Result<MembersPage, ApiError> {
    let lang = chrome.lang;
    let Readable { network, can_manage, .. } = readable;
    let me = caller.user_id.clone();
    let scope = MembershipOwner::Network(network.id.clone());
    let (people, invitations) = state
        .db
        .run(move |conn| {
            authorize(conn, &caller, Action::Read, &scope)?;
            let people = members::list_members(conn, &scope)?;
            let invitations =
                if can_manage { members::pending_invitations(conn, &scope)? } else { Vec::new() };
            Ok::<_, ApiError>((people, invitations))
        })
        .await?;
    let mut invite = invite_fields(lang, form);
    errors.attach(&mut invite);
    Ok(MembersPage {
        title: lang.t_with("members-title", &[("network", &network.name)]),
        id: network.id,
        network_name: network.name,
        notice,
        members: people.into_iter().map(|m| member_line(lang, &me, m, can_manage)).collect(),
        invitations: invitations.into_iter().map(|i| invitation_line(lang, i)).collect(),
        can_manage,
        invite_intro: lang.t_with("invite-intro", &[("days", &members::INVITATION_DAYS.to_string())]),
        invite,
        errors: errors.0,
        chrome,
    })
}

#[derive(Debug, Deserialize)]
pub struct MembersQuery {
    invited: Option<String>,
    removed: Option<String>,
}

/// `GET /networks/{id}/members`.
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(network) = readable(&state, caller.clone(), id).await? else {
        return not_found(chrome, cookies);
    };
    let query = web::Query::<MembersQuery>::from_query(req.query_string()).ok();
    let notice = match query {
        Some(q) if q.invited.is_some() => Some(chrome.t("member-invited")),
        Some(q) if q.removed.is_some() => Some(chrome.t("member-removed")),
        _ => None,
    };
    let page =
        members_page(&state, caller, chrome, network, notice, InviteForm::default(), Errors::default())
            .await?;
    html(StatusCode::OK, cookies, &page)
}

/// What the service refused in an invitation, as messages beside the fields.
fn invite_errors(lang: Lang, err: &ApiError) -> Errors {
    let mut errors = Errors::default();
    if err.code == ErrorCode::Conflict {
        errors.add("email", lang.t("invitee-already-member"));
        return errors;
    }
    for field in &err.errors {
        match field.field.as_str() {
            "name" => errors.add("name", lang.t("invitee-name-missing")),
            "role" => errors.add("role", lang.t("invitee-role-invalid")),
            _ => errors.add("email", lang.t("invitee-email-invalid")),
        }
    }
    if errors.is_empty() {
        errors.add("email", lang.t("invitee-email-invalid"));
    }
    errors
}

/// `POST /networks/{id}/members`: invites someone (the link goes out by email), then the list.
pub async fn invite(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let form = form.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(network) = readable(&state, caller.clone(), id.clone()).await? else {
        return not_found(chrome, cookies);
    };
    let input = InviteRequest { email: form.email.clone(), name: form.name.clone(), role: form.role.clone() };
    let (app, inviter, scope) = (state.clone(), caller.clone(), MembershipOwner::Network(id.clone()));
    let invited = state
        .db
        .run(move |conn| {
            authorize(conn, &inviter, invite_action(&scope, &input.role), &scope)?;
            members::invite(conn, &Actor::from(&inviter), &scope, input, app.settings.link_mail())
        })
        .await;
    let errors = match invited {
        Ok(_) => return Ok(see_other(&format!("/networks/{id}/members?invited=1"))),
        Err(err) if err.code == ErrorCode::NotFound => return not_found(chrome, cookies),
        Err(err) if err.code == ErrorCode::Forbidden => return not_allowed(chrome, cookies, &id),
        Err(err) if matches!(err.code, ErrorCode::ValidationFailed | ErrorCode::Conflict) => {
            invite_errors(chrome.lang, &err)
        }
        Err(err) => return Err(err),
    };
    let page = members_page(&state, caller, chrome, network, None, form, errors).await?;
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /networks/{id}/members/{user_id}/remove`: takes someone out of the network. The
/// service keeps the last coordinator; that refusal is said in words on the list.
pub async fn remove(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    path: web::Path<(String, String)>,
    form: web::Form<RemoveForm>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(network) = readable(&state, caller.clone(), id.clone()).await? else {
        return not_found(chrome, cookies);
    };
    let yourself = user_id == caller.user_id;
    let (remover, scope, target) = (caller.clone(), MembershipOwner::Network(id.clone()), user_id.clone());
    let removed = state
        .db
        .run(move |conn| {
            authorize(conn, &remover, Action::ManageMembers, &scope)?;
            members::remove(conn, &Actor::from(&remover), &scope, &target)
        })
        .await;
    let lang = chrome.lang;
    let message = match removed {
        // Whoever removed themselves no longer sees the network.
        Ok(()) if yourself => return Ok(see_other("/")),
        Ok(()) => return Ok(see_other(&format!("/networks/{id}/members?removed=1"))),
        Err(err) if err.code == ErrorCode::Forbidden => return not_allowed(chrome, cookies, &id),
        Err(err) if err.code == ErrorCode::LastAdmin && yourself => lang.t("member-last-coordinator-self"),
        Err(err) if err.code == ErrorCode::LastAdmin => lang.t("member-last-coordinator"),
        Err(err) if err.code == ErrorCode::NotFound => lang.t("member-gone"),
        Err(err) => return Err(err),
    };
    let errors = Errors::one("members", message);
    let page = members_page(&state, caller, chrome, network, None, InviteForm::default(), errors).await?;
    html(StatusCode::CONFLICT, cookies, &page)
}

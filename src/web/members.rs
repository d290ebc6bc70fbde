//! The people of a network or a municipality, as a page: who is in it and with which role, for
//! every member; for whoever manages them (a network's coordinators, a municipality's admins)
//! also the open invitations, a form to invite someone by email, another role, and a way to
//! remove someone. The same services as `/api/v1/{networks,municipalities}/{id}/members`
//! (`members::service`, which asks the policy): the invitation email goes through the outbox.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::{Action, Caller, Target};
use crate::domain::{MunicipalityRole, NetworkRole};
use crate::error::{ApiError, ErrorCode};
use crate::members::dto::{InvitationDto, InviteRequest, MemberDto};
use crate::members::service as members;
use crate::members::MembershipOwner;
use crate::state::AppState;

use super::form::{Control, Errors, Field};
use super::format;
use super::i18n::Lang;
use super::layout::{chrome, html, message, not_found, refused, see_other, visible, Chrome};
use super::networks::readable;
use super::session::{csrf_ok, SignedIn};

/// Whose people a page shows; set on each route (`app_data`), so one handler serves both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Network,
    Municipality,
}

impl Kind {
    fn scope(self, id: &str) -> MembershipOwner {
        match self {
            Kind::Network => MembershipOwner::Network(id.to_owned()),
            Kind::Municipality => MembershipOwner::Municipality(id.to_owned()),
        }
    }

    /// The page of the people.
    fn base(self, id: &str) -> String {
        match self {
            Kind::Network => format!("/networks/{id}/members"),
            Kind::Municipality => format!("/municipalities/{id}/people"),
        }
    }

    /// The roles one can give, the first one the default.
    fn roles(self) -> Vec<&'static str> {
        match self {
            Kind::Network => [NetworkRole::Member, NetworkRole::Treasurer, NetworkRole::Coordinator]
                .map(NetworkRole::as_str)
                .to_vec(),
            Kind::Municipality => [
                MunicipalityRole::Officer,
                MunicipalityRole::Finance,
                MunicipalityRole::Auditor,
                MunicipalityRole::MunicipalAdmin,
            ]
            .map(MunicipalityRole::as_str)
            .to_vec(),
        }
    }

    /// The translation key of a text that differs between a network and a municipality.
    fn key(self, base: &str) -> String {
        match self {
            Kind::Network => base.to_owned(),
            Kind::Municipality => format!("{base}-municipality"),
        }
    }
}

/// The network or municipality whose people these are, as the person may see it.
pub struct Owner {
    kind: Kind,
    id: String,
    name: String,
    /// `(href, text)` back to where the people belong.
    back: (String, String),
    can_manage: bool,
}

impl Owner {
    fn scope(&self) -> MembershipOwner {
        self.kind.scope(&self.id)
    }
}

/// The owner, when the person may see its people; `None` when it does not exist or is not
/// theirs to see.
async fn owner(
    state: &AppState,
    caller: &Caller,
    kind: Kind,
    id: String,
    lang: Lang,
) -> Result<Option<Owner>, ApiError> {
    match kind {
        Kind::Network => Ok(readable(state, caller.clone(), id).await?.map(|r| Owner {
            kind,
            back: (format!("/networks/{}", r.network.id), lang.t("network-back")),
            id: r.network.id,
            name: r.network.name,
            can_manage: r.can_manage,
        })),
        Kind::Municipality => {
            let (caller, scope) = (caller.clone(), kind.scope(&id));
            let found = state
                .db
                .run(move |conn| {
                    members::authorize(conn, &caller, Action::Read, &scope)?;
                    let municipality = crate::municipalities::service::find(conn, &id)?;
                    let can_manage = caller.may(Action::ManageMembers, Target::Municipality(&id));
                    Ok::<_, ApiError>(Owner {
                        kind,
                        back: ("/admin".to_owned(), lang.t("admin-back")),
                        id,
                        name: municipality.name,
                        can_manage,
                    })
                })
                .await;
            visible(found)
        }
    }
}

/// The answer to someone who may see the people but not manage them.
fn not_allowed(
    chrome: Chrome,
    cookies: Vec<actix_web::cookie::Cookie<'static>>,
    owner: &Owner,
) -> Result<HttpResponse, ApiError> {
    let back = Some(owner.back.clone());
    message(
        chrome,
        cookies,
        StatusCode::FORBIDDEN,
        "error-title",
        &owner.kind.key("network-not-allowed"),
        back,
    )
}

/// A member as a line of the list.
pub struct MemberLine {
    pub user_id: String,
    pub name: String,
    pub role: String,
    /// The role as stored, to preselect it in the form for another role.
    pub role_value: String,
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
    /// The page of these people; the forms post below it.
    base: String,
    back: (String, String),
    notice: Option<String>,
    members: Vec<MemberLine>,
    invitations: Vec<InvitationLine>,
    can_manage: bool,
    /// `(value, text)` of the roles one can give.
    roles: Vec<(String, String)>,
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

fn member_line(lang: Lang, kind: Kind, me: &str, member: MemberDto, can_manage: bool) -> MemberLine {
    let is_you = member.user_id == me;
    let name = member.name.as_str();
    let (summary, explain, button) = if is_you {
        (
            lang.t(&kind.key("member-remove-self")),
            lang.t(&kind.key("member-remove-self-explain")),
            lang.t(&kind.key("member-remove-self-button")),
        )
    } else {
        (
            lang.t_with(&kind.key("member-remove"), &[("name", name)]),
            lang.t_with(&kind.key("member-remove-explain"), &[("name", name)]),
            lang.t_with(&kind.key("member-remove-button"), &[("name", name)]),
        )
    };
    let since = member.since.with_timezone(&chrono_tz::Europe::Amsterdam).date_naive();
    MemberLine {
        role: role(lang, &member.role),
        role_value: member.role.clone(),
        email: can_manage.then(|| member.email.clone()),
        since: lang.t_with("member-since", &[("date", &format::date(lang, since))]),
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

fn role_options(lang: Lang, kind: Kind) -> Vec<(String, String)> {
    kind.roles().into_iter().map(|r| (r.to_owned(), role(lang, r))).collect()
}

fn invite_fields(lang: Lang, kind: Kind, form: InviteForm) -> Vec<Field> {
    let chosen = if form.role.is_empty() { kind.roles()[0].to_owned() } else { form.role };
    vec![
        Field::new("name", lang.t("field-invitee-name"), Control::Text).value(form.name),
        Field::new("email", lang.t("field-email"), Control::Email)
            .hint(lang.t("field-invitee-email-hint"))
            .value(form.email),
        Field::new("role", lang.t("field-invitee-role"), Control::Select(role_options(lang, kind)))
            .hint(lang.t(&kind.key("field-invitee-role-hint")))
            .value(chosen),
    ]
}

/// Everything the page shows, for someone who may see these people.
async fn members_page(
    state: &AppState,
    caller: Caller,
    chrome: Chrome,
    owner: Owner,
    notice: Option<String>,
    form: InviteForm,
    errors: Errors,
) -> Result<MembersPage, ApiError> {
    let lang = chrome.lang;
    let me = caller.user_id.clone();
    let (scope, can_manage) = (owner.scope(), owner.can_manage);
    let (people, invitations) = state
        .db
        .run(move |conn| {
            let people = members::members_for(conn, &caller, &scope)?;
            let invitations =
                if can_manage { members::invitations_for(conn, &caller, &scope)? } else { Vec::new() };
            Ok::<_, ApiError>((people, invitations))
        })
        .await?;
    let mut invite = invite_fields(lang, owner.kind, form);
    errors.attach(&mut invite);
    Ok(MembersPage {
        title: lang.t_with(&owner.kind.key("members-title"), &[("name", &owner.name)]),
        base: owner.kind.base(&owner.id),
        back: owner.back,
        notice,
        members: people.into_iter().map(|m| member_line(lang, owner.kind, &me, m, can_manage)).collect(),
        invitations: invitations.into_iter().map(|i| invitation_line(lang, i)).collect(),
        can_manage,
        roles: role_options(lang, owner.kind),
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
    changed: Option<String>,
}

/// `GET /networks/{id}/members`, `GET /municipalities/{id}/people`.
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    kind: web::Data<Kind>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(owner) = owner(&state, &caller, **kind, id.into_inner(), chrome.lang).await? else {
        return not_found(chrome, cookies);
    };
    let query = web::Query::<MembersQuery>::from_query(req.query_string()).ok();
    let notice = match query {
        Some(q) if q.invited.is_some() => Some(chrome.t("member-invited")),
        Some(q) if q.removed.is_some() => Some(chrome.t(&owner.kind.key("member-removed"))),
        Some(q) if q.changed.is_some() => Some(chrome.t("member-role-changed")),
        _ => None,
    };
    let page =
        members_page(&state, caller, chrome, owner, notice, InviteForm::default(), Errors::default()).await?;
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

/// `POST .../members` or `.../people`: invites someone (the link goes out by email), then the
/// list.
pub async fn invite(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    kind: web::Data<Kind>,
    id: web::Path<String>,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, ApiError> {
    let form = form.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(owner) = owner(&state, &caller, **kind, id.into_inner(), chrome.lang).await? else {
        return not_found(chrome, cookies);
    };
    let input = InviteRequest { email: form.email.clone(), name: form.name.clone(), role: form.role.clone() };
    let (app, inviter, scope) = (state.clone(), caller.clone(), owner.scope());
    let invited = state
        .db
        .run(move |conn| members::invite_by(conn, &inviter, &scope, input, app.settings.link_mail()))
        .await;
    let errors = match invited {
        Ok(_) => return Ok(see_other(&format!("{}?invited=1", owner.kind.base(&owner.id)))),
        Err(err) if err.code == ErrorCode::NotFound => return not_found(chrome, cookies),
        Err(err) if err.code == ErrorCode::Forbidden => return not_allowed(chrome, cookies, &owner),
        Err(err) if matches!(err.code, ErrorCode::ValidationFailed | ErrorCode::Conflict) => {
            invite_errors(chrome.lang, &err)
        }
        Err(err) => return Err(err),
    };
    let page = members_page(&state, caller, chrome, owner, None, form, errors).await?;
    html(StatusCode::UNPROCESSABLE_ENTITY, cookies, &page)
}

#[derive(Debug, Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    csrf: String,
    /// For another role.
    #[serde(default)]
    role: String,
}

/// `POST .../{user_id}/remove` and `.../{user_id}/role`: takes someone out, or gives them
/// another role. The service keeps the last coordinator or admin; that refusal is said in words
/// on the list.
pub async fn change(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    kind: web::Data<Kind>,
    path: web::Path<(String, String, String)>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id, step) = path.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(owner) = owner(&state, &caller, **kind, id, chrome.lang).await? else {
        return not_found(chrome, cookies);
    };
    let removing = match step.as_str() {
        "remove" => true,
        "role" => false,
        _ => return not_found(chrome, cookies),
    };
    let yourself = user_id == caller.user_id;
    let (actor, scope, target, role) = (caller.clone(), owner.scope(), user_id.clone(), form.role.clone());
    let changed = state
        .db
        .run(move |conn| match removing {
            true => members::remove_by(conn, &actor, &scope, &target),
            false => members::change_role_by(conn, &actor, &scope, &target, &role).map(drop),
        })
        .await;
    let lang = chrome.lang;
    let base = owner.kind.base(&owner.id);
    let message = match changed {
        // Whoever removed themselves no longer sees these people.
        Ok(()) if removing && yourself => return Ok(see_other("/")),
        Ok(()) if removing => return Ok(see_other(&format!("{base}?removed=1"))),
        Ok(()) => return Ok(see_other(&format!("{base}?changed=1"))),
        Err(err) if err.code == ErrorCode::Forbidden => return not_allowed(chrome, cookies, &owner),
        Err(err) if err.code == ErrorCode::LastAdmin && yourself => {
            lang.t(&owner.kind.key("member-last-coordinator-self"))
        }
        Err(err) if err.code == ErrorCode::LastAdmin => lang.t(&owner.kind.key("member-last-coordinator")),
        Err(err) if err.code == ErrorCode::NotFound => lang.t(&owner.kind.key("member-gone")),
        Err(err) if err.code == ErrorCode::ValidationFailed => lang.t("invitee-role-invalid"),
        Err(err) => return Err(err),
    };
    let errors = Errors::one("members", message);
    let page = members_page(&state, caller, chrome, owner, None, InviteForm::default(), errors).await?;
    html(StatusCode::CONFLICT, cookies, &page)
}

/// The routes of both kinds of people pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    for (kind, base) in
        [(Kind::Network, "/networks/{id}/members"), (Kind::Municipality, "/municipalities/{id}/people")]
    {
        cfg.service(
            web::resource(base)
                .app_data(web::Data::new(kind))
                .route(web::get().to(list))
                .route(web::post().to(invite)),
        )
        .service(
            web::resource(format!("{base}/{{user_id}}/{{step}}"))
                .app_data(web::Data::new(kind))
                .route(web::post().to(change)),
        );
    }
}

//! Rules for memberships: valid roles per kind of organisation, single-use expiring
//! invitations, and never leaving an organisation without its admin or coordinator.

use chrono::Duration;

use crate::audit::{self, Actor, Event};
use crate::auth::{secrets, Action, Caller, Target};
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::{now, utc};
use crate::domain::{BoundedText, Email, Locale, NetworkRole};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::identity::repo as identity_repo;
use crate::identity::service::{self as identity, CreateUser};
use crate::networks::service as networks;
use crate::organisations::repo as organisations_repo;
use crate::organisations::service as organisations;
use crate::outbox::LinkMail;
use crate::outbox::{self, templates};

use super::dto::{AcceptInvitationRequest, AcceptedInvitation, InvitationDto, InviteRequest, MemberDto};
use super::repo::{self, InvitationRow};
use super::MembershipOwner;

pub const INVITATION_DAYS: i64 = 7;
const INVITATION_PREFIX: &str = "inv_";

/// Asks the policy about the organisation behind `scope`.
pub fn authorize(
    conn: &mut DbConnection,
    caller: &Caller,
    action: Action,
    scope: &MembershipOwner,
) -> Result<(), ApiError> {
    match scope {
        MembershipOwner::Municipality(id) => caller.authorize(action, Target::Municipality(id)),
        MembershipOwner::Network(id) => {
            let network = networks::scope(conn, id)?;
            caller.authorize(action, Target::Network(&network))
        }
        MembershipOwner::Organisation(id) => {
            let organisation = organisations::scope(conn, id)?;
            caller.authorize(action, Target::Organisation(&organisation))
        }
    }
}

/// What inviting someone with `role` asks of the policy: making someone a network's
/// coordinator is its own action (an officer may do it for a network without one).
pub fn invite_action(scope: &MembershipOwner, role: &str) -> Action {
    match scope {
        MembershipOwner::Network(_) if role == NetworkRole::Coordinator.as_str() => Action::InviteCoordinator,
        _ => Action::ManageMembers,
    }
}

/// An invitation is only as good as its sender's right to give it, checked again when it is
/// accepted: a coordinator invitation from an officer lapses once the network has a
/// coordinator, and invitations from someone who lost their role lapse with it.
fn ensure_inviter_may(conn: &mut DbConnection, invitation: &InvitationRow) -> Result<(), ApiError> {
    let lapsed = || {
        ApiError::new(
            ErrorCode::InvitationExpired,
            "This invitation no longer holds: whoever sent it may no longer give this role \
             (for example, the network has a coordinator now). Ask for a new one.",
        )
    };
    let Some(inviter) = identity_repo::find_user(conn, &invitation.invited_by)?.filter(|u| !u.disabled)
    else {
        return Err(lapsed());
    };
    let inviter = identity_repo::caller_for(conn, inviter)?;
    let scope = invitation.scope();
    match authorize(conn, &inviter, invite_action(&scope, &invitation.role), &scope) {
        Ok(()) => Ok(()),
        Err(err) if matches!(err.code, ErrorCode::Forbidden | ErrorCode::NotFound) => Err(lapsed()),
        Err(err) => Err(err),
    }
}

/// Records a membership change; an organisation's changes count for its municipality.
fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    scope: &MembershipOwner,
    action: &str,
    entity_id: &str,
    changes: serde_json::Value,
) -> Result<(), ApiError> {
    let organisation_municipality = match scope {
        MembershipOwner::Organisation(id) => organisations_repo::find(conn, id)?.map(|o| o.municipality_id),
        _ => None,
    };
    let event = Event {
        action,
        entity_type: "membership",
        entity_id,
        municipality_id: scope.municipality_id().or(organisation_municipality.as_deref()),
        network_id: scope.network_id(),
        changes,
    };
    Ok(audit::record(conn, actor, event)?)
}

pub fn list_members(conn: &mut DbConnection, scope: &MembershipOwner) -> Result<Vec<MemberDto>, ApiError> {
    Ok(repo::list_members(conn, scope)?
        .into_iter()
        .map(|(user_id, name, email, role, since)| MemberDto {
            user_id,
            name,
            email,
            role,
            since: utc(since),
        })
        .collect())
}

fn invitation_dto(row: &InvitationRow) -> InvitationDto {
    InvitationDto {
        id: row.id.clone(),
        email: row.email.clone(),
        name: row.name.clone(),
        role: row.role.clone(),
        municipality_id: row.municipality_id.clone(),
        network_id: row.network_id.clone(),
        organisation_id: row.organisation_id.clone(),
        expires_at: utc(row.expires_at),
        sent_by_email: true,
    }
}

pub fn pending_invitations(
    conn: &mut DbConnection,
    scope: &MembershipOwner,
) -> Result<Vec<InvitationDto>, ApiError> {
    Ok(repo::pending_invitations(conn, scope, now())?.iter().map(invitation_dto).collect())
}

/// Creates a single-use invitation and emails its link to the invitee: the token travels only
/// by email, never in the answer, so nobody can accept for an address they do not read.
pub fn invite(
    conn: &mut DbConnection,
    actor: &Actor,
    scope: &MembershipOwner,
    input: InviteRequest,
    mail: LinkMail<'_>,
) -> Result<InvitationDto, ApiError> {
    let mut errors = Vec::new();
    let email = Email::parse(&input.email).map_err(|m| errors.push(FieldError::new("email", m))).ok();
    let name =
        BoundedText::<200>::parse(&input.name).map_err(|m| errors.push(FieldError::new("name", m))).ok();
    let role = scope.parse_role(&input.role);
    if role.is_none() {
        errors.push(FieldError::new("role", role_message(scope)));
    }
    let (Some(email), Some(name), Some(role), true) = (email, name, role, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let (token, token_hash) = secrets::new_token(INVITATION_PREFIX);
    let created = now();
    let row = InvitationRow {
        id: uuid::Uuid::now_v7().to_string(),
        token_hash,
        municipality_id: scope.municipality_id().map(str::to_owned),
        network_id: scope.network_id().map(str::to_owned),
        organisation_id: scope.organisation_id().map(str::to_owned),
        email: email.as_str().to_owned(),
        name: name.into_inner(),
        role: role.to_owned(),
        invited_by: actor.user_id.clone().unwrap_or_default(),
        created_at: created,
        expires_at: created + Duration::days(INVITATION_DAYS),
        accepted_at: None,
        accepted_by: None,
    };
    let link = format!("{}/invitations/{token}", mail.public_url);
    let api_url = format!("{}/api/v1/invitations/{token}/accept", mail.public_url);
    write_transaction(conn, |conn| {
        let existing = identity_repo::find_user_by_email(conn, &row.email)?;
        if let Some(user) = &existing {
            if repo::member_role(conn, scope, &user.id)?.is_some() {
                return Err(ApiError::conflict(format!("{} is already a member.", row.email)));
            }
        }
        repo::insert_invitation(conn, &row)?;
        let changes = serde_json::json!({"email": {"before": null, "after": row.email}, "role": {"before": null, "after": row.role}});
        record(conn, actor, scope, "member.invited", &row.id, changes)?;
        // The email goes out with the invitation, or not at all.
        let locale = existing.and_then(|u| u.locale.parse().ok()).unwrap_or_default();
        let (organisation, municipality_id) = describe(conn, scope)?;
        let expires_on = row.expires_at.date().to_string();
        let email =
            templates::invitation(locale, &row.name, &organisation, &row.role, &link, &api_url, &expires_on);
        mail.enqueue(
            conn,
            &outbox::Email {
                kind: "invitation",
                dedupe_key: format!("invitation:{}", row.id),
                municipality_id,
                recipient: row.email.clone(),
                subject: email.subject,
                text: email.text,
                html: email.html,
            },
        )?;
        Ok(invitation_dto(&row))
    })
}

/// The organisation's name, and the municipality its mail belongs to.
fn describe(conn: &mut DbConnection, scope: &MembershipOwner) -> Result<(String, Option<String>), ApiError> {
    Ok(match scope {
        MembershipOwner::Municipality(id) => (
            crate::municipalities::repo::find(conn, id)?.map(|m| m.name).unwrap_or_default(),
            Some(id.clone()),
        ),
        MembershipOwner::Network(id) => {
            (crate::networks::repo::find(conn, id)?.map(|n| n.name).unwrap_or_default(), None)
        }
        MembershipOwner::Organisation(id) => match organisations_repo::find(conn, id)? {
            Some(o) => (o.name, Some(o.municipality_id)),
            None => (String::new(), None),
        },
    })
}

fn role_message(scope: &MembershipOwner) -> &'static str {
    match scope {
        MembershipOwner::Municipality(_) => "must be one of municipal_admin, officer, finance, auditor",
        MembershipOwner::Network(_) => "must be one of coordinator, treasurer, member",
        MembershipOwner::Organisation(_) => "must be contact",
    }
}

/// Accepts an invitation: creates the account with the chosen password, or, for an address
/// that already has an account, adds the role to it when that account is the one signed in
/// (`signed_in`); a password is never set or changed here. The invitation is marked used
/// first, so two concurrent accepts create one account.
pub fn accept(
    conn: &mut DbConnection,
    token: &str,
    input: AcceptInvitationRequest,
    signed_in: Option<&Caller>,
    request_id: String,
) -> Result<AcceptedInvitation, ApiError> {
    let find = |conn: &mut DbConnection| {
        repo::find_invitation_by_hash(conn, &secrets::hash(token))?
            .ok_or_else(|| ApiError::not_found("No such invitation. Ask for a new one."))
    };
    let invitation = find(conn)?;
    check_usable(&invitation)?;
    let existing = identity_repo::find_user_by_email(conn, &invitation.email)?;
    if let Some(user) = &existing {
        if let Err(not_signed_in) = ensure_signed_in_as(user, signed_in) {
            // The account may be one a concurrent accept of this invitation just made: then
            // the invitation is used, and that is the answer.
            check_usable(&find(conn)?)?;
            return Err(not_signed_in);
        }
    }
    // The slow password hash happens before the write lock is taken.
    let new_user = match existing {
        Some(_) => None,
        None => {
            let password = input.password.as_deref().unwrap_or_default();
            let name = input.name.as_deref().unwrap_or(&invitation.name);
            Some(identity::check_user(&CreateUser {
                email: &invitation.email,
                name,
                password,
                locale: Locale::default(),
                is_platform_admin: false,
            })?)
        }
    };
    let scope = invitation.scope();
    write_transaction(conn, |conn| {
        // Claim the invitation first: a concurrent accept waits here, then finds it used.
        if !repo::claim_invitation(conn, &invitation.id, now())? {
            return Err(ApiError::new(ErrorCode::InvitationUsed, "This invitation was already accepted."));
        }
        ensure_inviter_may(conn, &invitation)?;
        let (user, new_account) =
            match (identity_repo::find_user_by_email(conn, &invitation.email)?, &new_user) {
                // Checked again under the lock: an account made meanwhile needs its sign-in too.
                (Some(user), _) => {
                    ensure_signed_in_as(&user, signed_in)?;
                    (user, false)
                }
                (None, Some(checked)) => (identity::insert_user(conn, checked)?, true),
                (None, None) => {
                    return Err(ApiError::invalid_field(
                        "password",
                        "choose a password of at least 12 characters",
                    ))
                }
            };
        repo::set_accepted_by(conn, &invitation.id, &user.id)?;
        if repo::member_role(conn, &scope, &user.id)?.is_none() {
            repo::insert_member(conn, &scope, &user.id, &invitation.role, now())?;
        }
        let actor = Actor { user_id: Some(user.id.clone()), request_id: Some(request_id.clone()) };
        let changes = serde_json::json!({"role": {"before": null, "after": invitation.role}});
        record(conn, &actor, &scope, "member.joined", &user.id, changes)?;
        Ok(AcceptedInvitation {
            user_id: user.id,
            email: user.email,
            role: invitation.role.clone(),
            municipality_id: invitation.municipality_id.clone(),
            network_id: invitation.network_id.clone(),
            organisation_id: invitation.organisation_id.clone(),
            new_account,
        })
    })
}

/// An existing account joins only when it is the one signed in.
fn ensure_signed_in_as(user: &identity_repo::UserRow, signed_in: Option<&Caller>) -> Result<(), ApiError> {
    match signed_in {
        Some(caller) if caller.service_account.is_none() && caller.user_id == user.id => Ok(()),
        Some(_) => Err(ApiError::new(
            ErrorCode::SignInRequired,
            format!("This invitation is for {}, and you are signed in as someone else. Sign in as {} and accept again.", user.email, user.email),
        )),
        None => Err(ApiError::new(
            ErrorCode::SignInRequired,
            format!(
                "{} already has an account. Sign in first (forgot the password? ask for a reset link), then accept with the access token.",
                user.email
            ),
        )),
    }
}

/// What the page of an invitation link shows before it is accepted.
pub struct InvitationPreview {
    pub email: String,
    pub name: String,
    pub role: String,
    pub organisation: String,
    /// The address already has an account: accept signed in as it.
    pub has_account: bool,
}

/// An invitation by its token, if it can still be accepted.
pub fn preview(conn: &mut DbConnection, token: &str) -> Result<InvitationPreview, ApiError> {
    let invitation = repo::find_invitation_by_hash(conn, &secrets::hash(token))?
        .ok_or_else(|| ApiError::not_found("No such invitation. Ask for a new one."))?;
    check_usable(&invitation)?;
    let (organisation, _) = describe(conn, &invitation.scope())?;
    let has_account = identity_repo::find_user_by_email(conn, &invitation.email)?.is_some();
    Ok(InvitationPreview {
        email: invitation.email,
        name: invitation.name,
        role: invitation.role,
        organisation,
        has_account,
    })
}

fn check_usable(invitation: &InvitationRow) -> Result<(), ApiError> {
    if invitation.accepted_at.is_some() {
        return Err(ApiError::new(ErrorCode::InvitationUsed, "This invitation was already accepted."));
    }
    if invitation.expires_at <= now() {
        return Err(ApiError::new(
            ErrorCode::InvitationExpired,
            "This invitation has expired. Ask for a new one.",
        ));
    }
    Ok(())
}

fn ensure_admin_remains(
    conn: &mut DbConnection,
    scope: &MembershipOwner,
    user_id: &str,
    new_role: Option<&str>,
) -> Result<String, ApiError> {
    let current =
        repo::member_role(conn, scope, user_id)?.ok_or_else(|| ApiError::not_found("No such member."))?;
    let Some(admin) = scope.admin_role() else { return Ok(current) };
    if current == admin && new_role != Some(admin) && repo::count_role(conn, scope, admin)? <= 1 {
        let who = match scope {
            MembershipOwner::Municipality(_) => "the last municipal admin of this municipality",
            _ => "the last coordinator of this network",
        };
        return Err(ApiError::new(
            ErrorCode::LastAdmin,
            format!("This person is {who}. Give someone else that role first."),
        ));
    }
    Ok(current)
}

pub fn change_role(
    conn: &mut DbConnection,
    actor: &Actor,
    scope: &MembershipOwner,
    user_id: &str,
    role: &str,
) -> Result<MemberDto, ApiError> {
    let role = scope.parse_role(role).ok_or_else(|| ApiError::invalid_field("role", role_message(scope)))?;
    write_transaction(conn, |conn| {
        let before = ensure_admin_remains(conn, scope, user_id, Some(role))?;
        repo::set_role(conn, scope, user_id, role)?;
        let changes = serde_json::json!({"role": {"before": before, "after": role}});
        record(conn, actor, scope, "member.role_changed", user_id, changes)?;
        list_members(conn, scope)?
            .into_iter()
            .find(|m| m.user_id == user_id)
            .ok_or_else(|| ApiError::not_found("No such member."))
    })
}

pub fn remove(
    conn: &mut DbConnection,
    actor: &Actor,
    scope: &MembershipOwner,
    user_id: &str,
) -> Result<(), ApiError> {
    write_transaction(conn, |conn| {
        let before = ensure_admin_remains(conn, scope, user_id, None)?;
        repo::remove(conn, scope, user_id)?;
        let changes = serde_json::json!({"role": {"before": before, "after": null}});
        record(conn, actor, scope, "member.removed", user_id, changes)?;
        Ok(())
    })
}

/// The people of `scope`, for whoever may read them.
pub fn members_for(
    conn: &mut DbConnection,
    caller: &Caller,
    scope: &MembershipOwner,
) -> Result<Vec<MemberDto>, ApiError> {
    authorize(conn, caller, Action::Read, scope)?;
    list_members(conn, scope)
}

/// The open invitations of `scope`, for whoever manages its people.
pub fn invitations_for(
    conn: &mut DbConnection,
    caller: &Caller,
    scope: &MembershipOwner,
) -> Result<Vec<InvitationDto>, ApiError> {
    authorize(conn, caller, Action::ManageMembers, scope)?;
    pending_invitations(conn, scope)
}

/// Invites someone, for whoever may give that role.
pub fn invite_by(
    conn: &mut DbConnection,
    caller: &Caller,
    scope: &MembershipOwner,
    input: InviteRequest,
    mail: LinkMail<'_>,
) -> Result<InvitationDto, ApiError> {
    authorize(conn, caller, invite_action(scope, &input.role), scope)?;
    invite(conn, &Actor::from(caller), scope, input, mail)
}

/// Gives someone another role, for whoever manages the people.
pub fn change_role_by(
    conn: &mut DbConnection,
    caller: &Caller,
    scope: &MembershipOwner,
    user_id: &str,
    role: &str,
) -> Result<MemberDto, ApiError> {
    authorize(conn, caller, Action::ManageMembers, scope)?;
    change_role(conn, &Actor::from(caller), scope, user_id, role)
}

/// Takes someone out, for whoever manages the people.
pub fn remove_by(
    conn: &mut DbConnection,
    caller: &Caller,
    scope: &MembershipOwner,
    user_id: &str,
) -> Result<(), ApiError> {
    authorize(conn, caller, Action::ManageMembers, scope)?;
    remove(conn, &Actor::from(caller), scope, user_id)
}

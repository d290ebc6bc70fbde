//! HTTP handlers for members and invitations of municipalities and networks: each names the
//! organisation and calls the member service, which asks the policy.

use actix_web::{web, HttpResponse};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::http::request::RequestId;
use crate::state::AppState;

use super::dto::{
    AcceptInvitationRequest, AcceptedInvitation, ChangeRoleRequest, InvitationDto, InvitationList,
    InviteRequest, MemberDto, MemberList,
};
use super::service;
use super::MembershipOwner;

async fn list_members(
    state: web::Data<AppState>,
    caller: Caller,
    scope: MembershipOwner,
) -> Result<HttpResponse, ApiError> {
    let items = state.db.run(move |conn| service::members_for(conn, &caller, &scope)).await?;
    Ok(HttpResponse::Ok().json(MemberList { items }))
}

async fn list_invitations(
    state: web::Data<AppState>,
    caller: Caller,
    scope: MembershipOwner,
) -> Result<HttpResponse, ApiError> {
    let items = state.db.run(move |conn| service::invitations_for(conn, &caller, &scope)).await?;
    Ok(HttpResponse::Ok().json(InvitationList { items }))
}

async fn invite(
    state: web::Data<AppState>,
    caller: Caller,
    scope: MembershipOwner,
    input: InviteRequest,
) -> Result<HttpResponse, ApiError> {
    let app = state.clone();
    let (location, dto) = state
        .db
        .run(move |conn| {
            let dto = service::invite_by(conn, &caller, &scope, input, app.settings.link_mail())?;
            let location = match &scope {
                MembershipOwner::Municipality(id) => format!("/api/v1/municipalities/{id}/invitations"),
                MembershipOwner::Network(id) => format!("/api/v1/networks/{id}/invitations"),
                MembershipOwner::Organisation(id) => format!("/api/v1/organisations/{id}/contacts"),
            };
            Ok((location, dto))
        })
        .await?;
    Ok(HttpResponse::Created().insert_header(("Location", location)).json(dto))
}

async fn change_role(
    state: web::Data<AppState>,
    caller: Caller,
    scope: MembershipOwner,
    user_id: String,
    role: String,
) -> Result<HttpResponse, ApiError> {
    let member =
        state.db.run(move |conn| service::change_role_by(conn, &caller, &scope, &user_id, &role)).await?;
    Ok(HttpResponse::Ok().json(member))
}

async fn remove(
    state: web::Data<AppState>,
    caller: Caller,
    scope: MembershipOwner,
    user_id: String,
) -> Result<HttpResponse, ApiError> {
    state.db.run(move |conn| service::remove_by(conn, &caller, &scope, &user_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Members of a municipality.
///
/// For every member of the municipality.
#[utoipa::path(get, path = "/api/v1/municipalities/{id}/members", tag = "members", operation_id = "listMunicipalityMembers",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Municipality id")),
    responses((status = 200, description = "Every member", body = MemberList)))]
pub async fn list_municipality_members(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    list_members(state, caller, MembershipOwner::Municipality(id.into_inner().to_string())).await
}

/// Invite someone to a municipality.
///
/// Municipal admins and platform admins. The single-use link, valid for 7 days, is emailed
/// to the invitee and never returned.
#[utoipa::path(post, path = "/api/v1/municipalities/{id}/members", tag = "members", operation_id = "inviteMunicipalityMember",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Municipality id")),
    request_body = InviteRequest,
    responses((status = 201, description = "Invited", body = InvitationDto)))]
pub async fn invite_municipality_member(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Json<InviteRequest>,
) -> Result<HttpResponse, ApiError> {
    invite(state, caller, MembershipOwner::Municipality(id.into_inner().to_string()), body.into_inner()).await
}

/// Change a municipality member's role.
///
/// Municipal admins. The last municipal admin keeps that role (409 `last_admin`).
#[utoipa::path(patch, path = "/api/v1/municipalities/{id}/members/{user_id}", tag = "members",
    operation_id = "changeMunicipalityRole", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id"), ("user_id" = uuid::Uuid, Path, description = "User id")),
    request_body = ChangeRoleRequest,
    responses((status = 200, description = "The member with the new role", body = MemberDto)))]
pub async fn change_municipality_role(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    body: web::Json<ChangeRoleRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    change_role(
        state,
        caller,
        MembershipOwner::Municipality(id.to_string()),
        user_id.to_string(),
        body.into_inner().role,
    )
    .await
}

/// Remove someone from a municipality.
///
/// Municipal admins. Their role stops working on their next request. The last municipal admin
/// cannot be removed (409 `last_admin`).
#[utoipa::path(delete, path = "/api/v1/municipalities/{id}/members/{user_id}", tag = "members",
    operation_id = "removeMunicipalityMember", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id"), ("user_id" = uuid::Uuid, Path, description = "User id")),
    responses((status = 204, description = "Removed")))]
pub async fn remove_municipality_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    remove(state, caller, MembershipOwner::Municipality(id.to_string()), user_id.to_string()).await
}

/// Open invitations of a municipality.
///
/// Municipal admins. Invitations that are neither accepted nor expired.
#[utoipa::path(get, path = "/api/v1/municipalities/{id}/invitations", tag = "members",
    operation_id = "listMunicipalityInvitations", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Municipality id")),
    responses((status = 200, description = "Open invitations", body = InvitationList)))]
pub async fn list_municipality_invitations(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    list_invitations(state, caller, MembershipOwner::Municipality(id.into_inner().to_string())).await
}

/// Members of a network.
///
/// For the network's members and the officers of municipalities it works with.
#[utoipa::path(get, path = "/api/v1/networks/{id}/members", tag = "members", operation_id = "listNetworkMembers",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Network id")),
    responses((status = 200, description = "Every member", body = MemberList)))]
pub async fn list_network_members(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    list_members(state, caller, MembershipOwner::Network(id.into_inner().to_string())).await
}

/// Invite someone to a network.
///
/// Coordinators. An officer of a municipality the network works with may invite its first
/// coordinator (role `coordinator`) while it has none; such an invitation lapses once someone
/// coordinates the network. The single-use link, valid for 7 days, is emailed to the invitee
/// and never returned.
#[utoipa::path(post, path = "/api/v1/networks/{id}/members", tag = "members", operation_id = "inviteNetworkMember",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Network id")),
    request_body = InviteRequest,
    responses((status = 201, description = "Invited", body = InvitationDto)))]
pub async fn invite_network_member(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Json<InviteRequest>,
) -> Result<HttpResponse, ApiError> {
    invite(state, caller, MembershipOwner::Network(id.into_inner().to_string()), body.into_inner()).await
}

/// Change a network member's role.
///
/// Coordinators. The last coordinator keeps that role (409 `last_admin`).
#[utoipa::path(patch, path = "/api/v1/networks/{id}/members/{user_id}", tag = "members",
    operation_id = "changeNetworkRole", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Network id"), ("user_id" = uuid::Uuid, Path, description = "User id")),
    request_body = ChangeRoleRequest,
    responses((status = 200, description = "The member with the new role", body = MemberDto)))]
pub async fn change_network_role(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    body: web::Json<ChangeRoleRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    change_role(
        state,
        caller,
        MembershipOwner::Network(id.to_string()),
        user_id.to_string(),
        body.into_inner().role,
    )
    .await
}

/// Remove someone from a network.
///
/// Coordinators. Their role stops working on their next request. The last coordinator cannot
/// be removed (409 `last_admin`).
#[utoipa::path(delete, path = "/api/v1/networks/{id}/members/{user_id}", tag = "members",
    operation_id = "removeNetworkMember", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Network id"), ("user_id" = uuid::Uuid, Path, description = "User id")),
    responses((status = 204, description = "Removed")))]
pub async fn remove_network_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    remove(state, caller, MembershipOwner::Network(id.to_string()), user_id.to_string()).await
}

/// Open invitations of a network.
///
/// Those who manage the network's members.
#[utoipa::path(get, path = "/api/v1/networks/{id}/invitations", tag = "members",
    operation_id = "listNetworkInvitations", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Network id")),
    responses((status = 200, description = "Open invitations", body = InvitationList)))]
pub async fn list_network_invitations(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    list_invitations(state, caller, MembershipOwner::Network(id.into_inner().to_string())).await
}

/// Contacts of a partner organisation.
///
/// The people who act for the organisation: they endorse visions and sign agreements it is a
/// party to.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/contacts", tag = "organisations",
    operation_id = "listOrganisationContacts", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Organisation id")),
    responses((status = 200, description = "Every contact", body = MemberList)))]
pub async fn list_organisation_contacts(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    list_members(state, caller, MembershipOwner::Organisation(id.into_inner().to_string())).await
}

/// Invite a contact for a partner organisation.
///
/// Officers and municipal admins of its municipality; `role` is `contact`.
#[utoipa::path(post, path = "/api/v1/organisations/{id}/contacts", tag = "organisations",
    operation_id = "inviteOrganisationContact", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Organisation id")),
    request_body = InviteRequest,
    responses((status = 201, description = "Invited", body = InvitationDto)))]
pub async fn invite_organisation_contact(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Json<InviteRequest>,
) -> Result<HttpResponse, ApiError> {
    invite(state, caller, MembershipOwner::Organisation(id.into_inner().to_string()), body.into_inner()).await
}

/// Remove a contact of a partner organisation.
///
/// Officers and municipal admins of its municipality.
#[utoipa::path(delete, path = "/api/v1/organisations/{id}/contacts/{user_id}", tag = "organisations",
    operation_id = "removeOrganisationContact", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Organisation id"), ("user_id" = uuid::Uuid, Path, description = "User id")),
    responses((status = 204, description = "Removed")))]
pub async fn remove_organisation_contact(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    remove(state, caller, MembershipOwner::Organisation(id.to_string()), user_id.to_string()).await
}

/// Accept an invitation.
///
/// The token comes only by email. For a new address no sign-in is needed: the account is
/// created with the chosen password. For an address that already has an account, send that
/// account's access token (`Authorization: Bearer ...`): the role is added and the password
/// stays as it is; without it, or signed in as someone else, the answer is 401
/// `sign_in_required`. Each invitation works once.
#[utoipa::path(post, path = "/api/v1/invitations/{token}/accept", tag = "members", operation_id = "acceptInvitation",
    security((), ("bearer" = [])),
    params(("token" = String, Path, description = "The token from the invitation URL")),
    request_body = AcceptInvitationRequest,
    responses(
        (status = 200, description = "Accepted", body = AcceptedInvitation),
        (status = 401, description = "The address has an account: sign in as it first (`sign_in_required`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already accepted", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 410, description = "Expired, or no longer valid", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    request_id: RequestId,
    // Optional: only an existing account needs to be signed in.
    caller: Option<Caller>,
    token: web::Path<String>,
    body: web::Json<AcceptInvitationRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    if token.len() > 200 {
        return Err(ApiError::not_found("No such invitation. Ask for a new one."));
    }
    let input = body.into_inner();
    let request_id = request_id.as_str().to_owned();
    let accepted =
        state.db.run(move |conn| service::accept(conn, &token, input, caller.as_ref(), request_id)).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

//! Rules for service accounts: valid names and scopes, tokens shown once and stored hashed,
//! audited changes, and who a token makes the caller.

use chrono::{DateTime, Utc};

use crate::audit::{self, Actor, Event};
use crate::auth::{secrets, Action, Caller, Target};
use crate::db::page::{Page, PageRequest};
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::now;
use crate::domain::{BoundedText, Scope};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::identity::repo::{self as users, NewUser};

use super::dto::{
    CreateServiceAccount, IssueToken, IssuedTokenDto, ServiceAccountDto, TokenDto, UpdateServiceAccount,
};
use super::repo::{self, ServiceAccountRow, TokenRow};
use super::TOKEN_PREFIX;

/// Characters of a token kept to recognise it: the prefix and four more, far too few to guess
/// the remaining 256 bits.
const HINT_LENGTH: usize = TOKEN_PREFIX.len() + 4;

/// Only the municipality's admins manage its service accounts: 404 for someone who cannot see
/// the municipality, 403 for someone who can but may not.
fn authorize(caller: &Caller, municipality_id: &str) -> Result<(), ApiError> {
    caller.authorize(Action::ManageServiceAccounts, Target::Municipality(municipality_id))
}

fn find(conn: &mut DbConnection, municipality_id: &str, id: &str) -> Result<ServiceAccountRow, ApiError> {
    repo::find(conn, municipality_id, id)?.ok_or_else(|| ApiError::not_found("No such service account."))
}

/// One of the municipality's service accounts, for whoever manages them.
pub fn get(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: &str,
    id: &str,
) -> Result<ServiceAccountDto, ApiError> {
    authorize(caller, municipality_id)?;
    Ok(ServiceAccountDto::from(find(conn, municipality_id, id)?))
}

fn check_name(name: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    BoundedText::<200>::parse(name)
        .map_err(|m| errors.push(FieldError::new("name", m)))
        .ok()
        .map(|n| n.into_inner())
}

fn check_scopes(scopes: &[Scope], errors: &mut Vec<FieldError>) -> String {
    if scopes.is_empty() {
        errors.push(FieldError::new("scopes", "Give at least one scope, e.g. grants:read."));
    }
    Scope::join(scopes)
}

fn check_expiry(field: &str, at: Option<DateTime<Utc>>, errors: &mut Vec<FieldError>) {
    if at.is_some_and(|at| at.naive_utc() <= now()) {
        errors.push(FieldError::new(field, "Must lie in the future."));
    }
}

fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    account: &ServiceAccountDto,
    changes: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        actor,
        Event {
            action,
            entity_type: "service_account",
            entity_id: &account.id,
            municipality_id: Some(&account.municipality_id),
            network_id: None,
            changes,
        },
    )?;
    Ok(())
}

fn json(dto: &ServiceAccountDto) -> serde_json::Value {
    serde_json::to_value(dto).unwrap_or_default()
}

/// The account and the disabled user row that stands for it wherever a person would be named.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: &str,
    input: CreateServiceAccount,
) -> Result<ServiceAccountDto, ApiError> {
    authorize(caller, municipality_id)?;
    let mut errors = Vec::new();
    let name = check_name(&input.name, &mut errors);
    let scopes = check_scopes(&input.scopes, &mut errors);
    check_expiry("expires_at", input.expires_at, &mut errors);
    let Some(name) = name.filter(|_| errors.is_empty()) else { return Err(ApiError::validation(errors)) };
    let created = now();
    let row = ServiceAccountRow {
        id: uuid::Uuid::now_v7().to_string(),
        municipality_id: municipality_id.to_owned(),
        name,
        scopes,
        expires_at: input.expires_at.map(|at| at.naive_utc()),
        active: true,
        created_by: caller.user_id.clone(),
        version: 1,
        created_at: created,
        updated_at: created,
    };
    write_transaction(conn, |conn| {
        users::insert_user(
            conn,
            &NewUser {
                id: &row.id,
                email: &format!("{}@service-accounts.invalid", row.id),
                name: &row.name,
                locale: "en",
                // Not a hash any password verifies against; and the row is disabled.
                password_hash: "!",
                is_platform_admin: false,
                disabled: true,
                created_at: created,
            },
        )?;
        repo::insert(conn, &row)?;
        let dto = ServiceAccountDto::from(row.clone());
        record(
            conn,
            &Actor::from(caller),
            "service_account.created",
            &dto,
            audit::changes(None, &json(&dto)),
        )?;
        Ok(dto)
    })
}

pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: &str,
    id: &str,
    expected_version: Option<i64>,
    change: UpdateServiceAccount,
) -> Result<ServiceAccountDto, ApiError> {
    authorize(caller, municipality_id)?;
    write_transaction(conn, |conn| {
        let before = find(conn, municipality_id, id)?;
        crate::db::version::check(expected_version, before.version)?;
        let mut errors = Vec::new();
        let name = match &change.name {
            Some(name) => check_name(name, &mut errors),
            None => Some(before.name.clone()),
        };
        let scopes = match &change.scopes {
            Some(scopes) => check_scopes(scopes, &mut errors),
            None => before.scopes.clone(),
        };
        let expires_at = match change.expires_at {
            Some(at) => {
                check_expiry("expires_at", at, &mut errors);
                at.map(|at| at.naive_utc())
            }
            None => before.expires_at,
        };
        let Some(name) = name.filter(|_| errors.is_empty()) else { return Err(ApiError::validation(errors)) };
        let after = ServiceAccountRow {
            name,
            scopes,
            expires_at,
            active: change.active.unwrap_or(before.active),
            version: before.version + 1,
            updated_at: now(),
            ..before.clone()
        };
        if !repo::update(conn, &after)? {
            return Err(ApiError::new(
                ErrorCode::PreconditionFailed,
                "The service account changed meanwhile.",
            ));
        }
        let (before, after) = (ServiceAccountDto::from(before), ServiceAccountDto::from(after));
        let changes = audit::changes(Some(&json(&before)), &json(&after));
        record(conn, &Actor::from(caller), "service_account.updated", &after, changes)?;
        Ok(after)
    })
}

/// A new token for the account; the response is the only place it ever appears.
pub fn issue_token(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: &str,
    account_id: &str,
    input: IssueToken,
) -> Result<IssuedTokenDto, ApiError> {
    authorize(caller, municipality_id)?;
    let mut errors = Vec::new();
    let label = BoundedText::<200>::parse(input.label.as_deref().unwrap_or("API token"))
        .map_err(|m| errors.push(FieldError::new("label", m)))
        .ok();
    check_expiry("expires_at", input.expires_at, &mut errors);
    let Some(label) = label.filter(|_| errors.is_empty()) else { return Err(ApiError::validation(errors)) };
    write_transaction(conn, |conn| {
        let account = ServiceAccountDto::from(find(conn, municipality_id, account_id)?);
        if !account.active {
            return Err(ApiError::conflict(
                "The service account is inactive; activate it before issuing tokens.",
            ));
        }
        let (token, token_hash) = secrets::new_token(TOKEN_PREFIX);
        let row = TokenRow {
            id: uuid::Uuid::now_v7().to_string(),
            service_account_id: account.id.clone(),
            token_hash,
            hint: token.chars().take(HINT_LENGTH).collect(),
            label: label.into_inner(),
            expires_at: input.expires_at.map(|at| at.naive_utc()),
            last_used_at: None,
            revoked_at: None,
            created_by: caller.user_id.clone(),
            created_at: now(),
        };
        repo::insert_token(conn, &row)?;
        let details = TokenDto::from(row);
        let changes =
            serde_json::json!({"token": {"id": details.id, "label": details.label, "hint": details.hint}});
        record(conn, &Actor::from(caller), "service_account.token_issued", &account, changes)?;
        Ok(IssuedTokenDto { token, details })
    })
}

pub fn revoke_token(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: &str,
    account_id: &str,
    token_id: &str,
) -> Result<TokenDto, ApiError> {
    authorize(caller, municipality_id)?;
    write_transaction(conn, |conn| {
        let account = ServiceAccountDto::from(find(conn, municipality_id, account_id)?);
        let token = repo::find_token(conn, &account.id, token_id)?
            .ok_or_else(|| ApiError::not_found("No such token."))?;
        if repo::revoke_token(conn, &token.id, now())? {
            let changes = serde_json::json!({"token": {"id": token.id, "hint": token.hint}});
            record(conn, &Actor::from(caller), "service_account.token_revoked", &account, changes)?;
        }
        let token = repo::find_token(conn, &account.id, token_id)?
            .ok_or_else(|| ApiError::not_found("No such token."))?;
        Ok(TokenDto::from(token))
    })
}

/// A page of the municipality's service accounts, oldest first.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: &str,
    page: &PageRequest,
) -> Result<Page<ServiceAccountDto>, ApiError> {
    authorize(caller, municipality_id)?;
    let rows = repo::list(conn, municipality_id, page.after_id.as_deref(), page.fetch_limit())?;
    Ok(Page::from_rows(rows, page, |r| &r.id, ServiceAccountDto::from))
}

/// The tokens of one of the municipality's service accounts, oldest first; never the secrets.
pub fn list_tokens(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: &str,
    id: &str,
) -> Result<Vec<TokenDto>, ApiError> {
    authorize(caller, municipality_id)?;
    let account = find(conn, municipality_id, id)?;
    Ok(repo::list_tokens(conn, &account.id)?.into_iter().map(TokenDto::from).collect())
}

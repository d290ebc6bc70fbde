//! `Idempotency-Key` on POST: the first response to a caller's key is stored and replayed when
//! the same request comes again within 24 hours; the same key with another body is a 422, and
//! while the first request still runs a 409. An answer that carries a secret shown once (marked
//! `Cache-Control: no-store`) is never kept: its replay is a 409 `secret_shown_once`. Keys are scoped to the caller (the token's
//! subject); requests without a valid token pass through and get their 401 from the handler.

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE, ETAG, LOCATION};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use chrono::Duration;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::auth::caller::{bearer_token, ResolvedToken};
use crate::auth::callers::SERVICE_ACCOUNT_TOKEN_PREFIX;
use crate::auth::Caller;
use crate::db::schema::idempotency_keys;
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::now;
use crate::error::{ApiError, ErrorCode};
use crate::http::idempotency::key_of;
use crate::state::AppState;

const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
const KEPT_HOURS: i64 = 24;
/// Response headers worth replaying.
const KEPT_HEADERS: [HeaderName; 3] = [CONTENT_TYPE, LOCATION, ETAG];

enum Claim {
    New,
    Replay(StoredResponse),
    /// The first answer carried a secret (it was marked `Cache-Control: no-store`), which is
    /// never kept, so it cannot be repeated.
    Withheld,
    Reused,
    InFlight,
}

struct StoredResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let boxed = |res: ServiceResponse<_>| res.map_into_boxed_body();
    // Uploads stream past the body limit and are not buffered for replay.
    let multipart = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    if req.method() != Method::POST || multipart {
        return next.call(req).await.map(boxed);
    }
    let Some(key) = key_of(req.request())? else { return next.call(req).await.map(boxed) };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await.map(boxed);
    };
    // The same reading of `Authorization` as the caller extractor's (the scheme in any case).
    let token = bearer_token(req.request()).ok();
    let Some(caller) = caller_of(&state, token).await? else { return next.call(req).await.map(boxed) };
    let caller = match caller {
        Identified::Person(user_id) => user_id,
        Identified::ServiceAccount(resolved) => {
            let id = resolved.user_id.clone();
            // The handler's extractor takes it from here instead of looking the token up again.
            req.extensions_mut().insert(ResolvedToken(resolved));
            id
        }
    };

    let body = req.extract::<web::Bytes>().await?;
    let mut hasher = Sha256::new();
    hasher.update(req.path().as_bytes());
    hasher.update(b"?");
    hasher.update(req.query_string().as_bytes());
    hasher.update(b"\n");
    hasher.update(&body);
    let request_hash: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    req.set_payload(Payload::from(body));

    let (claim_caller, claim_key) = (caller.clone(), key.clone());
    let claim = state.db.run(move |conn| claim(conn, &claim_caller, &claim_key, &request_hash)).await?;
    match claim {
        Claim::New => {}
        Claim::Replay(stored) => {
            let mut response =
                HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
            for (name, value) in &stored.headers {
                response.insert_header((name.as_str(), value.as_str()));
            }
            response.insert_header((REPLAYED, HeaderValue::from_static("true")));
            return Ok(req.into_response(response.body(stored.body)));
        }
        Claim::Reused => {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "This Idempotency-Key was already used for a different request. Use a new key.",
            )
            .into())
        }
        Claim::Withheld => {
            return Err(ApiError::new(
                ErrorCode::SecretShownOnce,
                "This request was already carried out. Its answer held a secret, which Pactum shows only \
                 once and does not keep: revoke or rotate it, and ask for a new one.",
            )
            .into())
        }
        Claim::InFlight => {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyInFlight,
                "A request with this Idempotency-Key is still running. Retry in a moment.",
            )
            .into())
        }
    }

    let release = |state: web::Data<AppState>, caller: String, key: String| async move {
        let _ = state.db.run(move |conn| Ok(release(conn, &caller, &key)?)).await;
    };
    let response = match next.call(req).await {
        Ok(response) => response,
        Err(err) => {
            release(state, caller, key).await;
            return Err(err);
        }
    };
    let status = response.status();
    if status.is_server_error() || response.response().error().is_some_and(|_| status.is_server_error()) {
        release(state, caller, key).await;
        return Ok(response.map_into_boxed_body());
    }
    if shows_a_secret(response.headers()) {
        state.db.run(move |conn| Ok(withhold(conn, &caller, &key)?)).await?;
        return Ok(response.map_into_boxed_body());
    }
    let (request, response) = response.into_parts();
    let (head, response_body) = response.into_parts();
    let bytes = body::to_bytes(response_body)
        .await
        .map_err(|_| ApiError::internal(anyhow::anyhow!("unreadable response body")))?;
    let stored = StoredResponse {
        status: status.as_u16(),
        headers: KEPT_HEADERS
            .iter()
            .filter_map(|name| {
                Some((name.as_str().to_owned(), head.headers().get(name)?.to_str().ok()?.to_owned()))
            })
            .collect(),
        body: bytes.to_vec(),
    };
    state.db.run(move |conn| Ok(store(conn, &caller, &key, &stored)?)).await?;
    Ok(ServiceResponse::new(request, head.set_body(bytes).map_into_boxed_body()))
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
struct KeyRow {
    request_hash: String,
    state: String,
    response_status: Option<i32>,
    response_headers: Option<String>,
    response_body: Option<Vec<u8>>,
    created_at: chrono::NaiveDateTime,
}

/// Who sent a valid token.
enum Identified {
    Person(String),
    ServiceAccount(Box<Caller>),
}

/// Whose keys these are: the person or the service account behind a valid token.
async fn caller_of(state: &AppState, token: Option<String>) -> Result<Option<Identified>, ApiError> {
    let Some(token) = token else { return Ok(None) };
    if !token.starts_with(SERVICE_ACCOUNT_TOKEN_PREFIX) {
        return Ok(state.auth.tokens.verify(&token).ok().map(|claims| Identified::Person(claims.sub)));
    }
    let caller = state.auth.service_account(token).await?;
    Ok(caller.map(|caller| Identified::ServiceAccount(Box::new(caller))))
}

fn claim(conn: &mut DbConnection, caller: &str, key: &str, request_hash: &str) -> Result<Claim, ApiError> {
    write_transaction(conn, |conn| {
        let existing: Option<KeyRow> =
            idempotency_keys::table.find((caller, key)).select(KeyRow::as_select()).first(conn).optional()?;
        match existing {
            Some(row) if row.created_at < now() - Duration::hours(KEPT_HOURS) => {
                diesel::delete(idempotency_keys::table.find((caller, key))).execute(conn)?;
            }
            Some(row) if row.request_hash != request_hash => return Ok(Claim::Reused),
            Some(row) => {
                return Ok(match (row.state.as_str(), row.response_status) {
                    ("done", None) => Claim::Withheld,
                    ("done", Some(status)) => Claim::Replay(StoredResponse {
                        status: u16::try_from(status).unwrap_or(200),
                        headers: row
                            .response_headers
                            .and_then(|h| serde_json::from_str(&h).ok())
                            .unwrap_or_default(),
                        body: row.response_body.unwrap_or_default(),
                    }),
                    _ => Claim::InFlight,
                });
            }
            None => {}
        }
        diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::caller.eq(caller),
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(request_hash),
                idempotency_keys::state.eq("in_flight"),
                idempotency_keys::created_at.eq(now()),
            ))
            .execute(conn)
            .map(|_| Claim::New)
            .or_else(|err| match err {
                // Another request claimed the key between our read and our insert.
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                ) => Ok(Claim::InFlight),
                other => Err(ApiError::from(other)),
            })
    })
}

fn store(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
    response: &StoredResponse,
) -> diesel::QueryResult<()> {
    diesel::update(idempotency_keys::table.find((caller, key)))
        .set((
            idempotency_keys::state.eq("done"),
            idempotency_keys::response_status.eq(i32::from(response.status)),
            idempotency_keys::response_headers
                .eq(serde_json::to_string(&response.headers).unwrap_or_default()),
            idempotency_keys::response_body.eq(&response.body),
        ))
        .execute(conn)
        .map(drop)
}

/// A response marked `Cache-Control: no-store` holds a secret shown once (a token, a signing
/// secret): it is not kept for replay.
fn shows_a_secret(headers: &actix_web::http::header::HeaderMap) -> bool {
    headers
        .get(actix_web::http::header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|d| d.trim().eq_ignore_ascii_case("no-store")))
}

/// Marks the key used, keeping nothing of the answer (`done` without a status).
fn withhold(conn: &mut DbConnection, caller: &str, key: &str) -> diesel::QueryResult<()> {
    diesel::update(idempotency_keys::table.find((caller, key)))
        .set(idempotency_keys::state.eq("done"))
        .execute(conn)
        .map(drop)
}

/// Forgets keys older than the replay window; the date job calls this so the table stays small.
pub fn forget_expired(conn: &mut DbConnection) -> diesel::QueryResult<usize> {
    diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::created_at.lt(now() - Duration::hours(KEPT_HOURS))),
    )
    .execute(conn)
}

/// Forgets a key whose request failed on our side, so a retry runs again.
fn release(conn: &mut DbConnection, caller: &str, key: &str) -> diesel::QueryResult<()> {
    diesel::delete(
        idempotency_keys::table.find((caller, key)).filter(idempotency_keys::state.eq("in_flight")),
    )
    .execute(conn)
    .map(drop)
}

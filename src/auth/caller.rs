//! The authenticated caller: who sent the request (from the bearer token) and, read fresh from
//! the database on every request, what they are: a removed role stops working at once.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::db::page::Reach;
use crate::db::Database;
use crate::domain::{MunicipalityRole, NetworkRole, Scope};
use crate::error::ApiError;
use crate::http::request::RequestId;

use super::callers::{self, SERVICE_ACCOUNT_TOKEN_PREFIX};
use super::known_access::KnownAccess;
use super::rate_limit::RateLimiter;
use super::tokens::TokenKeys;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MunicipalityMembership {
    pub municipality_id: String,
    pub role: MunicipalityRole,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkMembership {
    pub network_id: String,
    pub role: NetworkRole,
}

#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub name: String,
    pub email: String,
    /// The language of emails (`nl`, `en`).
    pub locale: String,
    /// The language chosen for the pages, on every device; `None`: not chosen.
    pub page_language: Option<String>,
    pub is_platform_admin: bool,
    /// The sign-in this request belongs to.
    pub session_id: Option<String>,
    /// For the audit trail.
    pub request_id: Option<String>,
    pub municipalities: Vec<MunicipalityMembership>,
    pub networks: Vec<NetworkMembership>,
    /// Partner organisations this person is a recorded contact of.
    pub organisations: Vec<String>,
    /// Set when the caller is another system using a service account's API token; its rights
    /// then come from the token's scopes in one municipality, not from memberships.
    pub service_account: Option<ServiceAccountAccess>,
}

impl Caller {
    /// The municipalities, networks and organisations whose records this caller may read, as
    /// lists query them: a service account reaches its municipality, a person the
    /// municipalities and networks they have a role in and the organisations they are a
    /// contact of.
    pub fn reach(&self) -> Reach {
        if let Some(account) = &self.service_account {
            return Reach::Within {
                municipalities: vec![account.municipality_id.clone()],
                networks: Vec::new(),
                organisations: Vec::new(),
            };
        }
        if self.is_platform_admin {
            return Reach::Everywhere;
        }
        Reach::Within {
            municipalities: self.municipalities.iter().map(|m| m.municipality_id.clone()).collect(),
            networks: self.network_ids(),
            organisations: self.organisations.clone(),
        }
    }

    /// Nobody in particular, with no role anywhere: for views of a record that are not for one
    /// person (webhook payloads), which then list no allowed actions.
    pub fn observer() -> Self {
        Self {
            user_id: String::new(),
            name: String::new(),
            email: String::new(),
            locale: "en".to_owned(),
            page_language: None,
            is_platform_admin: false,
            session_id: None,
            request_id: None,
            municipalities: Vec::new(),
            networks: Vec::new(),
            organisations: Vec::new(),
            service_account: None,
        }
    }
}

/// A service account's caller, already looked up for this request (by the idempotency guard).
#[derive(Debug, Clone)]
pub struct ResolvedToken(pub Box<Caller>);

/// What the caller extractor reads, registered as app data at start-up (the app state holds
/// the same one): where callers are looked up, the keys of access tokens, and the rate limit
/// per service account token.
pub struct Authenticator {
    pub db: Database,
    pub tokens: TokenKeys,
    /// Requests per service account token.
    pub token_limits: Arc<RateLimiter>,
    /// People's memberships between their requests.
    pub known: KnownAccess,
}

impl Authenticator {
    /// The service account behind an API token, if it is live (its use is noted), with this
    /// request counted against the token's limit on the same connection (429 past it). The
    /// idempotency guard and the caller extractor both come here, and a request resolved by
    /// the guard is not looked up, nor counted, again.
    pub async fn service_account(&self, token: String) -> Result<Option<Caller>, ApiError> {
        let limits = self.token_limits.clone();
        self.db
            .run(move |conn| {
                let caller = callers::service_account_caller(conn, &token)?;
                if let Some(account) = caller.as_ref().and_then(|c| c.service_account.as_ref()) {
                    limits.take_on(conn, &account.token_id)?;
                }
                Ok(caller)
            })
            .await
    }
}

/// A service account acting through one of its tokens.
#[derive(Debug, Clone)]
pub struct ServiceAccountAccess {
    pub municipality_id: String,
    pub scopes: Vec<Scope>,
    pub token_id: String,
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let auth = req.app_data::<web::Data<Authenticator>>().cloned();
        let token = bearer_token(req);
        let request_id = req.extensions().get::<RequestId>().map(|id| id.as_str().to_owned());
        let resolved = req.extensions().get::<ResolvedToken>().map(|r| r.0.clone());
        let operation = Operation { method: req.method().as_str().to_owned(), route: req.match_pattern() };
        Box::pin(async move {
            let auth = auth.ok_or_else(|| ApiError::internal(anyhow::anyhow!("no app state")))?;
            let token = token?;
            if token.starts_with(SERVICE_ACCOUNT_TOKEN_PREFIX) {
                return service_account_caller(&auth, token, resolved, request_id, operation).await;
            }
            let claims = auth.tokens.verify(&token)?;
            let people = auth.clone();
            let caller = auth
                .db
                .run(move |conn| Ok(callers::session_caller(conn, &people.known, &claims.sub, &claims.sid)?))
                .await?;
            let mut caller = caller.ok_or_else(|| {
                ApiError::unauthenticated("This sign-in has ended or the account is disabled. Sign in again.")
            })?;
            caller.request_id = request_id;
            Ok(caller)
        })
    }
}

/// The operation a request calls: its method and the route pattern it matched.
struct Operation {
    method: String,
    route: Option<String>,
}

/// A service account's token: live, within its rate limit (counted where it was looked up), and
/// with a scope the operation names.
async fn service_account_caller(
    auth: &Authenticator,
    token: String,
    resolved: Option<Box<Caller>>,
    request_id: Option<String>,
    operation: Operation,
) -> Result<Caller, ApiError> {
    let caller = match resolved {
        Some(caller) => Some(*caller),
        None => auth.service_account(token).await?,
    };
    let mut caller = caller.ok_or_else(|| {
        ApiError::unauthenticated(
            "This API token is not valid: it is unknown, revoked or expired, or its service account is inactive.",
        )
    })?;
    caller.authorize_operation(&operation.method, operation.route.as_deref())?;
    caller.request_id = request_id;
    Ok(caller)
}

/// The token of an `Authorization: Bearer <token>` header; the scheme matches in any case.
pub fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let missing = || ApiError::unauthenticated("Send an access token: Authorization: Bearer <token>.");
    let header = req.headers().get(AUTHORIZATION).ok_or_else(missing)?;
    let value = header.to_str().map_err(|_| missing())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(missing)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() || token.len() > 4096 {
        return Err(missing());
    }
    Ok(token.trim().to_owned())
}

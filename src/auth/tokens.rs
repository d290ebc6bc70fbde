//! Access tokens: short-lived HS256 JWTs that say who the caller is and nothing else (roles
//! are read from the database on every request). One algorithm is pinned and every
//! registered claim is required.

use chrono::{Duration, NaiveDateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::auth::secrets::Secret;
use crate::error::ApiError;

pub const ACCESS_TOKEN_MINUTES: i64 = 15;
const AUDIENCE: &str = "pactum-api";
const LEEWAY_SECONDS: u64 = 30;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: String,
    /// The session (sign-in) the token belongs to; logging out ends it.
    pub sid: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
}

impl TokenKeys {
    pub fn new(secret: &Secret, issuer: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["iss", "aud", "sub", "exp", "nbf", "iat"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        Self {
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding: DecodingKey::from_secret(secret.expose()),
            validation,
            issuer: issuer.to_owned(),
        }
    }

    /// A signed access token and the instant it expires.
    pub fn issue(&self, user_id: &str, session_id: &str) -> Result<(String, NaiveDateTime), ApiError> {
        let now = Utc::now();
        let expires = now + Duration::minutes(ACCESS_TOKEN_MINUTES);
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            sub: user_id.to_owned(),
            sid: session_id.to_owned(),
            exp: expires.timestamp(),
            nbf: now.timestamp(),
            iat: now.timestamp(),
        };
        let token =
            encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)?;
        Ok((token, expires.naive_utc()))
    }

    /// The claims of a valid token; any fault is the same 401 (the reason goes to the log).
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        decode::<Claims>(token, &self.decoding, &self.validation).map(|data| data.claims).map_err(|err| {
            tracing::info!(reason = %err, "access token refused");
            ApiError::unauthenticated("The access token is invalid or has expired. Sign in again.")
        })
    }
}

//! Request and response bodies of sign-in and `/me`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{Locale, MunicipalityRole, NetworkRole};

/// Signing in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "anna@gemeente.example", "password": "a long passphrase"}))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Exchanging a refresh token for a new pair.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "prt_3q2-7wEJY5s8m0xUOv6N2Lk1cHb9dRfTgQzXyAaBbCc"}))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Asking for a password reset link by email.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "anna@gemeente.example"}))]
pub struct PasswordResetRequest {
    /// The account's email address; the link goes there, and only there.
    pub email: String,
}

/// A new password, with the token from the reset email.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"password": "a new long passphrase"}))]
pub struct NewPasswordRequest {
    /// The new password, at least 12 characters.
    pub password: String,
}

/// Changing your own password; every other session ends.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "a long passphrase", "new_password": "a new long passphrase"}))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// At least 12 characters.
    pub new_password: String,
}

/// A fresh pair of tokens. Keep the refresh token secret; it is shown once and works once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Exchange at `/api/v1/auth/refresh` for a new pair; each works once.
    pub refresh_token: String,
    pub refresh_token_expires_at: DateTime<Utc>,
}

/// A role of the signed-in person in a municipality.
#[derive(Debug, Serialize, ToSchema)]
pub struct MunicipalityRoleDto {
    pub municipality_id: String,
    pub municipality_name: String,
    pub role: MunicipalityRole,
}

/// A role of the signed-in person in a network.
#[derive(Debug, Serialize, ToSchema)]
pub struct NetworkRoleDto {
    pub network_id: String,
    pub network_name: String,
    pub role: NetworkRole,
}

/// The signed-in person and every role they hold.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub id: String,
    pub email: String,
    pub name: String,
    pub locale: Locale,
    pub is_platform_admin: bool,
    pub notification_preference: NotificationPreference,
    pub municipalities: Vec<MunicipalityRoleDto>,
    pub networks: Vec<NetworkRoleDto>,
}

/// What a person may change about themselves.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Anna de Vries", "locale": "en", "notification_preference": "daily_digest"}))]
pub struct UpdateMeRequest {
    pub name: Option<String>,
    pub locale: Option<Locale>,
    pub notification_preference: Option<NotificationPreference>,
}

crate::domain::text_enum! {
    /// How reminders arrive.
    pub enum NotificationPreference {
        /// One email per reminder.
        Immediate,
        /// One email a day with all of that day's reminders.
        DailyDigest,
    }
}

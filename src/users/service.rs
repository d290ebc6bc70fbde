//! Rules for creating users.

use crate::auth::password;
use crate::db::{write_transaction, DbConnection};
use crate::domain::{BoundedText, Email};
use crate::error::{ApiError, FieldError};

use super::repo::{self, NewUser, UserRow};

pub struct CreateUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password: &'a str,
    pub is_platform_admin: bool,
}

/// Creates a user; a taken email (in any letter case) is a conflict.
pub fn create_user(conn: &mut DbConnection, input: CreateUser<'_>) -> Result<UserRow, ApiError> {
    let mut errors = Vec::new();
    let email = Email::parse(input.email).map_err(|m| errors.push(FieldError::new("email", m))).ok();
    let name =
        BoundedText::<200>::parse(input.name).map_err(|m| errors.push(FieldError::new("name", m))).ok();
    if let Err(m) = password::check_new(input.password) {
        errors.push(FieldError::new("password", m));
    }
    let (Some(email), Some(name), true) = (email, name, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    let password_hash =
        password::hash(input.password).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    let id = uuid::Uuid::now_v7().to_string();
    write_transaction(conn, |conn| {
        if repo::find_by_email(conn, email.as_str())?.is_some() {
            return Err(ApiError::conflict(format!("A user with email {email} already exists.")));
        }
        repo::insert(
            conn,
            &NewUser {
                id: &id,
                email: email.as_str(),
                name: name.as_str(),
                locale: "nl",
                password_hash: &password_hash,
                is_platform_admin: input.is_platform_admin,
                disabled: false,
                created_at: chrono::Utc::now().naive_utc(),
            },
        )?;
        repo::find_by_email(conn, email.as_str())?
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("user vanished after insert")))
    })
}

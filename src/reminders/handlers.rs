//! Reminder settings of a municipality.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Action, Caller, Target};
use crate::error::ApiError;
use crate::startup::AppState;

use super::settings;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"offsets_days": [-14, -3, 0, 7]}))]
pub struct ReminderSettings {
    /// Days relative to each deadline: negative before, 0 on the day, positive after (overdue,
    /// also to the municipality's officers).
    pub offsets_days: Vec<i32>,
}

/// When reminders go out.
///
/// For the municipality's people; 14 and 3 days before, on the day and 7 days after by default.
#[utoipa::path(get, path = "/api/v1/municipalities/{id}/reminder-settings", tag = "reminders", operation_id = "getReminderSettings",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Municipality id")),
    responses((status = 200, description = "The settings", body = ReminderSettings)))]
pub async fn get_settings(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    caller.authorize(Action::Read, Target::Municipality(&id))?;
    let offsets = state.db.run(move |conn| Ok(settings::offsets(conn, &id)?)).await?;
    Ok(HttpResponse::Ok().json(ReminderSettings { offsets_days: offsets }))
}

/// Change when reminders go out.
///
/// Municipal admins; up to 10 offsets between 90 days before and 90 days after.
#[utoipa::path(patch, path = "/api/v1/municipalities/{id}/reminder-settings", tag = "reminders", operation_id = "updateReminderSettings",
    security(("bearer" = [])), params(("id" = uuid::Uuid, Path, description = "Municipality id")),
    request_body = ReminderSettings,
    responses((status = 200, description = "The new settings", body = ReminderSettings)))]
pub async fn update_settings(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<uuid::Uuid>,
    body: web::Json<ReminderSettings>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    caller.authorize(Action::Update, Target::Municipality(&id))?;
    let mut offsets = body.into_inner().offsets_days;
    if offsets.is_empty() || offsets.len() > 10 || offsets.iter().any(|o| !(-90..=90).contains(o)) {
        return Err(ApiError::invalid_field("offsets_days", "1 to 10 whole days between -90 and 90"));
    }
    offsets.sort_unstable();
    offsets.dedup();
    let saved = offsets.clone();
    let actor = crate::audit::Actor::from(&caller);
    state
        .db
        .run(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let before = settings::offsets(conn, &id)?;
                settings::save(conn, &id, &saved)?;
                crate::audit::record(
                    conn,
                    &actor,
                    crate::audit::Event {
                        action: "reminder_settings.updated",
                        entity_type: "municipality",
                        entity_id: &id,
                        municipality_id: Some(&id),
                        network_id: None,
                        changes: serde_json::json!({"offsets_days": {"before": before, "after": saved}}),
                    },
                )?;
                Ok::<_, ApiError>(())
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(ReminderSettings { offsets_days: offsets }))
}

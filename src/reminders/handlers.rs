//! Reminder settings of a municipality.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

use super::settings;

/// When the municipality's people and networks are reminded of deadlines.
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
    let offsets = state.db.run(move |conn| settings::read(conn, &caller, &id)).await?;
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
    let wanted = body.into_inner().offsets_days;
    let offsets = state.db.run(move |conn| settings::change(conn, &caller, &id, wanted)).await?;
    Ok(HttpResponse::Ok().json(ReminderSettings { offsets_days: offsets }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The personal token from `POST /api/v1/me/calendar-token`.
    pub token: String,
}

/// A private calendar feed of the caller's deadlines.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarLink {
    /// Subscribe to this in a calendar app; it works until a new one is made.
    pub calendar_url: String,
}

/// My deadlines.
///
/// Overdue ones and those of the coming months, soonest first: what the caller is reminded of.
#[utoipa::path(get, path = "/api/v1/me/reminders", tag = "reminders", operation_id = "listMyReminders",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's deadlines", body = super::me::MyDeadlines)))]
pub async fn my_reminders(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam).date_naive();
    let items = state.db.run(move |conn| super::me::mine(conn, &caller.user_id, today)).await?;
    Ok(HttpResponse::Ok().json(super::me::MyDeadlines { items }))
}

/// A new calendar link.
///
/// Makes a personal iCalendar feed link of the caller's deadlines; the previous link stops
/// working.
#[utoipa::path(post, path = "/api/v1/me/calendar-token", tag = "reminders", operation_id = "newCalendarToken",
    security(("bearer" = [])),
    responses((status = 201, description = "The new link (shown once)", body = CalendarLink)))]
pub async fn new_calendar_token(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let token = state.db.run(move |conn| super::me::new_token(conn, &caller.user_id)).await?;
    let calendar_url = format!("{}/api/v1/me/calendar.ics?token={token}", state.settings.public_url);
    Ok(HttpResponse::Created()
        .insert_header(("Location", "/api/v1/me/calendar.ics"))
        .insert_header(("Cache-Control", "no-store"))
        .json(CalendarLink { calendar_url }))
}

/// My deadlines as a calendar.
///
/// An iCalendar (RFC 5545) feed for calendar apps, authenticated by the personal token in the
/// link instead of a bearer token.
#[utoipa::path(get, path = "/api/v1/me/calendar.ics", tag = "reminders", operation_id = "calendarFeed",
    params(FeedQuery),
    responses((status = 200, description = "The feed", body = String, content_type = "text/calendar"),
              (status = 401, description = "Unknown or replaced token", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn calendar(
    state: web::Data<AppState>,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let token = query.into_inner().token;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam).date_naive();
    let public_url = state.settings.public_url.clone();
    let body = state
        .db
        .run(move |conn| {
            let user_id = super::me::user_of_token(conn, &token)?;
            Ok(super::me::ics(&super::me::mine(conn, &user_id, today)?, &public_url))
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("text/calendar; charset=utf-8").body(body))
}

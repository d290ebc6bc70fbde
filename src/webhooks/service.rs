//! Rules for webhook subscriptions: allowed URLs, at least one event type, a secret shown
//! once, audited changes; and the delivery log with redelivery.

use crate::audit::{self, Actor, Event};
use crate::auth::seal::SealKeys;
use crate::auth::{operations, Action, Caller, Target};
use crate::config::Environment;
use crate::db::page::{Page, PageRequest};
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::now;
use crate::domain::BoundedText;
use crate::error::{ApiError, ErrorCode, FieldError};

use super::dto::{
    CreateSubscription, CreatedSubscriptionDto, DeliveryDto, DeliveryQuery, SubscriptionDto,
    UpdateSubscription,
};
use super::events::EventType;
use super::repo::{self, SubscriptionRow};
use super::{signature, target};

/// The subscription, if the caller may manage its municipality's webhooks; 404 when it cannot
/// see it, 403 when it can but may not.
pub fn authorized(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<SubscriptionRow, ApiError> {
    let row = repo::find(conn, id)?
        .filter(|r| caller.can_see(Target::Municipality(&r.municipality_id)))
        .ok_or_else(|| ApiError::not_found("No such webhook subscription."))?;
    caller.authorize(Action::ManageWebhooks, Target::Municipality(&row.municipality_id))?;
    Ok(row)
}

struct Fields {
    url: String,
    event_types: String,
    description: String,
}

fn validate_fields(
    caller: &Caller,
    url: &str,
    event_types: &[EventType],
    description: Option<&str>,
    environment: Environment,
) -> Result<Fields, ApiError> {
    let mut errors = Vec::new();
    if let Err(reason) = target::check_url(url.trim(), environment) {
        errors.push(FieldError::new("url", reason));
    }
    if event_types.is_empty() {
        errors.push(FieldError::new("event_types", "Name at least one event type, e.g. grant.approved."));
    }
    // An event carries its record: a service account subscribes only to what it may read.
    for (i, event_type) in event_types.iter().enumerate() {
        if !caller.reads_with(event_type.readers()) {
            errors.push(FieldError::new(
                format!("event_types[{i}]"),
                format!(
                    "{} carries a record this token may not read: it needs the scope {}.",
                    event_type.as_str(),
                    operations::describe(event_type.readers())
                ),
            ));
        }
    }
    let description = match description.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => BoundedText::<500>::parse(d)
            .map(BoundedText::into_inner)
            .map_err(|m| errors.push(FieldError::new("description", m)))
            .unwrap_or_default(),
        None => String::new(),
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(Fields { url: url.trim().to_owned(), event_types: EventType::join(event_types), description })
}

fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    action: &str,
    before: Option<&SubscriptionDto>,
    after: &SubscriptionDto,
) -> Result<(), ApiError> {
    let json = |dto: &SubscriptionDto| serde_json::to_value(dto).unwrap_or_default();
    audit::record(
        conn,
        &Actor::from(caller),
        Event {
            action,
            entity_type: "webhook_subscription",
            entity_id: &after.id,
            municipality_id: Some(&after.municipality_id),
            network_id: None,
            changes: audit::changes(before.map(json).as_ref(), &json(after)),
        },
    )?;
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: CreateSubscription,
    environment: Environment,
    keys: &SealKeys,
) -> Result<CreatedSubscriptionDto, ApiError> {
    let municipality_id = input.municipality_id.to_string();
    caller.authorize(Action::ManageWebhooks, Target::Municipality(&municipality_id))?;
    let fields =
        validate_fields(caller, &input.url, &input.event_types, input.description.as_deref(), environment)?;
    let created = now();
    let secret = signature::new_secret();
    let row = SubscriptionRow {
        id: uuid::Uuid::now_v7().to_string(),
        municipality_id,
        url: fields.url,
        event_types: fields.event_types,
        description: fields.description,
        secret: keys.seal(&secret),
        previous_secret: None,
        previous_secret_until: None,
        active: true,
        delivering_until: None,
        created_by: caller.user_id.clone(),
        version: 1,
        created_at: created,
        updated_at: created,
    };
    write_transaction(conn, |conn| {
        repo::insert(conn, &row)?;
        let subscription = SubscriptionDto::from(row.clone());
        record(conn, caller, "webhook_subscription.created", None, &subscription)?;
        Ok(CreatedSubscriptionDto { secret, subscription })
    })
}

pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    expected_version: Option<i64>,
    change: UpdateSubscription,
    environment: Environment,
) -> Result<SubscriptionDto, ApiError> {
    write_transaction(conn, |conn| {
        let before = authorized(conn, caller, id)?;
        crate::db::version::check(expected_version, before.version)?;
        let event_types = change.event_types.clone().unwrap_or_else(|| EventType::split(&before.event_types));
        let fields = validate_fields(
            caller,
            change.url.as_deref().unwrap_or(&before.url),
            &event_types,
            Some(change.description.as_deref().unwrap_or(&before.description)),
            environment,
        )?;
        let after = SubscriptionRow {
            url: fields.url,
            event_types: fields.event_types,
            description: fields.description,
            active: change.active.unwrap_or(before.active),
            version: before.version + 1,
            updated_at: now(),
            ..before.clone()
        };
        if !repo::update(conn, &after)? {
            return Err(ApiError::new(ErrorCode::PreconditionFailed, "The subscription changed meanwhile."));
        }
        let (before, after) = (SubscriptionDto::from(before), SubscriptionDto::from(after));
        record(conn, caller, "webhook_subscription.updated", Some(&before), &after)?;
        Ok(after)
    })
}

/// How long a replaced secret goes on signing beside the new one.
pub const SECRET_OVERLAP_HOURS: i64 = 24;

/// A new signing secret, shown once; for a day messages carry signatures with both.
pub fn rotate_secret(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    keys: &SealKeys,
) -> Result<CreatedSubscriptionDto, ApiError> {
    write_transaction(conn, |conn| {
        let row = authorized(conn, caller, id)?;
        let secret = signature::new_secret();
        let sealed = keys.seal(&secret);
        repo::rotate(conn, &row, &sealed, now() + chrono::Duration::hours(SECRET_OVERLAP_HOURS))?;
        let row =
            repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such webhook subscription."))?;
        let subscription = SubscriptionDto::from(row);
        audit::record(
            conn,
            &Actor::from(caller),
            Event {
                action: "webhook_subscription.secret_rotated",
                entity_type: "webhook_subscription",
                entity_id: &subscription.id,
                municipality_id: Some(&subscription.municipality_id),
                network_id: None,
                changes: serde_json::json!({"secret": {"before": "(replaced)", "after": "(new)"}}),
            },
        )?;
        Ok(CreatedSubscriptionDto { secret, subscription })
    })
}

pub fn deliveries(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    query: &DeliveryQuery,
    page: &PageRequest,
) -> Result<Page<DeliveryDto>, ApiError> {
    let subscription = authorized(conn, caller, id)?;
    let status = query.status.map(|s| s.as_str());
    let rows =
        repo::deliveries(conn, &subscription.id, status, page.after_id.as_deref(), page.fetch_limit())?;
    let page = Page::from_rows(rows, page, |r| &r.id, |r| r);
    let ids: Vec<String> = page.items.iter().map(|r| r.id.clone()).collect();
    let attempts = repo::attempts_of(conn, &ids)?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|row| DeliveryDto::new(row, &attempts))
            .collect::<Result<_, _>>()?,
        next_cursor: page.next_cursor,
    })
}

/// Sends a message again (same `webhook-id`, so receivers can tell), after those queued
/// before it.
pub fn redeliver(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    delivery_id: &str,
) -> Result<DeliveryDto, ApiError> {
    write_transaction(conn, |conn| {
        let subscription = authorized(conn, caller, id)?;
        let delivery = repo::find_delivery(conn, &subscription.id, delivery_id)?
            .ok_or_else(|| ApiError::not_found("No such delivery."))?;
        repo::redeliver(conn, &delivery.id, now())?;
        audit::record(
            conn,
            &Actor::from(caller),
            Event {
                action: "webhook_delivery.redelivery_requested",
                entity_type: "webhook_delivery",
                entity_id: &delivery.id,
                municipality_id: Some(&subscription.municipality_id),
                network_id: None,
                changes: serde_json::json!({"status": {"before": delivery.status, "after": "pending"}}),
            },
        )?;
        let row = repo::find_delivery(conn, &subscription.id, delivery_id)?
            .ok_or_else(|| ApiError::not_found("No such delivery."))?;
        let attempts = repo::attempts_of(conn, std::slice::from_ref(&row.id))?;
        DeliveryDto::new(row, &attempts)
    })
}

/// A page of the subscriptions the caller manages, oldest first: of one municipality, or of
/// every municipality whose webhooks the caller manages (all of them for a platform admin).
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: Option<&str>,
    page: &PageRequest,
) -> Result<Page<SubscriptionDto>, ApiError> {
    let municipality_ids = match municipality_id {
        Some(id) => {
            caller.authorize(Action::ManageWebhooks, Target::Municipality(id))?;
            Some(vec![id.to_owned()])
        }
        None if caller.is_platform_admin && caller.service_account.is_none() => None,
        None => Some(
            caller
                .municipality_ids()
                .into_iter()
                .filter(|id| caller.may(Action::ManageWebhooks, Target::Municipality(id)))
                .collect(),
        ),
    };
    let rows = repo::list(conn, municipality_ids.as_deref(), page.after_id.as_deref(), page.fetch_limit())?;
    Ok(Page::from_rows(rows, page, |r| &r.id, SubscriptionDto::from))
}

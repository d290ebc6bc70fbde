//! `/audit`: the audit trail for auditors and municipal admins, oldest first, with filters (the
//! municipality, what kind of record, from which day) and paging by the API's cursor. The same
//! service as `GET /api/v1/audit-events`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::audit::trail::{self, ActorKind, Wanted};
use crate::db::page::PageRequest;
use crate::error::ApiError;
use crate::state::AppState;

use super::format;
use super::layout::{chrome, html, not_found, query_string, Chrome};
use super::session::SignedIn;

/// Kinds of record one can filter on (each has an `audit-type-...` text).
const ENTITY_TYPES: [&str; 8] =
    ["grant", "report", "fund", "network", "agreement", "vision", "membership", "payment_batch"];

/// What an event did, in words: its kind of record and its verb ("Aanvraag: goedgekeurd"); the
/// code itself for an event without words yet.
fn action_words(lang: super::i18n::Lang, action: &str) -> String {
    let words = action.split_once('.').and_then(|(noun, verb)| {
        let noun = lang.try_t(&format!("audit-noun-{}", noun.replace('_', "-")))?;
        let verb = lang.try_t(&format!("audit-verb-{}", verb.replace('_', "-")))?;
        Some(format!("{noun}: {verb}"))
    });
    words.unwrap_or_else(|| action.to_owned())
}

pub struct EventLine {
    pub at: String,
    pub who: String,
    /// What happened in words ("Aanvraag: goedgekeurd").
    pub what: String,
    pub action: String,
    pub record: String,
    /// The fields that changed.
    pub fields: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    title: String,
    /// `(value, text)` for the selects; the first entry of each is "all".
    municipalities: Vec<(String, String)>,
    entity_types: Vec<(String, String)>,
    chosen_municipality: String,
    chosen_type: String,
    since: String,
    since_error: Option<String>,
    events: Vec<EventLine>,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditFilters {
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    entity_type: String,
    #[serde(default)]
    since: String,
    cursor: Option<String>,
}

/// `GET /audit`.
pub async fn trail_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let readable = trail::readable_municipalities(&caller);
    if readable.is_empty() {
        return not_found(chrome, cookies);
    }
    let filters = web::Query::<AuditFilters>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default();
    let since_day = Some(filters.since.trim()).filter(|s| !s.is_empty()).map(format::parse_date);
    let since_error = matches!(since_day, Some(None)).then(|| lang.t("date-invalid"));
    let municipality = Some(filters.municipality.clone()).filter(|m| readable.contains(m));
    let entity_type = Some(filters.entity_type.clone()).filter(|t| ENTITY_TYPES.contains(&t.as_str()));
    let wanted = Wanted {
        municipality_id: municipality.clone().or_else(|| (readable.len() == 1).then(|| readable[0].clone())),
        entity_type: entity_type.clone(),
        entity_id: None,
        since: since_day.flatten().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc()),
    };
    let page = PageRequest::parse(Some(50), filters.cursor.as_deref())?;
    let viewer = caller.clone();
    let (events, names, municipality_names) = state
        .db
        .run(move |conn| {
            let events = trail::read(conn, &viewer, wanted, &page)?;
            let ids: Vec<String> = events.items.iter().filter_map(|e| e.actor_user_id.clone()).collect();
            let names = crate::identity::service::names(conn, &ids)?;
            let me = crate::identity::service::me(conn, &viewer)?;
            let municipality_names: Vec<(String, String)> =
                me.municipalities.into_iter().map(|m| (m.municipality_id, m.municipality_name)).collect();
            Ok::<_, ApiError>((events, names, municipality_names))
        })
        .await?;
    let name_of = |id: &Option<String>| {
        id.as_ref().and_then(|id| names.iter().find(|(u, _)| u == id)).map(|(_, n)| n.clone())
    };
    let lines = events
        .items
        .iter()
        .map(|e| EventLine {
            at: format::moment(lang, e.created_at),
            who: match e.actor_kind {
                ActorKind::Person => name_of(&e.actor_user_id).unwrap_or_default(),
                ActorKind::ServiceAccount => lang.t("audit-by-system"),
                ActorKind::System => lang.t("audit-by-pactum"),
            },
            what: action_words(lang, &e.action),
            action: e.action.clone(),
            record: format!("{} {}", e.entity_type, e.entity_id),
            fields: e
                .changes
                .as_object()
                .map(|c| c.keys().cloned().collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
        })
        .collect();
    let next = events.next_cursor.map(|cursor| {
        let query = query_string(&[
            ("municipality", filters.municipality.as_str()),
            ("entity_type", filters.entity_type.as_str()),
            ("since", filters.since.as_str()),
            ("cursor", cursor.as_str()),
        ]);
        format!("/audit?{query}")
    });
    let all = (String::new(), lang.t("audit-all"));
    let municipalities = std::iter::once(all.clone())
        .chain(municipality_names.into_iter().filter(|(id, _)| readable.contains(id)))
        .collect();
    let entity_types = std::iter::once(all)
        .chain(
            ENTITY_TYPES
                .iter()
                .map(|t| ((*t).to_owned(), lang.t(&format!("audit-type-{}", t.replace('_', "-"))))),
        )
        .collect();
    let page = AuditPage {
        title: lang.t("audit-title"),
        municipalities,
        entity_types,
        chosen_municipality: municipality.unwrap_or_default(),
        chosen_type: entity_type.unwrap_or_default(),
        since: filters.since,
        since_error,
        events: lines,
        next,
        chrome,
    };
    html(StatusCode::OK, cookies, &page)
}

#[cfg(test)]
mod tests {
    use super::action_words;
    use crate::web::i18n::Lang;

    #[test]
    fn an_event_reads_in_words_and_one_without_words_as_its_code() {
        assert_eq!(action_words(Lang::Nl, "grant.approved"), "Aanvraag: goedgekeurd");
        assert_eq!(
            action_words(Lang::En, "agreement.signed_and_activated"),
            "Agreement: signed and in force at once"
        );
        assert_eq!(
            action_words(Lang::Nl, "webhook_subscription.secret_rotated"),
            "Webhook: geheime sleutel vervangen"
        );
        assert_eq!(action_words(Lang::En, "grant.something_new"), "grant.something_new");
        assert_eq!(action_words(Lang::En, "unstructured"), "unstructured");
    }
}

//! The top-level `webhooks` section of the OpenAPI 3.1 document: one entry per event type, the
//! envelope every subscriber receives with the record the event is about as `data`, and the
//! Standard Webhooks headers that sign it.

use serde_json::{json, Map, Value};
use strum::IntoEnumIterator;

use super::EventType;

impl EventType {
    /// The schema of the record an event carries as `data`: the record as the API returns it.
    pub fn data_schema(self) -> &'static str {
        use EventType::*;
        match self {
            GrantSubmitted | GrantApproved | GrantRejected | GrantCancelled | GrantSettled => "GrantDto",
            TranchePaid => "TrancheDto",
            ReportSubmitted | ReportAccepted => "ReportDto",
            AgreementProposed | AgreementSigned | AgreementActivated | AgreementTerminated => "AgreementDto",
            CommitmentOverdue => "CommitmentDto",
        }
    }

    fn summary(self) -> &'static str {
        use EventType::*;
        match self {
            GrantSubmitted => "A network submitted an application",
            GrantApproved => "A grant was approved (with the second approval where four eyes apply)",
            GrantRejected => "An application was rejected",
            GrantCancelled => "A grant was cancelled; what was not paid goes back to the fund",
            TranchePaid => "A tranche was paid, singly or in a confirmed payment batch",
            ReportSubmitted => "A network's treasurer submitted a spending report",
            ReportAccepted => "The municipality accepted a spending report",
            GrantSettled => "A grant was settled against its award",
            AgreementProposed => "A version of an agreement is ready to sign",
            AgreementSigned => "Every party signed a version of an agreement",
            AgreementActivated => "An agreement came into force",
            AgreementTerminated => "An agreement was terminated",
            CommitmentOverdue => "A commitment's due date passed while it was still open",
        }
    }
}

/// The envelope of every webhook message (`WebhookEvent` in `components.schemas`).
pub fn envelope_schema() -> Value {
    json!({
        "type": "object",
        "description": "What every subscriber receives. The same message (same `id`) may arrive more than once: \
                        deduplicate on `id` or on the `webhook-id` header.",
        "required": ["id", "type", "created_at", "data", "links"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "The event's id; the same on every attempt"},
            "type": {"type": "string", "description": "The event type, e.g. `grant.approved`", "example": "grant.approved"},
            "created_at": {"type": "string", "format": "date-time", "description": "When it happened (UTC)"},
            "data": {"type": "object", "description": "The record the event is about, as the API returns it at that moment"},
            "links": {
                "type": "object",
                "required": ["self"],
                "properties": {"self": {"type": "string", "format": "uri", "description": "The record in the API"}}
            }
        }
    })
}

fn header(name: &str, description: &str, example: &str) -> Value {
    json!({"name": name, "in": "header", "required": true, "description": description,
        "schema": {"type": "string"}, "example": example})
}

/// One entry per event type, keyed by the type.
pub fn section() -> Value {
    let headers = [
        header("webhook-id", "The message id (`msg_` + the event id); the same on every attempt", "msg_01934f6e5d2a7c3b9a1e2f3d4c5b6a79"),
        header("webhook-timestamp", "Seconds since 1970 (UTC) when this attempt was signed; refuse old ones", "1767225600"),
        header(
            "webhook-signature",
            "`v1,` + base64 of HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` with the secret (without \
             its `whsec_` prefix, base64-decoded). Space-separated when a secret was just rotated: accept any.",
            "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
        ),
    ];
    let mut section = Map::new();
    for event in EventType::iter() {
        let name = event.as_str();
        let body = json!({
            "allOf": [
                {"$ref": "#/components/schemas/WebhookEvent"},
                {"type": "object", "properties": {
                    "type": {"const": name},
                    "data": {"$ref": format!("#/components/schemas/{}", event.data_schema())}
                }}
            ]
        });
        section.insert(
            name.to_owned(),
            json!({"post": {
                "summary": event.summary(),
                "operationId": format!("webhook_{}", name.replace('.', "_")),
                "tags": ["webhooks"],
                "security": [],
                "parameters": headers,
                "requestBody": {"required": true, "content": {"application/json": {"schema": body}}},
                "responses": {
                    "2XX": {"description": "Received. Any other answer, or none within 10 seconds, is retried \
                                            later with growing pauses, in order per subscription."}
                }
            }}),
        );
    }
    Value::Object(section)
}

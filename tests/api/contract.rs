//! The contract test: every answer the tests receive from the API is checked against the
//! committed spec (`openapi/pactum.json`) for its operation and status: the status is
//! documented, the content type is one documented, a JSON body matches its schema and every
//! header documented for the response is there. An undocumented answer fails the test that
//! caused it (`tests/api/openapi.rs` keeps the committed spec equal to the generated one).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use actix_web::http::header::HeaderMap;
use serde_json::Value;

static SPEC: LazyLock<Value> = LazyLock::new(|| {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/pactum.json"))
        .expect("the committed spec");
    serde_json::from_str(&text).expect("the spec is JSON")
});

/// Validators by JSON pointer of the schema in the spec, built once.
static VALIDATORS: LazyLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> =
    LazyLock::new(Default::default);

/// `~` and `/` escaped for a JSON pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The documented path template `path` is an instance of, preferring literal segments
/// (`/grants/new` over `/grants/{id}`).
fn template_of(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    SPEC["paths"]
        .as_object()?
        .keys()
        .filter_map(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (part, segment) in parts.iter().zip(&segments) {
                if part.starts_with('{') && part.ends_with('}') {
                    if segment.is_empty() {
                        return None;
                    }
                } else if part == segment {
                    literal += 1;
                } else {
                    return None;
                }
            }
            Some((literal, template.as_str()))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, template)| template)
}

fn validator(pointer: &str) -> Arc<jsonschema::Validator> {
    let mut cache = VALIDATORS.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(pointer.to_owned())
        .or_insert_with(|| {
            // The schema with the spec's components beside it, so `#/components/schemas/...`
            // resolve.
            let mut root = SPEC.pointer(pointer).cloned().unwrap_or_else(|| panic!("a schema at {pointer}"));
            if let Value::Object(schema) = &mut root {
                schema.insert("components".to_owned(), SPEC["components"].clone());
            }
            let built = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .offline()
                .build(&root)
                .unwrap_or_else(|e| panic!("the schema at {pointer} compiles: {e}"));
            Arc::new(built)
        })
        .clone()
}

/// What is wrong with this answer to `method path` by the spec, if anything.
pub fn violations(
    method: &str,
    path_and_query: &str,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Vec<String> {
    let path = path_and_query.split('?').next().unwrap_or_default();
    if !path.starts_with("/api/") {
        return Vec::new();
    }
    let Some(template) = template_of(path) else {
        return if status == 404 {
            Vec::new()
        } else {
            vec![format!("{method} {path}: no such path in the spec")]
        };
    };
    let method = method.to_ascii_lowercase();
    let operation = &SPEC["paths"][template][&method];
    if operation.is_null() {
        return if status == 405 {
            Vec::new()
        } else {
            vec![format!("{method} {template}: no such operation in the spec (answered {status})")]
        };
    }
    let at = format!("{} {template} {status}", method.to_uppercase());
    let (response, key) = match &operation["responses"][status.to_string()] {
        Value::Null => match &operation["responses"]["default"] {
            Value::Null => return vec![format!("{at}: status not documented")],
            found => (found, "default".to_owned()),
        },
        found => (found, status.to_string()),
    };
    let mut wrong = Vec::new();
    for name in response["headers"].as_object().into_iter().flat_map(|h| h.keys()) {
        let optional = response["headers"][name]["required"] == Value::Bool(false);
        if !optional && !headers.contains_key(name.as_str()) {
            wrong.push(format!("{at}: documented header {name} missing"));
        }
    }
    let Some(content) = response["content"].as_object() else {
        if !body.is_empty() {
            wrong.push(format!("{at}: a body where none is documented"));
        }
        return wrong;
    };
    let media_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .unwrap_or_default();
    let Some(documented) = content.get(&media_type) else {
        let listed: Vec<&String> = content.keys().collect();
        wrong.push(format!("{at}: content type {media_type:?} not among {listed:?}"));
        return wrong;
    };
    let json = media_type == "application/json" || media_type.ends_with("+json");
    if json && !documented["schema"].is_null() {
        let pointer = format!(
            "/paths/{}/{method}/responses/{key}/content/{}/schema",
            escape(template),
            escape(&media_type)
        );
        match serde_json::from_slice::<Value>(body) {
            Ok(instance) => {
                let validator = validator(&pointer);
                wrong.extend(
                    validator
                        .iter_errors(&instance)
                        .take(5)
                        .map(|e| format!("{at}: body {} at {}", e, e.instance_path())),
                );
            }
            Err(e) => wrong.push(format!("{at}: body is not JSON ({e})")),
        }
    }
    wrong
}

/// What is wrong with a webhook message by the spec's `webhooks` section, if anything.
pub fn webhook_violations(headers: &[(&str, &str)], body: &str) -> Vec<String> {
    let Ok(message) = serde_json::from_str::<Value>(body) else {
        return vec![format!("webhook body is not JSON: {body}")];
    };
    let event = message["type"].as_str().unwrap_or_default().to_owned();
    let entry = &SPEC["webhooks"][&event]["post"];
    if entry.is_null() {
        return vec![format!("webhook {event:?}: not in the spec's webhooks section")];
    }
    let mut wrong: Vec<String> = entry["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str())
        .filter(|name| !headers.iter().any(|(n, v)| n == name && !v.is_empty()))
        .map(|name| format!("webhook {event}: header {name} missing"))
        .collect();
    let pointer = format!("/webhooks/{}/post/requestBody/content/application~1json/schema", escape(&event));
    wrong.extend(
        validator(&pointer)
            .iter_errors(&message)
            .take(5)
            .map(|e| format!("webhook {event}: {e} at {}", e.instance_path())),
    );
    wrong
}

/// Fails the calling test on an answer the spec does not describe; with
/// `PACTUM_CONTRACT_REPORT=<file>` it appends the findings there instead (to survey them all).
pub fn check(method: &str, path: &str, status: u16, headers: &HeaderMap, body: &[u8]) {
    let wrong = violations(method, path, status, headers, body);
    if wrong.is_empty() {
        return;
    }
    if let Ok(file) = std::env::var("PACTUM_CONTRACT_REPORT") {
        use std::io::Write;
        let mut out = std::fs::OpenOptions::new().create(true).append(true).open(file).expect("the report");
        for line in &wrong {
            let _ = writeln!(out, "{line}");
        }
        return;
    }
    panic!(
        "the answer is not what openapi/pactum.json documents:\n{}\nbody: {}",
        wrong.join("\n"),
        String::from_utf8_lossy(&body[..body.len().min(2000)])
    );
}

//! The shape of the schemas: one id type; pages of a list refer to their item schema.

use serde_json::Value;
use utoipa::openapi::schema::{ArrayItems, KnownFormat, SchemaFormat, SchemaType};
use utoipa::openapi::{OpenApi as Spec, RefOr, Schema, Type};
use utoipa::Modify;

/// One id type: every id a body or an answer carries (`id`, `..._id`, and `..._by` naming who
/// did something) is a UUID, as in the
/// paths; but for the 360Giving types (their ids are 360Giving identifiers) and the few ids that
/// are not Pactum's (SEPA references, request ids).
pub struct UuidIds;

/// Schemas whose ids are not Pactum's UUIDs.
const FOREIGN_ID_SCHEMAS: [&str; 3] = ["Grant", "Organization", "Transaction"];
/// Fields named like ids that are not UUIDs.
const NOT_UUID: [&str; 3] = ["end_to_end_id", "message_id", "request_id"];

impl Modify for UuidIds {
    fn modify(&self, openapi: &mut Spec) {
        let Some(components) = openapi.components.as_mut() else { return };
        for (name, schema) in components.schemas.iter_mut() {
            if !FOREIGN_ID_SCHEMAS.contains(&name.as_str()) {
                mark_uuid_ids(schema);
            }
        }
    }
}

/// Gives the id fields of this schema, and of the objects and lists inside it, `format: uuid`.
fn mark_uuid_ids(schema: &mut RefOr<Schema>) {
    match schema {
        RefOr::T(Schema::Object(object)) => {
            for (field, property) in object.properties.iter_mut() {
                if let RefOr::T(Schema::Object(value)) = property {
                    let string = match &value.schema_type {
                        SchemaType::Type(Type::String) => true,
                        SchemaType::Array(types) => types.contains(&Type::String),
                        _ => false,
                    };
                    if string
                        && (field == "id" || field.ends_with("_id") || field.ends_with("_by"))
                        && !NOT_UUID.contains(&field.as_str())
                    {
                        value.format = Some(SchemaFormat::KnownFormat(KnownFormat::Uuid));
                    }
                }
                mark_uuid_ids(property);
            }
        }
        RefOr::T(Schema::Array(array)) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                mark_uuid_ids(items);
            }
        }
        _ => {}
    }
}

/// Each generated `Page_X` (utoipa copies `X` inline into it) becomes `XPage`, a PascalCase
/// name, whose `items` refer to `X`, so generated clients type list items as the one `X`.
pub fn page_schemas(spec: &mut Value) {
    let Some(schemas) = spec["components"]["schemas"].as_object_mut() else { return };
    let pages: Vec<String> = schemas.keys().filter(|name| name.starts_with("Page_")).cloned().collect();
    let mut renamed = Vec::new();
    for old in pages {
        let item = old["Page_".len()..].to_owned();
        if !schemas.contains_key(&item) {
            continue;
        }
        let Some(mut page) = schemas.remove(&old) else { continue };
        page["properties"]["items"]["items"] =
            serde_json::json!({"$ref": format!("#/components/schemas/{item}")});
        let new = format!("{item}Page");
        schemas.insert(new.clone(), page);
        renamed.push((format!("#/components/schemas/{old}"), format!("#/components/schemas/{new}")));
    }
    rename_refs(spec, &renamed);
}

fn rename_refs(value: &mut Value, renamed: &[(String, String)]) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                match child {
                    Value::String(reference) if key == "$ref" => {
                        if let Some((_, new)) = renamed.iter().find(|(old, _)| old == reference) {
                            *reference = new.clone();
                        }
                    }
                    _ => rename_refs(child, renamed),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rename_refs(item, renamed)),
        _ => {}
    }
}

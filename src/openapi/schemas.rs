//! The shape of the schemas: one id type.

use utoipa::openapi::schema::{ArrayItems, KnownFormat, SchemaFormat, SchemaType};
use utoipa::openapi::{OpenApi as Spec, RefOr, Schema, Type};
use utoipa::Modify;

/// One id type: every id a body or an answer carries (`id`, `..._id`) is a UUID, as in the
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
                        && (field == "id" || field.ends_with("_id"))
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

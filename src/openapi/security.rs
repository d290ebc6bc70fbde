//! Who may call what: the two token schemes, each operation's security from the policy's one
//! table, and the `Idempotency-Key` header.

use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Object, OpenApi as Spec, Required, Type};
use utoipa::Modify;

use crate::auth::operations::{self, Need};
use crate::http::idempotency::REQUIRED_FOR;

use super::{operations, PERSON_SCHEME, SERVICE_ACCOUNT_SCHEME};

/// Two bearer token schemes: a person's access token from `/api/v1/auth/login`, or a service
/// account's API token (`pct_...`), which is limited by its scopes.
pub struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut Spec) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some(description)).build(),
            )
        };
        components.add_security_scheme(
            PERSON_SCHEME,
            scheme(
                "A person's access token (a JWT from POST /api/v1/auth/login). What a person may do \
                 follows from their roles, checked per object.",
            ),
        );
        components.add_security_scheme(
            SERVICE_ACCOUNT_SCHEME,
            scheme(
                "A service account's API token (pct_...) from POST \
                 /api/v1/municipalities/{id}/service-accounts/{sid}/tokens. An operation that lists \
                 apiToken names the scopes that admit a token (all scopes of one entry); an operation \
                 that does not list it is for people only, and a service account gets 403.",
            ),
        );
    }
}

/// Every signed-in operation's security requirement, from the one table the policy checks
/// (`auth::operations`): a person's token, or a service account's token with the scopes named.
pub struct ScopeRequirements;

impl Modify for ScopeRequirements {
    fn modify(&self, openapi: &mut Spec) {
        for (path, method, operation) in operations(openapi) {
            let Some(security) = operation.security.as_mut().filter(|s| !s.is_empty()) else { continue };
            // An operation also open to everyone keeps its anonymous alternative.
            security.retain(|requirement| *requirement == SecurityRequirement::default());
            let sets = match operations::need(method, path) {
                Some(Need::Scopes(sets)) => sets,
                _ => &[],
            };
            security.push(SecurityRequirement::new(PERSON_SCHEME, Vec::<String>::new()));
            for set in sets {
                security
                    .push(SecurityRequirement::new(SERVICE_ACCOUNT_SCHEME, set.iter().map(|s| s.as_str())));
            }
        }
    }
}

/// Documents the `Idempotency-Key` header on every authenticated POST: required on the actions
/// that move money, optional elsewhere.
pub struct IdempotencyKeyHeader;

impl Modify for IdempotencyKeyHeader {
    fn modify(&self, openapi: &mut Spec) {
        for (_, method, operation) in operations(openapi) {
            if method != "POST" || operation.security.as_ref().is_none_or(|s| s.is_empty()) {
                continue;
            }
            let money = operation.operation_id.as_deref().is_some_and(|id| REQUIRED_FOR.contains(&id));
            let parameter = ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(if money { Required::True } else { Required::False })
                .description(Some(if money {
                    "Required: this action moves money. 1 to 255 characters; send the same key when you retry. \
                     The same key and body within 24 hours replays the first response; another body is a 422, \
                     a request still running a 409."
                } else {
                    "1 to 255 characters. The same key and body within 24 hours replays the first response; \
                     another body is a 422, a request still running a 409."
                }))
                .schema(Some(Object::with_type(Type::String)))
                .build();
            operation.parameters.get_or_insert_with(Vec::new).push(parameter);
        }
    }
}

/// Says of each operation open to everyone that it is (`security: []`), rather than leaving it
/// unsaid; runs after the others, which read "no security" as public.
pub struct PublicOperations;

impl Modify for PublicOperations {
    fn modify(&self, openapi: &mut Spec) {
        for (_, _, operation) in operations(openapi) {
            operation.security.get_or_insert_with(Vec::new);
        }
    }
}

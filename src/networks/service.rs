//! Rules for networks: valid profiles, who becomes coordinator, how links to municipalities are
//! requested and decided, and an audit event for every change.

use std::collections::BTreeSet;

use crate::audit::{self, Actor, Event};
use crate::auth::{Action, Caller, NetworkScope, Target};
use crate::db::stored;
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::{now, utc};
use crate::domain::{BoundedText, Email, KvkNumber, LegalForm, NetworkKind, NetworkRole};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::municipalities::repo as municipalities_repo;

use crate::outbox::LinkMail;

use super::contact;
use super::dto::{CreateNetwork, Intermediary, MunicipalityLink, NetworkDto, UpdateNetwork};
use super::repo::{self, NetworkFilter, NetworkRow, NEIGHBOURHOOD, THEME};

/// The longest description, in characters.
pub const MAX_DESCRIPTION: usize = 5000;
/// The most themes, and the most neighbourhoods, a network names.
pub const MAX_TAGS: usize = 30;
/// The longest theme or neighbourhood, in characters.
pub const MAX_TAG_LENGTH: usize = 100;

/// A network profile, checked.
struct Profile {
    name: String,
    kind: NetworkKind,
    description: String,
    themes: Vec<String>,
    neighbourhoods: Vec<String>,
    legal_form: LegalForm,
    kvk_number: Option<String>,
    intermediary: Option<Intermediary>,
    contact_email: String,
    listed_publicly: bool,
}

fn check_tags(errors: &mut Vec<FieldError>, field: &str, values: &[String], lowercase: bool) -> Vec<String> {
    if values.len() > MAX_TAGS {
        errors.push(FieldError::new(field, format!("must have at most {MAX_TAGS} entries")));
        return Vec::new();
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, value) in values.iter().enumerate() {
        match BoundedText::<MAX_TAG_LENGTH>::parse(value) {
            Ok(v) => {
                let v = if lowercase { v.as_str().to_lowercase() } else { v.into_inner() };
                if seen.insert(v.to_lowercase()) {
                    out.push(v);
                }
            }
            Err(m) => errors.push(FieldError::new(format!("{field}[{i}]"), m)),
        }
    }
    out
}

impl Profile {
    fn validate(self) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        let name =
            BoundedText::<200>::parse(&self.name).map_err(|m| errors.push(FieldError::new("name", m))).ok();
        if self.description.chars().count() > MAX_DESCRIPTION {
            errors.push(FieldError::new(
                "description",
                format!("must be at most {MAX_DESCRIPTION} characters"),
            ));
        }
        let themes = check_tags(&mut errors, "themes", &self.themes, true);
        let neighbourhoods = check_tags(&mut errors, "neighbourhoods", &self.neighbourhoods, false);
        let kvk_number = match self.kvk_number.as_deref().map(KvkNumber::parse) {
            Some(Ok(_)) if self.legal_form == LegalForm::None => {
                errors.push(FieldError::new(
                    "kvk_number",
                    "a network without legal form has no KvK number; name an intermediary instead",
                ));
                None
            }
            Some(Ok(k)) => Some(k.as_str().to_owned()),
            Some(Err(m)) => {
                errors.push(FieldError::new("kvk_number", m));
                None
            }
            None => None,
        };
        let intermediary = self.intermediary.and_then(|i| {
            let name = BoundedText::<200>::parse(&i.name)
                .map_err(|m| errors.push(FieldError::new("intermediary.name", m)))
                .ok()?;
            let kvk = match i.kvk_number.as_deref().map(KvkNumber::parse) {
                Some(Ok(k)) => Some(k.as_str().to_owned()),
                Some(Err(m)) => {
                    errors.push(FieldError::new("intermediary.kvk_number", m));
                    None
                }
                None => None,
            };
            Some(Intermediary { name: name.into_inner(), kvk_number: kvk })
        });
        let email = Email::parse(&self.contact_email)
            .map_err(|m| errors.push(FieldError::new("contact_email", m)))
            .ok();
        match (name, email, errors.is_empty()) {
            (Some(name), Some(email), true) => Ok(Self {
                name: name.into_inner(),
                description: self.description.trim().to_owned(),
                themes,
                neighbourhoods,
                kvk_number,
                intermediary,
                contact_email: email.as_str().to_owned(),
                ..self
            }),
            _ => Err(ApiError::validation(errors)),
        }
    }

    fn into_row(
        self,
        id: String,
        version: i64,
        created_at: chrono::NaiveDateTime,
    ) -> (NetworkRow, Vec<String>, Vec<String>) {
        let (intermediary_name, intermediary_kvk_number) =
            self.intermediary.map_or((None, None), |i| (Some(i.name), i.kvk_number));
        let row = NetworkRow {
            id,
            name: self.name,
            kind: self.kind.as_str().to_owned(),
            description: self.description,
            legal_form: self.legal_form.as_str().to_owned(),
            kvk_number: self.kvk_number,
            intermediary_name,
            intermediary_kvk_number,
            contact_email: self.contact_email,
            listed_publicly: self.listed_publicly,
            version,
            created_at,
            updated_at: now(),
            contact_confirmed_at: None,
        };
        (row, self.themes, self.neighbourhoods)
    }

    fn from_dto(dto: NetworkDto) -> Self {
        Self {
            name: dto.name,
            kind: dto.kind,
            description: dto.description,
            themes: dto.themes,
            neighbourhoods: dto.neighbourhoods,
            legal_form: dto.legal_form,
            kvk_number: dto.kvk_number,
            intermediary: dto.intermediary,
            contact_email: dto.contact_email,
            listed_publicly: dto.listed_publicly,
        }
    }
}

/// Networks with their tags and links, in the order given.
pub fn to_dtos(conn: &mut DbConnection, rows: Vec<NetworkRow>) -> Result<Vec<NetworkDto>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let tags = repo::tags(conn, &ids)?;
    let links = repo::links(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let tagged = |kind: &str| {
                tags.iter().filter(|(n, t, _)| *n == row.id && t == kind).map(|(_, _, v)| v.clone()).collect()
            };
            Ok(NetworkDto {
                themes: tagged(THEME),
                neighbourhoods: tagged(NEIGHBOURHOOD),
                municipalities: links
                    .iter()
                    .filter(|(n, _, _)| *n == row.id)
                    .map(|(_, m, s)| {
                        Ok(MunicipalityLink {
                            municipality_id: m.clone(),
                            status: stored::parse("municipality_networks.status", s)?,
                        })
                    })
                    .collect::<Result<_, ApiError>>()?,
                kind: stored::parse("networks.kind", &row.kind)?,
                legal_form: stored::parse("networks.legal_form", &row.legal_form)?,
                intermediary: row
                    .intermediary_name
                    .map(|name| Intermediary { name, kvk_number: row.intermediary_kvk_number }),
                id: row.id,
                name: row.name,
                description: row.description,
                kvk_number: row.kvk_number,
                contact_email: row.contact_email,
                listed_publicly: row.listed_publicly,
                contact_email_confirmed: row.contact_confirmed_at.is_some(),
                version: row.version,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
            })
        })
        .collect()
}

pub fn find_dto(conn: &mut DbConnection, id: &str) -> Result<NetworkDto, ApiError> {
    let row = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such network."))?;
    to_dtos(conn, vec![row])?.pop().ok_or_else(|| ApiError::not_found("No such network."))
}

/// A network the caller may read (`Read` in the policy); 404 when it does not exist.
pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<NetworkDto, ApiError> {
    caller.authorize(Action::Read, Target::Network(&scope(conn, id)?))?;
    find_dto(conn, id)
}

/// Changes the profile, for whoever the policy lets (`Update`: the network's coordinators).
pub fn update_by(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    expected_version: Option<i64>,
    change: UpdateNetwork,
    mail: LinkMail<'_>,
) -> Result<NetworkDto, ApiError> {
    caller.authorize(Action::Update, Target::Network(&scope(conn, id)?))?;
    update(conn, &Actor::from(caller), id, expected_version, change, mail)
}

/// What the policy needs to know about a network; 404 when it does not exist.
pub fn scope(conn: &mut DbConnection, id: &str) -> Result<NetworkScope, ApiError> {
    if repo::find(conn, id)?.is_none() {
        return Err(ApiError::not_found("No such network."));
    }
    let links = repo::links(conn, &[id.to_owned()])?;
    Ok(NetworkScope {
        network_id: id.to_owned(),
        links: links.into_iter().map(|(_, m, status)| (m, status == "active")).collect(),
        has_coordinator: repo::has_coordinator(conn, id)?,
    })
}

fn dto_json(dto: &NetworkDto) -> serde_json::Value {
    serde_json::to_value(dto).unwrap_or_default()
}

/// Registers a network. An officer of the named municipality links it at once; anyone else
/// becomes its coordinator and asks the municipality for a link.
/// `mail` sends the contact address its confirmation link; without it (seeding) the address
/// stays unconfirmed.
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: CreateNetwork,
    mail: Option<LinkMail<'_>>,
) -> Result<NetworkDto, ApiError> {
    let municipality_id = input.municipality_id.map(|id| id.to_string());
    let profile = Profile {
        name: input.name,
        kind: input.kind,
        description: input.description,
        themes: input.themes,
        neighbourhoods: input.neighbourhoods,
        legal_form: input.legal_form,
        kvk_number: input.kvk_number,
        intermediary: input.intermediary,
        contact_email: input.contact_email,
        listed_publicly: input.listed_publicly,
    }
    .validate()?;
    let officer = municipality_id
        .as_deref()
        .is_some_and(|m| caller.may(Action::ManageNetworks, Target::Municipality(m)));
    let (row, themes, neighbourhoods) = profile.into_row(uuid::Uuid::now_v7().to_string(), 1, now());
    let actor = Actor::from(caller);
    write_transaction(conn, |conn| {
        if let Some(m) = &municipality_id {
            if municipalities_repo::find(conn, m)?.is_none() {
                return Err(ApiError::invalid_field("municipality_id", "no such municipality"));
            }
        }
        repo::insert(conn, &row)?;
        if let Some(mail) = mail {
            contact::ask_confirmation(conn, &row, mail)?;
        }
        repo::replace_tags(conn, &row.id, THEME, &themes)?;
        repo::replace_tags(conn, &row.id, NEIGHBOURHOOD, &neighbourhoods)?;
        if !officer {
            repo::insert_member(conn, &row.id, &caller.user_id, NetworkRole::Coordinator.as_str(), now())?;
        }
        if let Some(m) = &municipality_id {
            let status = if officer { "active" } else { "requested" };
            repo::insert_link(conn, m, &row.id, status, &caller.user_id, now())?;
        }
        let dto = find_dto(conn, &row.id)?;
        audit::record(
            conn,
            &actor,
            Event {
                action: "network.created",
                entity_type: "network",
                entity_id: &row.id,
                municipality_id: municipality_id.as_deref().filter(|_| officer),
                network_id: Some(&row.id),
                changes: audit::changes(None, &dto_json(&dto)),
            },
        )?;
        Ok(dto)
    })
}

fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    expected_version: Option<i64>,
    change: UpdateNetwork,
    mail: LinkMail<'_>,
) -> Result<NetworkDto, ApiError> {
    write_transaction(conn, |conn| {
        let before = find_dto(conn, id)?;
        crate::db::version::check(expected_version, before.version)?;
        let mut profile = Profile::from_dto(before.clone());
        if let Some(v) = change.name.clone() {
            profile.name = v;
        }
        if let Some(v) = change.kind {
            profile.kind = v;
        }
        if let Some(v) = change.description.clone() {
            profile.description = v;
        }
        if let Some(v) = change.themes.clone() {
            profile.themes = v;
        }
        if let Some(v) = change.neighbourhoods.clone() {
            profile.neighbourhoods = v;
        }
        if let Some(v) = change.legal_form {
            profile.legal_form = v;
        }
        if let Some(v) = change.kvk_number.clone() {
            profile.kvk_number = v;
        }
        if let Some(v) = change.intermediary.clone() {
            profile.intermediary = v;
        }
        if let Some(v) = change.contact_email.clone() {
            profile.contact_email = v;
        }
        if let Some(v) = change.listed_publicly {
            profile.listed_publicly = v;
        }
        let (row, themes, neighbourhoods) =
            profile.validate()?.into_row(id.to_owned(), before.version + 1, before.created_at.naive_utc());
        if !repo::update(conn, &row)? {
            return Err(ApiError::new(
                ErrorCode::PreconditionFailed,
                "The network changed meanwhile. Reload and try again.",
            ));
        }
        if row.contact_email != before.contact_email {
            contact::ask_confirmation(conn, &row, mail)?;
        }
        repo::replace_tags(conn, id, THEME, &themes)?;
        repo::replace_tags(conn, id, NEIGHBOURHOOD, &neighbourhoods)?;
        let after = find_dto(conn, id)?;
        audit::record(
            conn,
            actor,
            Event {
                action: "network.updated",
                entity_type: "network",
                entity_id: id,
                municipality_id: None,
                network_id: Some(id),
                changes: audit::changes(Some(&dto_json(&before)), &dto_json(&after)),
            },
        )?;
        Ok(after)
    })
}

pub fn list(conn: &mut DbConnection, filter: &NetworkFilter) -> Result<Vec<NetworkRow>, ApiError> {
    Ok(repo::list(conn, filter)?)
}

fn link_event(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    municipality_id: &str,
    network_id: &str,
    status: Option<&str>,
) -> Result<(), ApiError> {
    let changes = serde_json::json!({"link_status": {"before": null, "after": status}});
    audit::record(
        conn,
        actor,
        Event {
            action,
            entity_type: "network_link",
            entity_id: network_id,
            municipality_id: Some(municipality_id),
            network_id: Some(network_id),
            changes,
        },
    )?;
    Ok(())
}

/// A coordinator asks another municipality to work with the network.
pub fn request_link(
    conn: &mut DbConnection,
    actor: &Actor,
    network_id: &str,
    municipality_id: &str,
) -> Result<NetworkDto, ApiError> {
    write_transaction(conn, |conn| {
        if municipalities_repo::find(conn, municipality_id)?.is_none() {
            return Err(ApiError::invalid_field("municipality_id", "no such municipality"));
        }
        if repo::link_status(conn, municipality_id, network_id)?.is_some() {
            return Err(ApiError::conflict(
                "This network is already linked to, or waiting for, that municipality.",
            ));
        }
        let requested_by = actor.user_id.clone().unwrap_or_default();
        repo::insert_link(conn, municipality_id, network_id, "requested", &requested_by, now())?;
        link_event(conn, actor, "network_link.requested", municipality_id, network_id, Some("requested"))?;
        find_dto(conn, network_id)
    })
}

fn pending_link(conn: &mut DbConnection, municipality_id: &str, network_id: &str) -> Result<(), ApiError> {
    match repo::link_status(conn, municipality_id, network_id)?.as_deref() {
        Some("requested") => Ok(()),
        Some(_) => Err(ApiError::conflict("This link is already active.")),
        None => Err(ApiError::not_found("This network has not asked to work with this municipality.")),
    }
}

/// The municipality starts working with a network that asked; its officers and admins decide.
pub fn accept_link(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: &str,
    network_id: &str,
) -> Result<NetworkDto, ApiError> {
    caller.authorize(Action::ManageNetworks, Target::Municipality(municipality_id))?;
    let actor = &Actor::from(caller);
    write_transaction(conn, |conn| {
        pending_link(conn, municipality_id, network_id)?;
        repo::activate_link(conn, municipality_id, network_id, now())?;
        link_event(conn, actor, "network_link.accepted", municipality_id, network_id, Some("active"))?;
        find_dto(conn, network_id)
    })
}

/// The municipality says no to a network that asked; the request is removed.
pub fn decline_link(
    conn: &mut DbConnection,
    caller: &Caller,
    municipality_id: &str,
    network_id: &str,
) -> Result<(), ApiError> {
    caller.authorize(Action::ManageNetworks, Target::Municipality(municipality_id))?;
    let actor = &Actor::from(caller);
    write_transaction(conn, |conn| {
        pending_link(conn, municipality_id, network_id)?;
        repo::delete_link(conn, municipality_id, network_id)?;
        link_event(conn, actor, "network_link.declined", municipality_id, network_id, None)
    })
}

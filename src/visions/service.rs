//! Rules for visions: valid content and parties, shared drafting, endorsement by every party,
//! revisions, and an audit event for every change.

use crate::audit::{self, Actor, Event};
use crate::auth::policy::ActionCheck;
use crate::auth::{Action, Caller, Target};
use crate::db::page::{Page, PageRequest};
use crate::db::{stored, write_transaction, DbConnection};
use crate::domain::time::{now, utc};
use crate::domain::workflow::{VisionAction, VisionStatus};
use crate::domain::Scope;
use crate::domain::{BoundedText, Party};
use crate::error::{ApiError, FieldError};
use crate::municipalities::repo as municipalities_repo;
use crate::parties::{self, VISION};

use super::dto::{
    CreateVision, EndorsementDto, Goal, RevisionDto, UpdateVision, VisionContent, VisionDto, VisionQuery,
};
use super::repo::{self, EndorsementRow, RevisionRow, VisionFilter, VisionRow};

const MAX_STATEMENT: usize = 20_000;
const MAX_GOALS: usize = 30;
const MAX_THEMES: usize = 30;

/// A vision with what belongs to it.
struct LoadedVision {
    row: VisionRow,
    /// The stored status, read once.
    status: VisionStatus,
    parties: Vec<Party>,
    endorsements: Vec<EndorsementRow>,
}

impl LoadedVision {
    /// Reads the stored status; one the code does not know is an error.
    fn new(row: VisionRow, parties: Vec<Party>, endorsements: Vec<EndorsementRow>) -> Result<Self, ApiError> {
        let status = stored::parse("visions.status", &row.status)?;
        Ok(Self { row, status, parties, endorsements })
    }

    fn status(&self) -> VisionStatus {
        self.status
    }

    fn set_status(&mut self, status: VisionStatus) {
        self.status = status;
        self.row.status = status.as_str().to_owned();
    }

    fn scope(&self) -> crate::auth::policy::RecordScope {
        parties::scope(&self.row.municipality_id, &self.parties)
    }

    fn endorsed(&self, party: &Party) -> bool {
        self.endorsements.iter().any(|e| e.party_type == party.party_type.as_str() && e.party_id == party.id)
    }

    /// Parties the caller acts for that have not endorsed yet.
    fn to_endorse_by(&self, caller: &Caller) -> Vec<Party> {
        self.parties.iter().filter(|p| caller.represents(p) && !self.endorsed(p)).cloned().collect()
    }

    fn content(&self) -> VisionContent {
        VisionContent {
            title: self.row.title.clone(),
            statement: self.row.statement.clone(),
            goals: serde_json::from_str(&self.row.goals).unwrap_or_default(),
            themes: serde_json::from_str(&self.row.themes).unwrap_or_default(),
            parties: self.parties.clone(),
        }
    }
}

fn load(conn: &mut DbConnection, id: &str, lock: bool) -> Result<LoadedVision, ApiError> {
    let row = if lock { repo::lock(conn, id)? } else { repo::find(conn, id)? };
    let row = row.ok_or_else(|| ApiError::not_found("No such vision."))?;
    let parties = parties::of_records(conn, VISION, std::slice::from_ref(&row.id))?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let endorsements = repo::endorsements(conn, std::slice::from_ref(&row.id))?;
    LoadedVision::new(row, parties, endorsements)
}

/// Whether the caller's role lets them take the action at all (the state aside).
fn permitted(caller: &Caller, loaded: &LoadedVision, action: VisionAction) -> bool {
    let scope = loaded.scope();
    let target = Target::Record(&scope);
    match action {
        VisionAction::Edit | VisionAction::Propose => caller.may(Action::Update, target),
        VisionAction::Endorse => caller.may(Action::Represent, target),
        VisionAction::Archive => caller.may(Action::ManageLifecycle, target),
    }
}

fn possible(caller: &Caller, loaded: &LoadedVision, action: VisionAction) -> bool {
    let unendorsed = loaded.to_endorse_by(caller);
    let all_after = loaded.parties.iter().all(|p| loaded.endorsed(p) || unendorsed.first() == Some(p));
    loaded.status().next(action, all_after).is_some()
        && (action != VisionAction::Endorse || !unendorsed.is_empty())
}

fn allowed_actions(caller: &Caller, loaded: &LoadedVision) -> Vec<VisionAction> {
    use strum::IntoEnumIterator;
    VisionAction::iter().filter(|a| permitted(caller, loaded, *a) && possible(caller, loaded, *a)).collect()
}

fn names(actions: &[VisionAction]) -> Vec<String> {
    actions.iter().map(|a| a.as_str().to_owned()).collect()
}

fn authorize_action(caller: &Caller, loaded: &LoadedVision, action: VisionAction) -> Result<(), ApiError> {
    ActionCheck {
        record: "vision",
        status: loaded.status().as_str(),
        action: action.as_str(),
        visible: caller.can_see(Target::Record(&loaded.scope())),
        permitted: permitted(caller, loaded, action),
        possible: possible(caller, loaded, action),
        allowed: names(&allowed_actions(caller, loaded)),
    }
    .verdict()
}

fn to_dto(caller: &Caller, loaded: &LoadedVision) -> Result<VisionDto, ApiError> {
    let content = loaded.content();
    let endorsements = loaded
        .endorsements
        .iter()
        .map(|e| {
            Ok(EndorsementDto {
                party: Party::new(
                    stored::parse("vision_endorsements.party_type", &e.party_type)?,
                    e.party_id.clone(),
                ),
                endorsed_by: e.endorsed_by.clone(),
                endorsed_at: utc(e.endorsed_at),
                revision: e.revision,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(VisionDto {
        id: loaded.row.id.clone(),
        municipality_id: loaded.row.municipality_id.clone(),
        status: loaded.status(),
        title: content.title,
        statement: content.statement,
        goals: content.goals,
        themes: content.themes,
        parties: content.parties,
        endorsements,
        revision: loaded.row.revision,
        version: loaded.row.version,
        allowed_actions: allowed_actions(caller, loaded),
        created_at: utc(loaded.row.created_at),
        updated_at: utc(loaded.row.updated_at),
    })
}

/// Checks title, statement, goals and themes.
fn check_content(
    title: &str,
    statement: &str,
    goals: &[Goal],
    themes: &[String],
) -> Result<(String, String, Vec<Goal>, Vec<String>), ApiError> {
    let mut errors = Vec::new();
    let title = BoundedText::<200>::parse(title).map_err(|m| errors.push(FieldError::new("title", m))).ok();
    if statement.chars().count() > MAX_STATEMENT {
        errors.push(FieldError::new("statement", format!("must be at most {MAX_STATEMENT} characters")));
    }
    if goals.len() > MAX_GOALS {
        errors.push(FieldError::new("goals", format!("at most {MAX_GOALS} goals")));
    }
    let mut checked_goals = Vec::new();
    for (i, goal) in goals.iter().enumerate() {
        let goal_title = BoundedText::<200>::parse(&goal.title)
            .map_err(|m| errors.push(FieldError::new(format!("goals[{i}].title"), m)))
            .ok();
        let indicator = match goal.indicator.as_deref().map(BoundedText::<500>::parse) {
            Some(Ok(text)) => Some(text.into_inner()),
            Some(Err(m)) => {
                errors.push(FieldError::new(format!("goals[{i}].indicator"), m));
                None
            }
            None => None,
        };
        if let Some(goal_title) = goal_title {
            checked_goals.push(Goal { title: goal_title.into_inner(), indicator });
        }
    }
    if themes.len() > MAX_THEMES {
        errors.push(FieldError::new("themes", format!("at most {MAX_THEMES} themes")));
    }
    let mut checked_themes = Vec::new();
    for (i, theme) in themes.iter().enumerate() {
        match BoundedText::<100>::parse(theme) {
            Ok(t) if !checked_themes.contains(&t.as_str().to_lowercase()) => {
                checked_themes.push(t.as_str().to_lowercase())
            }
            Ok(_) => {}
            Err(m) => errors.push(FieldError::new(format!("themes[{i}]"), m)),
        }
    }
    match (title, errors.is_empty()) {
        (Some(title), true) => {
            Ok((title.into_inner(), statement.trim().to_owned(), checked_goals, checked_themes))
        }
        _ => Err(ApiError::validation(errors)),
    }
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    loaded: &LoadedVision,
    action: &str,
    changes: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        &Actor::from(caller),
        Event {
            action,
            entity_type: "vision",
            entity_id: &loaded.row.id,
            municipality_id: Some(&loaded.row.municipality_id),
            network_id: None,
            changes,
        },
    )?;
    Ok(())
}

fn add_revision(conn: &mut DbConnection, caller: &Caller, loaded: &LoadedVision) -> Result<(), ApiError> {
    repo::insert_revision(
        conn,
        &RevisionRow {
            vision_id: loaded.row.id.clone(),
            revision: loaded.row.revision,
            content: json(&loaded.content()),
            edited_by: Some(caller.user_id.clone()),
            created_at: loaded.row.updated_at,
        },
    )?;
    Ok(())
}

pub fn create(conn: &mut DbConnection, caller: &Caller, input: CreateVision) -> Result<VisionDto, ApiError> {
    let municipality_id = input.municipality_id.to_string();
    let mut claimed = input.parties.clone();
    claimed.push(Party::new(crate::domain::PartyType::Municipality, &municipality_id));
    let claimed_scope = parties::scope(&municipality_id, &claimed);
    caller.authorize(Action::Update, Target::Record(&claimed_scope))?;
    let (title, statement, goals, themes) =
        check_content(&input.title, &input.statement, &input.goals, &input.themes)?;
    write_transaction(conn, |conn| {
        if municipalities_repo::find(conn, &municipality_id)?.is_none() {
            return Err(ApiError::not_found("No such municipality."));
        }
        let parties = parties::validate(conn, &municipality_id, &input.parties)?;
        let created = now();
        let row = VisionRow {
            id: uuid::Uuid::now_v7().to_string(),
            municipality_id: municipality_id.clone(),
            status: VisionStatus::Draft.as_str().to_owned(),
            title,
            statement,
            goals: json(&goals),
            themes: json(&themes),
            revision: 1,
            version: 1,
            created_by: Some(caller.user_id.clone()),
            created_at: created,
            updated_at: created,
        };
        repo::insert(conn, &row)?;
        parties::replace(conn, VISION, &row.id, &parties)?;
        let loaded = LoadedVision::new(row, parties, Vec::new())?;
        add_revision(conn, caller, &loaded)?;
        let content = serde_json::to_value(loaded.content()).unwrap_or_default();
        record(conn, caller, &loaded, "vision.created", audit::changes(None, &content))?;
        to_dto(caller, &loaded)
    })
}

pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<VisionDto, ApiError> {
    let loaded = load(conn, id, false)?;
    if !caller.can_see(Target::Record(&loaded.scope())) {
        return Err(ApiError::not_found("No such vision."));
    }
    to_dto(caller, &loaded)
}

pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    query: VisionQuery,
    page: &PageRequest,
) -> Result<Page<VisionDto>, ApiError> {
    caller.authorize_listing(&[Scope::AgreementsRead])?;
    let filter = VisionFilter {
        reach: caller.reach(),
        municipality_id: query.municipality_id.map(|m| m.to_string()),
        status: query.status.map(|s| s.as_str().to_owned()),
        after_id: page.after_id.clone(),
        limit: page.fetch_limit(),
    };
    let rows = repo::list(conn, &filter)?;
    let page = Page::from_rows(rows, page, |r| &r.id, |r| r);
    let ids: Vec<String> = page.items.iter().map(|r| r.id.clone()).collect();
    let all_parties = parties::of_records(conn, VISION, &ids)?;
    let all_endorsements = repo::endorsements(conn, &ids)?;
    let items = page
        .items
        .into_iter()
        .map(|row| {
            let parties = all_parties.iter().filter(|(r, _)| *r == row.id).map(|(_, p)| p.clone()).collect();
            let endorsements = all_endorsements.iter().filter(|e| e.vision_id == row.id).cloned().collect();
            to_dto(caller, &LoadedVision::new(row, parties, endorsements)?)
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Page { items, next_cursor: page.next_cursor })
}

pub fn revisions(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<Vec<RevisionDto>, ApiError> {
    get(conn, caller, id)?;
    Ok(repo::revisions(conn, id)?
        .into_iter()
        .filter_map(|r| {
            Some(RevisionDto {
                revision: r.revision,
                content: serde_json::from_str(&r.content).ok()?,
                edited_by: r.edited_by,
                created_at: utc(r.created_at),
            })
        })
        .collect())
}

/// Edits the content; a proposed vision goes back to draft and its endorsements are cleared.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    expected_version: Option<i64>,
    change: UpdateVision,
) -> Result<VisionDto, ApiError> {
    write_transaction(conn, |conn| {
        let mut loaded = load(conn, id, true)?;
        authorize_action(caller, &loaded, VisionAction::Edit)?;
        // `lock` bumped the version; the caller saw the one before.
        crate::db::version::check(expected_version, loaded.row.version - 1)?;
        let before = loaded.content();
        let (title, statement, goals, themes) = check_content(
            change.title.as_deref().unwrap_or(&before.title),
            change.statement.as_deref().unwrap_or(&before.statement),
            change.goals.as_deref().unwrap_or(&before.goals),
            change.themes.as_deref().unwrap_or(&before.themes),
        )?;
        if let Some(new_parties) = &change.parties {
            loaded.parties = parties::validate(conn, &loaded.row.municipality_id, new_parties)?;
            parties::replace(conn, VISION, id, &loaded.parties)?;
        }
        loaded.row.title = title;
        loaded.row.statement = statement;
        loaded.row.goals = json(&goals);
        loaded.row.themes = json(&themes);
        loaded.row.revision += 1;
        loaded.set_status(VisionStatus::Draft);
        loaded.row.updated_at = now();
        repo::save(conn, &loaded.row)?;
        repo::clear_endorsements(conn, id)?;
        loaded.endorsements.clear();
        add_revision(conn, caller, &loaded)?;
        let (before, after) = (
            serde_json::to_value(before).unwrap_or_default(),
            serde_json::to_value(loaded.content()).unwrap_or_default(),
        );
        record(conn, caller, &loaded, "vision.updated", audit::changes(Some(&before), &after))?;
        to_dto(caller, &loaded)
    })
}

/// Proposes, endorses (for `party`, or the one party the caller acts for) or archives.
pub fn act(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    action: VisionAction,
    party: Option<Party>,
) -> Result<VisionDto, ApiError> {
    write_transaction(conn, |conn| {
        let mut loaded = load(conn, id, true)?;
        authorize_action(caller, &loaded, action)?;
        let status_before = loaded.status();
        let mut endorsed_for = None;
        if action == VisionAction::Endorse {
            let open = loaded.to_endorse_by(caller);
            let party = match party {
                Some(p) if open.contains(&p) => p,
                Some(p) if loaded.parties.contains(&p) && caller.represents(&p) => {
                    return Err(ApiError::conflict("This party has already endorsed the vision."));
                }
                Some(_) => {
                    return Err(ApiError::invalid_field(
                        "party",
                        "you do not act for this party of the vision",
                    ))
                }
                None if open.len() == 1 => open[0].clone(),
                None => {
                    return Err(ApiError::invalid_field(
                        "party",
                        "you act for several parties: name the one that endorses",
                    ))
                }
            };
            let row = EndorsementRow {
                vision_id: id.to_owned(),
                party_type: party.party_type.as_str().to_owned(),
                party_id: party.id.clone(),
                revision: loaded.row.revision,
                endorsed_by: caller.user_id.clone(),
                endorsed_at: now(),
            };
            repo::insert_endorsement(conn, &row)?;
            loaded.endorsements.push(row);
            endorsed_for = Some(party);
        }
        let all_endorsed = loaded.parties.iter().all(|p| loaded.endorsed(p));
        let next = status_before.next(action, all_endorsed).ok_or_else(|| {
            ApiError::invalid_transition("Not allowed now.", names(&allowed_actions(caller, &loaded)))
        })?;
        loaded.set_status(next);
        loaded.row.updated_at = now();
        repo::save(conn, &loaded.row)?;
        let mut changes = serde_json::json!({});
        if next != status_before {
            changes["status"] = serde_json::json!({"before": status_before.as_str(), "after": next.as_str()});
        }
        if let Some(party) = endorsed_for {
            changes["endorsed_by_party"] = serde_json::json!({"before": null, "after": party});
        }
        record(conn, caller, &loaded, &format!("vision.{}", past_tense(action)), changes)?;
        to_dto(caller, &loaded)
    })
}

fn past_tense(action: VisionAction) -> &'static str {
    match action {
        VisionAction::Edit => "updated",
        VisionAction::Propose => "proposed",
        VisionAction::Endorse => "endorsed",
        VisionAction::Archive => "archived",
    }
}

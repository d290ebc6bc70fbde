//! An agreement as a party reads it: its status in words, the text (the version being signed
//! when one is proposed), what the municipality offers, who signed and when, the commitments
//! with a button for the ones the person may mark done, the check-ins, and a printable version.
//! Signing records who and when through the same service as the API.

use std::str::FromStr;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::agreements::content::ProvisionKind;
use crate::agreements::document::{self, Language, Names};
use crate::agreements::dto::{AgreementDto, CheckInDto, VersionDto};
use crate::auth::Caller;
use crate::commitments::dto::{CommitmentDto, CommitmentQuery};
use crate::commitments::terms::CommitmentTerms;
use crate::db::page::PageRequest;
use crate::domain::workflow::{AgreementAction, CommitmentAction, CommitmentStatus, VersionStatus};
use crate::domain::{Party, PartyType};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

use super::agreement_steps::{drafting, notice_key, Drafting, Typed};
use super::form::Errors;
use super::format;
use super::home::Turn;
use super::i18n::Lang;
use super::layout::{chrome, html, not_found, refused, see_other, visible, Chrome};
use super::session::{csrf_ok, SignedIn};

/// A party and, once it signed, by whom and when.
pub struct PartyLine {
    pub name: String,
    pub signed: Option<String>,
}

/// Who is a party, who signed (or endorsed) for each and when, and a button for each party the
/// person may still sign for: the same section on an agreement's and a vision's page.
pub struct Signing {
    /// The section's id, where a refusal in the error summary points.
    pub anchor: &'static str,
    pub parties: Vec<PartyLine>,
    pub open: Vec<SignAs>,
    /// Where the buttons post.
    pub action: String,
    /// What a party that has not signed shows.
    pub not_done: String,
    pub explain: String,
}

/// A button to sign (or endorse) for one party the person acts for.
pub struct SignAs {
    pub party_type: &'static str,
    pub party_id: String,
    pub button: String,
}

pub struct CommitmentLine {
    pub id: String,
    pub party: String,
    pub description: String,
    pub due: Option<String>,
    pub status: String,
    pub done: bool,
    pub note: Option<String>,
    pub can_complete: bool,
}

pub struct CheckInLine {
    pub held_on: String,
    pub participants: String,
    pub notes: String,
    pub actions: Vec<String>,
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    chrome: Chrome,
    title: String,
    notice: Option<String>,
    status: String,
    turn: Turn,
    /// Which version is shown, when it is not simply the one in force.
    version_note: Option<String>,
    vision: Option<String>,
    signing: Signing,
    facts: Vec<(String, String)>,
    /// The clauses as safe HTML (raw HTML in them is shown as text).
    clauses: String,
    /// `(kind, description)`.
    provisions: Vec<(String, String)>,
    print_href: String,
    commitments: Vec<CommitmentLine>,
    check_ins: Vec<CheckInLine>,
    /// What the person may do to draft and run the agreement: edit, propose, amend, check-ins.
    drafting: Drafting,
    errors: Vec<(String, String)>,
}

/// Everything the page shows, read in one go.
struct Loaded {
    agreement: AgreementDto,
    commitments: Vec<CommitmentDto>,
    check_ins: Vec<CheckInDto>,
    names: Names,
}

impl Loaded {
    /// The version a party reads: a proposed amendment while it is being signed, else the one
    /// in force.
    fn shown(&self) -> &VersionDto {
        match &self.agreement.amendment {
            Some(amendment) if amendment.status == VersionStatus::Proposed => amendment,
            _ => &self.agreement.current,
        }
    }
}

fn load_all(conn: &mut crate::db::DbConnection, caller: &Caller, id: &str) -> Result<Loaded, ApiError> {
    let agreement = crate::agreements::service::get(conn, caller, id)?;
    let agreement_id = uuid::Uuid::parse_str(id).map_err(|_| ApiError::not_found("No such agreement."))?;
    let query = CommitmentQuery {
        status: None,
        due_before: None,
        party_type: None,
        party_id: None,
        agreement_id: Some(agreement_id),
        limit: None,
        cursor: None,
    };
    let commitments =
        crate::commitments::service::list(conn, caller, query, &PageRequest { limit: 100, after_id: None })?
            .items;
    let check_ins = crate::agreements::check_ins::list(conn, caller, id)?;
    let mut parties = agreement.current.content.parties.clone();
    let mut signers = Vec::new();
    for version in std::iter::once(&agreement.current).chain(agreement.amendment.as_ref()) {
        parties.extend(version.content.parties.iter().cloned());
        signers.extend(version.signatures.iter().map(|s| s.signed_by.clone()));
    }
    let names = Names::load(conn, &parties, &signers)?;
    Ok(Loaded { agreement, commitments, check_ins, names })
}

async fn load(state: &AppState, caller: Caller, id: String) -> Result<Option<Loaded>, ApiError> {
    visible(state.db.run(move |conn| load_all(conn, &caller, &id)).await)
}

/// The parties the person acts for that have not yet done `done` (signed, endorsed).
pub fn open_parties(
    caller: &Caller,
    parties: &[Party],
    done: impl Fn(&Party) -> bool,
    button: impl Fn(&str) -> String,
    name: impl Fn(&Party) -> String,
) -> Vec<SignAs> {
    parties
        .iter()
        .filter(|p| caller.represents(p) && !done(p))
        .map(|p| SignAs {
            party_type: p.party_type.as_str(),
            party_id: p.id.clone(),
            button: button(&name(p)),
        })
        .collect()
}

pub fn agreement_status(lang: Lang, agreement: &AgreementDto) -> String {
    lang.t(&format!("agreement-status-{}", agreement.status.as_str()))
}

fn commitment_status(lang: Lang, status: CommitmentStatus) -> String {
    lang.t(&format!("commitment-status-{}", status.as_str()))
}

fn page(
    chrome: Chrome,
    caller: &Caller,
    loaded: Loaded,
    notice: Option<&str>,
    errors: Errors,
    typed: &Typed,
) -> AgreementPage {
    let lang = chrome.lang;
    let agreement = &loaded.agreement;
    let names = &loaded.names;
    let version = loaded.shown();
    let content = &version.content;
    let signed_by = |party: &Party| version.signatures.iter().find(|s| &s.party == party);
    let parties = content
        .parties
        .iter()
        .map(|p| PartyLine {
            name: names.party(p),
            signed: signed_by(p).map(|s| {
                lang.t_with(
                    "agreement-signed-by",
                    &[("name", &names.user(&s.signed_by)), ("moment", &format::moment(lang, s.signed_at))],
                )
            }),
        })
        .collect();
    let sign_as = if agreement.allowed_actions.contains(&AgreementAction::Sign) {
        open_parties(
            caller,
            &content.parties,
            |p| signed_by(p).is_some(),
            |name| lang.t_with("agreement-sign-as", &[("party", name)]),
            |p| names.party(p),
        )
    } else {
        Vec::new()
    };
    let version_note = (!std::ptr::eq(version, &agreement.current)).then(|| {
        lang.t_with(
            "agreement-amendment-shown",
            &[("number", &version.number.to_string()), ("current", &agreement.current.number.to_string())],
        )
    });
    let term = match content.ends_on {
        Some(ends_on) => {
            format!("{} – {}", format::date(lang, content.starts_on), format::date(lang, ends_on))
        }
        None => lang.t_with("agreement-from", &[("date", &format::date(lang, content.starts_on))]),
    };
    let mut facts = vec![(lang.t("agreement-term"), term)];
    if let Some(next) = content.next_review_on {
        facts.push((lang.t("agreement-next-review"), format::date(lang, next)));
    }
    let provisions = content
        .provisions
        .iter()
        .map(|p| {
            let kind = lang.t(&format!("provision-{}", p.kind.as_str()));
            let amount = match (p.kind, p.amount_cents) {
                (ProvisionKind::Money, Some(cents)) => format!(" ({})", format::money(lang, cents)),
                _ => String::new(),
            };
            (kind, format!("{}{amount}", p.description))
        })
        .collect();
    let mut commitments: Vec<CommitmentLine> = loaded
        .commitments
        .iter()
        .map(|c| CommitmentLine {
            id: c.id.clone(),
            party: names.party(&c.party),
            description: c.description.clone(),
            due: c.due_on.map(|d| format::date(lang, d)),
            status: commitment_status(lang, c.status),
            done: c.status == CommitmentStatus::Done,
            note: c.note.clone(),
            can_complete: c.allowed_actions.contains(&CommitmentAction::Complete),
        })
        .collect();
    if commitments.is_empty() {
        // Not signed yet: the commitments the text proposes, which signing makes real.
        commitments = content.commitments.iter().map(|c| proposed_commitment(lang, names, c)).collect();
    }
    let check_ins = loaded
        .check_ins
        .iter()
        .map(|c| CheckInLine {
            held_on: format::date(lang, c.held_on),
            participants: c.participants.join(", "),
            notes: c.notes.clone(),
            actions: c.agreed_actions.clone(),
        })
        .collect();
    let turn = if sign_as.is_empty() { Turn::Nobody } else { Turn::Yours };
    let drafting = drafting(&chrome, caller, agreement, typed, &errors);
    AgreementPage {
        title: content.title.clone(),
        notice: notice.map(|key| lang.t(key)),
        status: agreement_status(lang, agreement),
        turn,
        version_note,
        vision: content.vision_id.as_ref().map(|v| format!("/visions/{v}")),
        facts,
        clauses: crate::domain::markdown::to_html(&content.body),
        provisions,
        signing: Signing {
            anchor: "sign",
            parties,
            open: sign_as,
            action: format!("/agreements/{}/sign", agreement.id),
            not_done: lang.t("agreement-not-signed"),
            explain: lang.t("agreement-sign-explain"),
        },
        print_href: format!("/agreements/{}/print", agreement.id),
        commitments,
        check_ins,
        drafting,
        errors: errors.0,
        chrome,
    }
}

/// A commitment as a version's text states it, before signing turns it into one to keep.
fn proposed_commitment(lang: Lang, names: &Names, terms: &CommitmentTerms) -> CommitmentLine {
    CommitmentLine {
        id: terms.key.clone().unwrap_or_default(),
        party: names.party(&terms.party),
        description: terms.description.clone(),
        due: terms.due_on.map(|d| format::date(lang, d)),
        status: lang.t("commitment-status-proposed"),
        done: false,
        note: None,
        can_complete: false,
    }
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    saved: Option<String>,
}

/// The notice for `?saved=...` after a step.
fn saved_notice(req: &HttpRequest) -> Option<&'static str> {
    let query = web::Query::<ShowQuery>::from_query(req.query_string()).ok()?;
    match query.saved.as_deref()? {
        "signed" => Some("agreement-signed-notice"),
        "commitment" => Some("commitment-done-notice"),
        saved => notice_key(saved),
    }
}

/// `GET /agreements/{id}`.
pub async fn show(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let Some(loaded) = load(&state, caller.clone(), id).await? else { return not_found(chrome, cookies) };
    let notice = saved_notice(&req);
    html(
        StatusCode::OK,
        cookies,
        &page(chrome, &caller, loaded, notice, Errors::default(), &Typed::default()),
    )
}

/// `GET /agreements/{id}/print`: the version the page shows, as a clean document to print or
/// file (Dutch, or English for every other language).
pub async fn print(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let language = if chrome.lang == Lang::Nl { Language::Dutch } else { Language::English };
    let Some(loaded) = load(&state, caller, id).await? else { return not_found(chrome, cookies) };
    let status = loaded.agreement.status.as_str();
    let body = document::render(language, loaded.shown(), status, &loaded.names);
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Language", language.code()))
        .insert_header(("Cache-Control", "no-store"))
        .body(body))
}

/// The party a form names, from its two hidden fields.
#[derive(Debug, Deserialize)]
pub struct PartyForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub party_type: String,
    #[serde(default)]
    pub party_id: String,
}

impl PartyForm {
    pub fn party(&self) -> Option<Party> {
        let party_type = PartyType::from_str(&self.party_type).ok()?;
        uuid::Uuid::parse_str(&self.party_id).ok()?;
        Some(Party::new(party_type, self.party_id.clone()))
    }
}

/// What a refused step says beside the button: a clear sentence, never the API's wording.
fn refusal(lang: Lang, err: &ApiError) -> String {
    lang.t(if err.code == ErrorCode::ValidationFailed { "party-not-yours" } else { "step-not-now" })
}

/// `POST /agreements/{id}/sign`: signs for the party named, then the agreement's page.
pub async fn sign(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
    form: web::Form<PartyForm>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let form = form.into_inner();
    if !csrf_ok(&req, &form.csrf) {
        return refused(&state, &req, Some(&caller));
    }
    let party = form.party();
    let (signer, target) = (caller.clone(), id.clone());
    let signed = state
        .db
        .run(move |conn| {
            crate::agreements::service::act(conn, &signer, &target, AgreementAction::Sign, None, party)
        })
        .await;
    step_outcome(&state, &req, caller, id, signed.map(|_| ()), "signed", "sign").await
}

/// After a step on an agreement: its page with a notice, or with what was refused.
pub(super) async fn step_outcome(
    state: &AppState,
    req: &HttpRequest,
    caller: Caller,
    id: String,
    outcome: Result<(), ApiError>,
    saved: &str,
    field: &str,
) -> Result<HttpResponse, ApiError> {
    let err = match outcome {
        Ok(()) => return Ok(see_other(&format!("/agreements/{id}?saved={saved}"))),
        Err(err) if err.code.status().is_client_error() => err,
        Err(err) => return Err(err),
    };
    if err.code == ErrorCode::NotFound {
        let (chrome, cookies) = chrome(state, req, Some(&caller));
        return not_found(chrome, cookies);
    }
    let lang = super::session::language(req, Some(&caller)).0;
    let errors = Errors::one(field, refusal(lang, &err));
    show_again(state, req, caller, id, errors, &Typed::default(), StatusCode::CONFLICT).await
}

/// The agreement's page again after a step that was refused or a form that needs fixing:
/// what to fix beside the fields, what was typed kept.
pub(super) async fn show_again(
    state: &AppState,
    req: &HttpRequest,
    caller: Caller,
    id: String,
    errors: Errors,
    typed: &Typed,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(state, req, Some(&caller));
    let Some(loaded) = load(state, caller.clone(), id).await? else { return not_found(chrome, cookies) };
    html(status, cookies, &page(chrome, &caller, loaded, None, errors, typed))
}

//! The municipality's visions and agreements in one list (`/agreements`), for its staff: each
//! with its status in words, the other parties and the term, and for officers and admins the
//! way to draft a new one. The same lists as `GET /api/v1/agreements` and `/api/v1/visions`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::agreements::document::Names;
use crate::agreements::dto::{AgreementDto, AgreementQuery};
use crate::auth::Caller;
use crate::db::page::PageRequest;
use crate::db::DbConnection;
use crate::domain::{Party, PartyType};
use crate::error::ApiError;
use crate::state::AppState;
use crate::visions::dto::{VisionDto, VisionQuery};

use super::agreement_drafts::drafting_for;
use super::format;
use super::i18n::Lang;
use super::layout::{chrome, html, not_found, Chrome};
use super::session::SignedIn;

/// The most of each a list shows.
const LIMIT: i64 = 200;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/agreements").route(web::get().to(list)));
}

/// One vision or agreement in the list.
pub struct Row {
    pub title: String,
    pub href: String,
    pub status: String,
    pub parties: String,
    /// The term, for an agreement.
    pub term: String,
}

/// One municipality's visions and agreements.
pub struct Section {
    /// Unique on the page: headings are named by it.
    pub id: String,
    pub agreements_heading: String,
    pub visions_heading: String,
    /// `(new agreement, new vision)` links, for those who draft.
    pub new_links: Option<(String, String)>,
    pub agreements: Vec<Row>,
    pub visions: Vec<Row>,
}

#[derive(Template)]
#[template(path = "agreement_list.html")]
struct ListPage {
    chrome: Chrome,
    title: String,
    sections: Vec<Section>,
}

/// What one municipality has, read in one go.
struct Found {
    municipality: Party,
    agreements: Vec<AgreementDto>,
    visions: Vec<VisionDto>,
    names: Names,
}

fn find(conn: &mut DbConnection, caller: &Caller, municipality_id: &str) -> Result<Found, ApiError> {
    let page = PageRequest { limit: LIMIT, after_id: None };
    let id = uuid::Uuid::parse_str(municipality_id).map_err(ApiError::internal)?;
    let agreements = crate::agreements::service::list(
        conn,
        caller,
        AgreementQuery { municipality_id: Some(id), status: None, limit: None, cursor: None },
        &page,
    )?
    .items;
    let visions = crate::visions::service::list(
        conn,
        caller,
        VisionQuery { municipality_id: Some(id), status: None, limit: None, cursor: None },
        &page,
    )?
    .items;
    let municipality = Party::new(PartyType::Municipality, municipality_id);
    let parties: Vec<Party> = std::iter::once(municipality.clone())
        .chain(agreements.iter().flat_map(|a| a.current.content.parties.clone()))
        .chain(visions.iter().flat_map(|v| v.parties.clone()))
        .collect();
    let names = Names::load(conn, &parties, &[])?;
    Ok(Found { municipality, agreements, visions, names })
}

/// The parties besides the municipality, by name.
fn others(names: &Names, parties: &[Party]) -> String {
    let others: Vec<Party> =
        parties.iter().filter(|p| p.party_type != PartyType::Municipality).cloned().collect();
    super::party_choices::names_of(names, &others)
}

fn section(lang: Lang, caller: &Caller, found: &Found, several: bool, index: usize) -> Section {
    let names = &found.names;
    let municipality = names.party(&found.municipality);
    let heading = |key: &str| match several {
        true => lang.t_with(&format!("{key}-of"), &[("municipality", &municipality)]),
        false => lang.t(key),
    };
    let agreements = found
        .agreements
        .iter()
        .map(|a| {
            let content = &a.current.content;
            let term = match content.ends_on {
                Some(end) => {
                    format!("{} – {}", format::date(lang, content.starts_on), format::date(lang, end))
                }
                None => lang.t_with("agreement-from", &[("date", &format::date(lang, content.starts_on))]),
            };
            Row {
                title: content.title.clone(),
                href: format!("/agreements/{}", a.id),
                status: lang.t(&format!("agreement-status-{}", a.status.as_str())),
                parties: others(names, &content.parties),
                term,
            }
        })
        .collect();
    let visions = found
        .visions
        .iter()
        .map(|v| Row {
            title: v.title.clone(),
            href: format!("/visions/{}", v.id),
            status: lang.t(&format!("vision-status-{}", v.status.as_str())),
            parties: others(names, &v.parties),
            term: String::new(),
        })
        .collect();
    let drafts = drafting_for(caller).contains(&found.municipality.id);
    let query =
        super::layout::query_string(&[("municipality", if several { &found.municipality.id } else { "" })]);
    let suffix = if query.is_empty() { String::new() } else { format!("?{query}") };
    Section {
        id: format!("m{index}"),
        agreements_heading: heading("drafting-list-agreements"),
        visions_heading: heading("drafting-list-visions"),
        new_links: drafts.then(|| (format!("/agreements/new{suffix}"), format!("/visions/new{suffix}"))),
        agreements,
        visions,
    }
}

/// `GET /agreements`: for the people of a municipality.
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let municipalities: Vec<String> =
        caller.municipalities.iter().map(|m| m.municipality_id.clone()).collect();
    if municipalities.is_empty() {
        return not_found(chrome, cookies);
    }
    let reader = caller.clone();
    let found = state
        .db
        .run(move |conn| municipalities.iter().map(|m| find(conn, &reader, m)).collect::<Result<Vec<_>, _>>())
        .await?;
    let lang = chrome.lang;
    let several = found.len() > 1;
    let sections = found.iter().enumerate().map(|(i, f)| section(lang, &caller, f, several, i + 1)).collect();
    let page = ListPage { title: lang.t("drafting-list-title"), sections, chrome };
    html(StatusCode::OK, cookies, &page)
}

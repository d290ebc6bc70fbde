//! An agreement's versions as pages: every version with its status and signatures, and what
//! changed between two of them, in words: each clause line marked "removed" or "added" (struck
//! through or underlined as well, never colour alone), the other fields before and after, and
//! the commitments added, changed or removed. The same services as the API's `versions` and
//! `versions/{n}/diff`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use crate::agreements::content::{Provision, ProvisionKind, VersionDiff};
use crate::agreements::document::Names;
use crate::agreements::dto::VersionDto;
use crate::commitments::terms::CommitmentTerms;
use crate::domain::Party;
use crate::error::ApiError;
use crate::state::AppState;

use super::format;
use super::i18n::Lang;
use super::layout::{chrome, html, not_found, visible, Chrome};
use super::session::SignedIn;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/agreements/{id}/versions").route(web::get().to(list)))
        .service(web::resource("/agreements/{id}/diff").route(web::get().to(diff)));
}

/// One version in the list.
pub struct VersionLine {
    pub heading: String,
    pub anchor: String,
    pub status: String,
    pub created: String,
    pub signatures: Vec<String>,
    /// `(href, text)` of what changed since the version before.
    pub changes: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "agreement_versions.html")]
struct VersionsPage {
    chrome: Chrome,
    title: String,
    agreement_href: String,
    diff_action: String,
    versions: Vec<VersionLine>,
    /// `(value, text)` of every version, for the comparison form.
    choices: Vec<(String, String)>,
    from: String,
    to: String,
}

/// A line of the clauses in the comparison: `kind` is `added`, `removed`, `same` or `gap`.
pub struct ClauseLine {
    pub kind: &'static str,
    pub mark: String,
    pub text: String,
}

/// A field or a commitment before and after.
pub struct Change {
    pub label: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Template)]
#[template(path = "agreement_diff.html")]
struct DiffPage {
    chrome: Chrome,
    title: String,
    agreement_href: String,
    versions_href: String,
    fields: Vec<Change>,
    clauses: Vec<ClauseLine>,
    commitments: Vec<Change>,
}

/// An agreement's title, its versions and the names of everyone in them.
struct Loaded {
    title: String,
    versions: Vec<VersionDto>,
    names: Names,
}

async fn load(state: &AppState, caller: crate::auth::Caller, id: String) -> Result<Option<Loaded>, ApiError> {
    let found = state
        .db
        .run(move |conn| {
            let agreement = crate::agreements::service::get(conn, &caller, &id)?;
            let versions = crate::agreements::versions::list(conn, &caller, &id)?;
            let parties: Vec<Party> = versions.iter().flat_map(|v| v.content.parties.clone()).collect();
            let signers: Vec<String> =
                versions.iter().flat_map(|v| v.signatures.iter().map(|s| s.signed_by.clone())).collect();
            let names = Names::load(conn, &parties, &signers)?;
            Ok::<_, ApiError>(Loaded { title: agreement.current.content.title, versions, names })
        })
        .await;
    visible(found)
}

fn version_status(lang: Lang, version: &VersionDto) -> String {
    lang.t(&format!("version-status-{}", version.status.as_str()))
}

/// `GET /agreements/{id}/versions`.
pub async fn list(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let Some(loaded) = load(&state, caller, id.clone()).await? else { return not_found(chrome, cookies) };
    let versions = loaded
        .versions
        .iter()
        .map(|v| VersionLine {
            heading: lang.t_with("versions-number", &[("number", &v.number.to_string())]),
            anchor: format!("version-{}", v.number),
            status: version_status(lang, v),
            created: format::moment(lang, v.created_at),
            signatures: v
                .signatures
                .iter()
                .map(|s| {
                    lang.t_with(
                        "versions-signed-for",
                        &[
                            ("party", &loaded.names.party(&s.party)),
                            ("name", &loaded.names.user(&s.signed_by)),
                            ("moment", &format::moment(lang, s.signed_at)),
                        ],
                    )
                })
                .collect(),
            changes: (v.number > 1).then(|| {
                (
                    format!("/agreements/{id}/diff?from={}&to={}", v.number - 1, v.number),
                    lang.t_with("versions-changes-link", &[("number", &(v.number - 1).to_string())]),
                )
            }),
        })
        .collect();
    let choices: Vec<(String, String)> = loaded
        .versions
        .iter()
        .map(|v| (v.number.to_string(), lang.t_with("versions-number", &[("number", &v.number.to_string())])))
        .collect();
    let last = loaded.versions.last().map_or(1, |v| v.number);
    let page = VersionsPage {
        title: lang.t_with("versions-title", &[("title", &loaded.title)]),
        agreement_href: format!("/agreements/{id}"),
        diff_action: format!("/agreements/{id}/diff"),
        versions,
        choices,
        from: (last - 1).max(1).to_string(),
        to: last.to_string(),
        chrome,
    };
    html(StatusCode::OK, cookies, &page)
}

#[derive(Debug, Deserialize)]
pub struct DiffQuery {
    from: Option<i32>,
    to: Option<i32>,
}

/// The clauses' unified diff as lines marked in words.
fn clause_lines(lang: Lang, unified: &str) -> Vec<ClauseLine> {
    let line =
        |kind, mark: &str, text: &str| ClauseLine { kind, mark: mark.to_owned(), text: text.to_owned() };
    let (added, removed) = (lang.t("diff-added"), lang.t("diff-removed"));
    unified
        .lines()
        .skip_while(|l| l.starts_with("---") || l.starts_with("+++"))
        // The first hunk's header says nothing a reader needs; later ones mark skipped lines.
        .skip(1)
        .filter_map(|l| match l.chars().next() {
            Some('+') => Some(line("added", &added, &l[1..])),
            Some('-') => Some(line("removed", &removed, &l[1..])),
            Some(' ') => Some(line("same", "", &l[1..])),
            Some('@') => Some(line("gap", "", "…")),
            _ => None,
        })
        .collect()
}

/// A field's value in words: a date, the parties' names, the offers.
fn field_value(lang: Lang, names: &Names, field: &str, value: &Value) -> String {
    if value.is_null() {
        return lang.t("diff-empty");
    }
    fn parse<T: serde::de::DeserializeOwned>(v: &Value) -> Option<T> {
        serde_json::from_value(v.clone()).ok()
    }
    match field {
        "starts_on" | "ends_on" | "next_review_on" => parse(value).map(|d| format::date(lang, d)),
        "parties" => parse(value).map(|p: Vec<Party>| super::party_choices::names_of(names, &p)),
        "provisions" => parse(value).map(|p: Vec<Provision>| {
            p.iter()
                .map(|p| {
                    let amount = match (p.kind, p.amount_cents) {
                        (ProvisionKind::Money, Some(cents)) => format!(" ({})", format::money(lang, cents)),
                        _ => String::new(),
                    };
                    format!(
                        "{}: {}{amount}",
                        lang.t(&format!("provision-{}", p.kind.as_str())),
                        p.description
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        }),
        "vision_id" => Some(lang.t("diff-vision-linked")),
        _ => None,
    }
    .unwrap_or_else(|| value.as_str().map_or_else(|| value.to_string(), str::to_owned))
}

fn commitment_text(lang: Lang, names: &Names, terms: &CommitmentTerms) -> String {
    let due =
        terms.due_on.map(|d| format!(", {}", lang.t_with("due-on", &[("date", &format::date(lang, d))])));
    format!("{}: {}{}", names.party(&terms.party), terms.description, due.unwrap_or_default())
}

fn diff_page(chrome: Chrome, id: &str, loaded: &Loaded, diff: VersionDiff) -> DiffPage {
    let lang = chrome.lang;
    let names = &loaded.names;
    let fields = diff
        .fields
        .as_object()
        .into_iter()
        .flatten()
        .map(|(field, change)| Change {
            label: lang.t(&format!("diff-field-{}", field.replace('_', "-"))),
            before: Some(field_value(lang, names, field, &change["before"])),
            after: Some(field_value(lang, names, field, &change["after"])),
        })
        .collect();
    let commitments = diff
        .commitments
        .iter()
        .map(|c| Change {
            label: lang.t(match (&c.before, &c.after) {
                (None, _) => "diff-commitment-added",
                (_, None) => "diff-commitment-removed",
                _ => "diff-commitment-changed",
            }),
            before: c.before.as_ref().map(|t| commitment_text(lang, names, t)),
            after: c.after.as_ref().map(|t| commitment_text(lang, names, t)),
        })
        .collect();
    DiffPage {
        title: lang.t_with("diff-title", &[("from", &diff.from.to_string()), ("to", &diff.to.to_string())]),
        agreement_href: format!("/agreements/{id}"),
        versions_href: format!("/agreements/{id}/versions"),
        fields,
        clauses: clause_lines(lang, &diff.body),
        commitments,
        chrome,
    }
}

/// `GET /agreements/{id}/diff?from=1&to=2`: what changed from one version to another.
pub async fn diff(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let query = web::Query::<DiffQuery>::from_query(req.query_string()).map(|q| q.into_inner()).ok();
    let Some(loaded) = load(&state, caller.clone(), id.clone()).await? else {
        return not_found(chrome, cookies);
    };
    let last = loaded.versions.last().map_or(1, |v| v.number);
    let to = query.as_ref().and_then(|q| q.to).unwrap_or(last);
    let from = query.as_ref().and_then(|q| q.from).unwrap_or(to - 1).max(0);
    let target = id.clone();
    let found =
        state.db.run(move |conn| crate::agreements::versions::diff(conn, &caller, &target, to, from)).await;
    let Some(diff) = visible(found)? else { return not_found(chrome, cookies) };
    html(StatusCode::OK, cookies, &diff_page(chrome, &id, &loaded, diff))
}

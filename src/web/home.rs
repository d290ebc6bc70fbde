//! `/`, the home page: what needs doing, by when, and whose turn it is. For each of the person's
//! networks its grant applications and agreements in plain words ("Wacht op de gemeente",
//! "Jij bent aan de beurt"), and above them the person's own deadlines, overdue first.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::agreements::dto::AgreementQuery;
use crate::auth::Caller;
use crate::db::page::PageRequest;
use crate::db::DbConnection;
use crate::domain::pages::page_of;
use crate::domain::workflow::{AgreementAction, GrantStatus};
use crate::error::ApiError;
use crate::grants::dto::GrantQuery;
use crate::state::AppState;
use crate::visions::dto::VisionQuery;

use super::format;
use super::i18n::Lang;
use super::layout::{chrome, html, Chrome};
use super::session::SignedIn;

/// Whose move it is on a record, as the network sees it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Someone of the network has to act.
    Yours,
    /// The municipality has to act.
    Municipality,
    /// Nothing to do now.
    Nobody,
}

impl Turn {
    pub fn shown(self) -> bool {
        self != Turn::Nobody
    }

    pub fn is_yours(self) -> bool {
        self == Turn::Yours
    }

    pub fn key(self) -> &'static str {
        match self {
            Turn::Yours => "turn-yours",
            Turn::Municipality => "turn-municipality",
            Turn::Nobody => "turn-nobody",
        }
    }
}

/// Whose turn it is on a grant, as the network sees it.
pub fn grant_turn(status: GrantStatus) -> Turn {
    use GrantStatus as S;
    match status {
        S::Draft | S::InfoRequested | S::Reporting => Turn::Yours,
        S::Submitted | S::InReview | S::Approved => Turn::Municipality,
        S::Active | S::Settled | S::Closed | S::Rejected | S::Withdrawn | S::Cancelled => Turn::Nobody,
    }
}

/// The status of a grant in words, as the network sees it.
pub fn grant_status(lang: Lang, status: GrantStatus) -> String {
    lang.t(&format!("grant-status-{}", status.as_str().replace('_', "-")))
}

/// One line of "what needs doing".
pub struct Item {
    pub title: String,
    pub href: String,
    /// The status in words.
    pub status: String,
    pub turn: Turn,
    /// e.g. "Besluit uiterlijk 12 maart 2027".
    pub when: Option<String>,
}

pub struct NetworkWork {
    pub id: String,
    pub name: String,
    pub role: String,
    pub grants: Vec<Item>,
    pub agreements: Vec<Item>,
}

/// A deadline of the person's own.
pub struct Due {
    pub title: String,
    pub kind: String,
    pub href: String,
    pub on: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    title: String,
    greeting: String,
    due: Vec<Due>,
    networks: Vec<NetworkWork>,
    /// `(municipality, role)`.
    municipalities: Vec<(String, String)>,
}

fn grant_items(
    conn: &mut DbConnection,
    caller: &Caller,
    lang: Lang,
    network_id: &str,
) -> Result<Vec<Item>, ApiError> {
    let query = GrantQuery {
        network_id: network_id.parse().ok(),
        fund_id: None,
        status: None,
        decision_due_before: None,
        report_due_before: None,
        limit: None,
        cursor: None,
    };
    let page =
        crate::grants::applications::list(conn, caller, query, &PageRequest { limit: 100, after_id: None })?;
    Ok(page
        .items
        .into_iter()
        .filter(|g| {
            !matches!(g.status, GrantStatus::Closed | GrantStatus::Withdrawn | GrantStatus::Cancelled)
        })
        .map(|g| {
            let when = match g.status {
                GrantStatus::Submitted | GrantStatus::InReview => g
                    .decision_due_on
                    .map(|d| lang.t_with("when-decision", &[("date", &format::date(lang, d))])),
                GrantStatus::Active | GrantStatus::Reporting => {
                    g.report_due_on.map(|d| lang.t_with("when-report", &[("date", &format::date(lang, d))]))
                }
                _ => None,
            };
            Item {
                status: grant_status(lang, g.status),
                turn: grant_turn(g.status),
                href: format!("/grants/{}", g.id),
                title: g.title,
                when,
            }
        })
        .collect())
}

/// The agreements and visions the person is a party to and that are in play: those to sign or
/// endorse first, with whose turn it is.
fn agreement_items(conn: &mut DbConnection, caller: &Caller, lang: Lang) -> Result<Vec<Item>, ApiError> {
    use crate::domain::workflow::{AgreementStatus as A, VisionAction, VisionStatus};
    let first_page = PageRequest { limit: 100, after_id: None };
    let query = AgreementQuery { municipality_id: None, status: None, limit: None, cursor: None };
    let agreements = crate::agreements::service::list(conn, caller, query, &first_page)?.items;
    let query = VisionQuery {
        municipality_id: None,
        status: Some(VisionStatus::Proposed),
        limit: None,
        cursor: None,
    };
    let visions = crate::visions::service::list(conn, caller, query, &first_page)?.items;
    let mut items: Vec<Item> = visions
        .into_iter()
        .filter(|v| v.allowed_actions.contains(&VisionAction::Endorse))
        .map(|v| Item {
            href: format!("/visions/{}", v.id),
            status: lang.t("vision-endorse-waiting"),
            turn: Turn::Yours,
            title: v.title,
            when: None,
        })
        .collect();
    items.extend(
        agreements
            .into_iter()
            .filter(|a| matches!(a.status, A::Proposed | A::Signed | A::Active | A::Suspended))
            .map(|a| {
                let yours = a.allowed_actions.contains(&AgreementAction::Sign);
                let status = match a.status {
                    A::Proposed if yours => lang.t("agreement-sign-waiting"),
                    A::Proposed => lang.t("agreement-others-signing"),
                    status => lang.t(&format!("agreement-status-{}", status.as_str())),
                };
                let content = a.amendment.as_ref().filter(|_| yours).unwrap_or(&a.current).content.clone();
                Item {
                    href: format!("/agreements/{}", a.id),
                    status,
                    turn: if yours { Turn::Yours } else { Turn::Nobody },
                    title: content.title,
                    when: None,
                }
            }),
    );
    items.sort_by_key(|i| !i.turn.is_yours());
    Ok(items)
}

/// `/`: what the signed-in person works on; others are sent to sign in.
pub async fn home(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(caller): SignedIn,
) -> Result<HttpResponse, ApiError> {
    let (chrome, cookies) = chrome(&state, &req, Some(&caller));
    let lang = chrome.lang;
    let name = caller.name.clone();
    let today = crate::domain::time::today_in("Europe/Amsterdam");
    let (due, networks, municipalities) = state
        .db
        .run(move |conn| {
            let me = crate::identity::service::me(conn, &caller)?;
            let role = |role: &str| lang.t(&format!("role-{role}"));
            let due = crate::reminders::me::mine(conn, &caller.user_id, today)?
                .into_iter()
                .map(|d| {
                    let kind = lang.t(&format!("due-{}", d.kind.replace('_', "-")));
                    // Agreement dates carry no title of their own: the kind names the link.
                    let (title, kind) =
                        if d.title.is_empty() { (kind, String::new()) } else { (d.title, kind) };
                    Due {
                        kind,
                        title,
                        href: page_of(&d.path).to_owned(),
                        on: format::date(lang, d.due_on),
                        overdue: d.overdue,
                    }
                })
                .collect::<Vec<_>>();
            let agreements = agreement_items(conn, &caller, lang)?;
            let mut networks = Vec::new();
            for network in &me.networks {
                let id = network.network_id.clone();
                networks.push(NetworkWork {
                    id: id.clone(),
                    name: network.network_name.clone(),
                    role: role(network.role.as_str()),
                    grants: grant_items(conn, &caller, lang, &id)?,
                    agreements: Vec::new(),
                });
            }
            // An agreement is shown once, under the first network; a person in one network
            // (nearly everyone) sees it where they expect it.
            if let Some(first) = networks.first_mut() {
                first.agreements = agreements;
            }
            let municipalities = me
                .municipalities
                .iter()
                .map(|m| (m.municipality_name.clone(), role(m.role.as_str())))
                .collect();
            Ok::<_, ApiError>((due, networks, municipalities))
        })
        .await?;
    let page = HomePage {
        title: lang.t("home-title"),
        greeting: lang.t_with("home-greeting", &[("name", &name)]),
        due,
        networks,
        municipalities,
        chrome,
    };
    html(StatusCode::OK, cookies, &page)
}

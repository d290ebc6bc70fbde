//! What lies around a grant, on its page for the municipality's people: the collaboration
//! agreements of the network that applied, and the grant's spending reports with their
//! receipts (photos shown, PDFs linked), each leading to its own page.

use crate::agreements::dto::AgreementDto;
use crate::auth::Caller;
use crate::db::DbConnection;
use crate::domain::{Party, PartyType};
use crate::error::{ApiError, ErrorCode};
use crate::grants::dto::GrantDto;
use crate::reports::dto::ReportDto;

use super::format;
use super::layout::Chrome;
use super::review::{self, ReceiptView};

/// At most this many of the network's agreements are listed, newest first.
const AGREEMENTS_SHOWN: usize = 20;

pub struct RelatedData {
    agreements: Vec<AgreementDto>,
    reports: Vec<ReportDto>,
}

pub struct AgreementLine {
    pub href: String,
    pub title: String,
    pub status: String,
    pub term: String,
}

pub struct ReportLine {
    pub href: String,
    pub kind: String,
    pub status: String,
    pub spent: String,
    pub receipts: Vec<ReceiptView>,
}

pub struct Related {
    pub agreements: Vec<AgreementLine>,
    pub reports: Vec<ReportLine>,
}

/// The network's agreements the caller may read and the grant's reports.
pub fn load(conn: &mut DbConnection, caller: &Caller, grant: &GrantDto) -> Result<RelatedData, ApiError> {
    let network = Party::new(PartyType::Network, grant.network_id.clone());
    let ids = crate::parties::records_with(conn, crate::parties::AGREEMENT, &network)?;
    let mut agreements = Vec::new();
    for id in ids.iter().take(AGREEMENTS_SHOWN) {
        match crate::agreements::service::get(conn, caller, id) {
            Ok(agreement) => agreements.push(agreement),
            Err(err) if err.code == ErrorCode::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    let reports = crate::reports::service::list(conn, caller, &grant.id)?;
    Ok(RelatedData { agreements, reports })
}

pub fn view(chrome: &Chrome, data: RelatedData) -> Related {
    let lang = chrome.lang;
    let agreements = data
        .agreements
        .iter()
        .map(|a| {
            let content = &a.current.content;
            let starts = format::date(lang, content.starts_on);
            let term = match content.ends_on {
                Some(ends) => format!("{starts} – {}", format::date(lang, ends)),
                None => lang.t_with("related-term-open", &[("date", &starts)]),
            };
            AgreementLine {
                href: format!("/agreements/{}", a.id),
                title: content.title.clone(),
                status: super::agreements::agreement_status(lang, a),
                term,
            }
        })
        .collect();
    let reports = data
        .reports
        .iter()
        .map(|r| ReportLine {
            href: format!("/reports/{}", r.id),
            kind: review::kind_words(chrome, r.kind),
            status: review::status_words(chrome, r.status),
            spent: format::money(lang, r.expenses_total_cents),
            receipts: review::receipts(chrome, r),
        })
        .collect();
    Related { agreements, reports }
}

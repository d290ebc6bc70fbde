//! Who may read a municipality's open data, and the 360Giving package of its awarded grants:
//! no drafts or refused applications, no people, and no name of a network that chose not to be
//! listed publicly.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, TimeZone as _};
use chrono_tz::Tz;

use crate::auth::policy::not_found;
use crate::auth::{Action, Caller, Target};
use crate::db::DbConnection;
use crate::domain::time::utc;
use crate::error::{ApiError, FieldError};
use crate::municipalities::repo::{self as municipalities, MunicipalityRow};

use super::package::{
    euros_number, Grant, GrantPackage, GrantProgramme, Organization, PlannedDates, Publisher, Transaction,
    LICENSE, STANDARD_VERSION,
};
use super::repo::{self, AwardedGrantRow, PaidTrancheRow, RecipientRow};

/// How a network that is not listed publicly appears as a recipient.
pub const UNLISTED_NETWORK_NAME: &str = "Informeel netwerk";
const CURRENCY: &str = "EUR";

/// Award dates to include, both ends inclusive, in the municipality's time zone.
#[derive(Debug, Clone, Copy, Default)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    /// 400 for a value that is not a `YYYY-MM-DD` date, 422 when `from` is after `to`.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self, ApiError> {
        let period = Self { from: date("from", from)?, to: date("to", to)? };
        if let (Some(from), Some(to)) = (period.from, period.to) {
            if from > to {
                return Err(ApiError::validation(vec![FieldError::new(
                    "from",
                    format!("must not be after to ({from} is after {to})"),
                )]));
            }
        }
        Ok(period)
    }
}

fn date(name: &str, value: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    let shaped = value.len() == 10
        && value
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    shaped.then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()).flatten().map(Some).ok_or_else(|| {
        ApiError::bad_request(format!("The query parameter {name} must be a date like 2027-01-31."))
    })
}

/// The package, and whether anyone may see it (so shared caches may keep it).
pub struct Publication {
    pub public: bool,
    pub package: GrantPackage,
}

/// The municipality's open data for this caller: anyone's when it publishes openly, else only
/// for those who may read the municipality; everyone else is told it does not exist.
pub fn publication(
    conn: &mut DbConnection,
    caller: Option<&Caller>,
    municipality_id: &str,
    period: Period,
) -> Result<Publication, ApiError> {
    let target = Target::Municipality(municipality_id);
    let municipality = municipalities::find(conn, municipality_id)?.ok_or_else(|| not_found(target))?;
    if !municipality.open_data_public {
        caller.ok_or_else(|| not_found(target))?.authorize(Action::Read, target)?;
    }
    let package = package(conn, &municipality, period)?;
    Ok(Publication { public: municipality.open_data_public, package })
}

/// The 360Giving publisher prefix: the one the municipality set, else `pactum-` and its CBS
/// code in lower case (`pactum-gm0344`), else `pactum-` and its id.
pub fn publisher_prefix(municipality: &MunicipalityRow) -> String {
    municipality.open_data_prefix.clone().unwrap_or_else(|| {
        let local = municipality.cbs_code.as_deref().unwrap_or(&municipality.id);
        format!("pactum-{}", local.to_lowercase())
    })
}

fn time_zone(municipality: &MunicipalityRow) -> Tz {
    municipality.time_zone.parse().unwrap_or(chrono_tz::Europe::Amsterdam)
}

/// The UTC instant a local calendar day starts.
fn start_of(day: NaiveDate, tz: Tz) -> NaiveDateTime {
    let local = day.and_time(chrono::NaiveTime::MIN);
    tz.from_local_datetime(&local).earliest().map_or(local, |t| t.naive_utc())
}

fn package(
    conn: &mut DbConnection,
    municipality: &MunicipalityRow,
    period: Period,
) -> Result<GrantPackage, ApiError> {
    let tz = time_zone(municipality);
    let from = period.from.map(|d| start_of(d, tz));
    let to = period.to.and_then(|d| d.succ_opt()).map(|d| start_of(d, tz));
    let rows = repo::awarded_grants(conn, &municipality.id, from, to)?;
    let ids = |f: fn(&AwardedGrantRow) -> &String| -> Vec<String> {
        let mut ids: Vec<String> = rows.iter().map(|r| f(r).clone()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let mut tranches: HashMap<String, Vec<PaidTrancheRow>> = HashMap::new();
    for tranche in repo::paid_tranches(conn, &ids(|r| &r.id))? {
        tranches.entry(tranche.grant_id.clone()).or_default().push(tranche);
    }
    let recipients: HashMap<String, RecipientRow> =
        repo::recipients(conn, &ids(|r| &r.network_id))?.into_iter().map(|n| (n.id.clone(), n)).collect();
    let programmes: HashMap<String, String> =
        repo::programmes(conn, &ids(|r| &r.fund_id))?.into_iter().collect();

    let context = Context { prefix: publisher_prefix(municipality), tz, municipality };
    let grants = rows
        .into_iter()
        .map(|row| {
            let paid = tranches.remove(&row.id).unwrap_or_default();
            context.grant(row, &paid, &recipients, &programmes)
        })
        .collect();
    Ok(GrantPackage {
        version: STANDARD_VERSION.to_owned(),
        title: format!("{}: awarded grants", municipality.name),
        license: LICENSE.to_owned(),
        publisher: Publisher { identifier: context.funder().id, name: municipality.name.clone() },
        grants,
    })
}

struct Context<'a> {
    prefix: String,
    tz: Tz,
    municipality: &'a MunicipalityRow,
}

impl Context<'_> {
    fn local_id(&self, id: &str) -> String {
        format!("360G-{}-{id}", self.prefix)
    }

    fn funder(&self) -> Organization {
        Organization { id: self.local_id(&self.municipality.id), name: self.municipality.name.clone() }
    }

    /// A registered network by its KvK number, else by its Pactum id; its name only when it
    /// chose to be listed publicly.
    fn recipient(&self, network_id: &str, network: Option<&RecipientRow>) -> Organization {
        let id = match network.and_then(|n| n.kvk_number.as_deref()) {
            Some(kvk) => format!("NL-KVK-{kvk}"),
            None => self.local_id(network_id),
        };
        let name = match network {
            Some(n) if n.listed_publicly => n.name.clone(),
            _ => UNLISTED_NETWORK_NAME.to_owned(),
        };
        Organization { id, name }
    }

    fn grant(
        &self,
        row: AwardedGrantRow,
        paid: &[PaidTrancheRow],
        recipients: &HashMap<String, RecipientRow>,
        programmes: &HashMap<String, String>,
    ) -> Grant {
        let network = recipients.get(&row.network_id);
        // A network's own text may name it; an unlisted network's name never leaves Pactum.
        let hidden_name = network.filter(|n| !n.listed_publicly).map(|n| n.name.as_str()).unwrap_or_default();
        let award_date = row.approved_at.map(|at| utc(at).with_timezone(&self.tz).date_naive());
        Grant {
            id: self.local_id(&row.id),
            title: without_name(&row.title, hidden_name),
            description: without_name(&row.purpose, hidden_name),
            currency: CURRENCY.to_owned(),
            amount_awarded: euros_number(row.approved_cents.unwrap_or(0)),
            amount_disbursed: euros_number(paid.iter().map(|t| t.amount_cents).sum()),
            award_date: award_date.map(|d| d.to_string()).unwrap_or_default(),
            planned_dates: vec![PlannedDates {
                start_date: row.starts_on.to_string(),
                end_date: row.ends_on.to_string(),
            }],
            recipient_organization: vec![self.recipient(&row.network_id, network)],
            funding_organization: vec![self.funder()],
            grant_programme: vec![GrantProgramme {
                title: programmes.get(&row.fund_id).cloned().unwrap_or_default(),
                code: row.fund_id,
            }],
            disbursement_transaction: paid
                .iter()
                .map(|t| Transaction {
                    id: self.local_id(&t.id),
                    value: euros_number(t.amount_cents),
                    currency: CURRENCY.to_owned(),
                    transaction_date: t.paid_on.map(|d| d.to_string()).unwrap_or_default(),
                })
                .collect(),
        }
    }
}

/// `text` with every occurrence of `name` (ignoring ASCII case) replaced by the neutral name.
fn without_name(text: &str, name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match rest.get(..name.len()) {
            Some(head) if head.eq_ignore_ascii_case(name) => {
                out.push_str(UNLISTED_NETWORK_NAME);
                rest = &rest[name.len()..];
            }
            _ => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unlisted_name_is_replaced_in_free_text() {
        assert_eq!(
            without_name("Koffie bij BUURTKRACHT Oost, één keer", "Buurtkracht Oost"),
            "Koffie bij Informeel netwerk, één keer"
        );
        assert_eq!(without_name("Koffie", ""), "Koffie");
    }

    #[test]
    fn periods_are_dates_in_order() {
        assert!(Period::parse(Some("2027-01-01"), Some("2027-12-31")).is_ok());
        assert!(Period::parse(Some("2027-1-01"), None).is_err());
        assert!(Period::parse(Some("2027-02-30"), None).is_err());
        let err = Period::parse(Some("2027-02-01"), Some("2027-01-01")).err().map(|e| e.code);
        assert_eq!(err, Some(crate::error::ErrorCode::ValidationFailed));
    }
}

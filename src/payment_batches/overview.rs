//! What finance works from: per fund of the caller's municipalities, the scheduled tranches
//! still to pay (in no open batch, earliest due first) with their grant and network, and the
//! fund's payment batches; with whether the policy lets the caller pay.

use chrono::{Duration, NaiveDate};
use strum::IntoEnumIterator;

use crate::auth::{Action, Caller, Target};
use crate::db::page::PageRequest;
use crate::db::DbConnection;
use crate::domain::workflow::GrantStatus;
use crate::error::ApiError;
use crate::funds::dto::FundDto;
use crate::funds::service as funds;
use crate::grants::dto::TrancheDto;

use super::dto::PaymentBatchDto;
use super::{repo, service};

/// The most tranches and batches shown per fund.
pub const SHOWN: i64 = 200;
/// How far ahead scheduled tranches are listed.
const AHEAD_DAYS: i64 = 366;

/// A scheduled tranche with what finance checks before paying it.
#[derive(Debug, Clone)]
pub struct DueTranche {
    pub tranche: TrancheDto,
    pub grant_title: String,
    pub network_name: String,
    pub payee_name: String,
}

/// One fund's payments.
#[derive(Debug, Clone)]
pub struct FundPayments {
    pub fund: FundDto,
    /// Whether the caller may pay from this fund (and make and close its batches).
    pub may_pay: bool,
    /// The municipality's today, the default for dates on the forms.
    pub today: NaiveDate,
    pub due: Vec<DueTranche>,
    /// Newest first.
    pub batches: Vec<PaymentBatchDto>,
}

/// Every fund of the municipalities the caller works for, with its payments. 403 for people
/// who work for no municipality (a network's volunteers see funds, not payments).
pub fn funds_payments(conn: &mut DbConnection, caller: &Caller) -> Result<Vec<FundPayments>, ApiError> {
    caller.authorize_listing(&crate::auth::policy::GRANT_READERS)?;
    if caller.municipalities.is_empty() && !caller.is_platform_admin {
        return Err(ApiError::forbidden("Payments are for the municipality's people."));
    }
    let all = PageRequest { limit: SHOWN, after_id: None };
    let mut result = Vec::new();
    for fund in funds::list(conn, &caller.reach(), None, &all)?.items {
        if !caller.can_see(Target::Municipality(&fund.municipality_id)) {
            continue;
        }
        let today = crate::municipalities::today(conn, &fund.municipality_id)?;
        let due = due(conn, caller, &fund.id, today + Duration::days(AHEAD_DAYS))?;
        let mut batches = service::list(conn, caller, &fund.id, &all)?.items;
        batches.reverse();
        result.push(FundPayments {
            may_pay: caller.may(Action::Pay, Target::Municipality(&fund.municipality_id)),
            fund,
            today,
            due,
            batches,
        });
    }
    Ok(result)
}

/// The fund's scheduled tranches due on or before `due_before` that are in no open batch (the
/// ones a new batch would take), earliest first.
fn due(
    conn: &mut DbConnection,
    caller: &Caller,
    fund_id: &str,
    due_before: NaiveDate,
) -> Result<Vec<DueTranche>, ApiError> {
    let payable: Vec<GrantStatus> = GrantStatus::iter().filter(|s| s.pays_tranches()).collect();
    let rows = repo::candidates(conn, fund_id, due_before, &payable, SHOWN)?;
    let network_ids: Vec<String> = rows.iter().map(|(_, g)| g.network_id.clone()).collect();
    let names = crate::identity::repo::network_names(conn, &network_ids)?;
    rows.into_iter()
        .map(|(tranche, grant)| {
            let network_name = names
                .iter()
                .find(|(id, _)| *id == grant.network_id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default();
            Ok(DueTranche {
                grant_title: grant.title.clone(),
                payee_name: grant.payee_name.clone(),
                network_name,
                tranche: crate::grants::tranches::to_dto(caller, &grant, tranche)?,
            })
        })
        .collect()
}

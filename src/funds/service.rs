//! Rules for funds: valid amounts, dates and reporting tiers; a budget that never drops below
//! what is committed; balances from the ledger; audited changes.

use crate::audit::{self, Actor, Event};
use crate::auth::{Action, Caller, Target};
use crate::db::page::{Page, PageRequest, Reach};
use crate::db::{write_transaction, DbConnection};
use crate::domain::money::{currency, positive_cents};
use crate::domain::sepa::{self, Bic};
use crate::domain::time::{now, utc};
use crate::domain::{BoundedText, Iban};
use crate::error::{ApiError, ErrorCode, FieldError};
use crate::ledger::{self, Balances, EntryDto};

use super::dto::{default_tiers, CreateFund, FundDto, ReportingTier, UpdateFund};
use super::repo::{self, FundRow};

const DEFAULT_THRESHOLD_CENTS: i64 = 500_000;
const DEFAULT_DECISION_WEEKS: i32 = 8;
const DEFAULT_REPORT_DUE_DAYS: i32 = 90;

pub fn tiers_of(row: &FundRow) -> Vec<ReportingTier> {
    serde_json::from_str(&row.reporting_tiers).unwrap_or_else(|_| default_tiers())
}

/// A page of the funds `visible_to` may see (every fund for `None`), optionally of one
/// municipality, with their live balances.
pub fn list(
    conn: &mut DbConnection,
    reach: &Reach,
    municipality_id: Option<&str>,
    page: &PageRequest,
) -> Result<Page<FundDto>, ApiError> {
    let rows = repo::list(conn, reach, municipality_id, page.after_id.as_deref(), page.fetch_limit())?;
    let page = Page::from_rows(rows, page, |r| &r.id, |r| r);
    let items = page.items.into_iter().map(|r| to_dto(conn, r)).collect::<Result<Vec<_>, _>>()?;
    Ok(Page { items, next_cursor: page.next_cursor })
}

pub fn to_dto(conn: &mut DbConnection, row: FundRow) -> Result<FundDto, ApiError> {
    let balances = Balances::of(row.budget_cents, ledger::fund_totals(conn, &row.id)?);
    Ok(FundDto {
        reporting_tiers: tiers_of(&row),
        id: row.id,
        municipality_id: row.municipality_id,
        name: row.name,
        description: row.description,
        currency: row.currency,
        budget_cents: row.budget_cents,
        opens_on: row.opens_on,
        closes_on: row.closes_on,
        max_grant_cents: row.max_grant_cents,
        four_eyes_threshold_cents: row.four_eyes_threshold_cents,
        decision_weeks: row.decision_weeks,
        report_due_days: row.report_due_days,
        debtor_name: row.debtor_name,
        debtor_iban: row.debtor_iban,
        debtor_bic: row.debtor_bic,
        balances,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

/// A fund the caller may read: people of its municipality, and of networks that work with it.
pub fn visible(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<FundRow, ApiError> {
    let row = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such fund."))?;
    let sees = caller.can_see(Target::Municipality(&row.municipality_id))
        || repo::linked_municipalities(conn, &caller.network_ids())?.contains(&row.municipality_id);
    if sees {
        Ok(row)
    } else {
        Err(ApiError::not_found("No such fund."))
    }
}

/// A fund with its live balances, for whoever may read it (as `GET /api/v1/funds/{id}`).
pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> Result<FundDto, ApiError> {
    let row = visible(conn, caller, id)?;
    to_dto(conn, row)
}

/// A page of the fund's ledger, oldest first: for the municipality's people only (403 for a
/// network's volunteers, who see the fund but not its money flows).
pub fn ledger(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    page: &PageRequest,
) -> Result<Page<EntryDto>, ApiError> {
    let fund = visible(conn, caller, id)?;
    if !caller.can_see(Target::Municipality(&fund.municipality_id)) {
        return Err(ApiError::forbidden("The ledger is for the municipality's people."));
    }
    let rows = ledger::entries(conn, Some(&fund.id), None, page.after_id.as_deref(), page.fetch_limit())?;
    Page::from_rows(rows, page, |r| &r.id, |r| r).try_map(EntryDto::try_from)
}

fn check_rules(row: &FundRow, errors: &mut Vec<FieldError>) {
    if let Err(m) = positive_cents(row.budget_cents) {
        errors.push(FieldError::new("budget_cents", m));
    }
    if let Err(m) = positive_cents(row.max_grant_cents) {
        errors.push(FieldError::new("max_grant_cents", m));
    }
    if let Err(m) = positive_cents(row.four_eyes_threshold_cents) {
        errors.push(FieldError::new("four_eyes_threshold_cents", m));
    }
    if row.closes_on.is_some_and(|closes| closes < row.opens_on) {
        errors.push(FieldError::new("closes_on", "must not be before opens_on"));
    }
    if !(1..=52).contains(&row.decision_weeks) {
        errors.push(FieldError::new("decision_weeks", "must be between 1 and 52"));
    }
    if !(0..=365).contains(&row.report_due_days) {
        errors.push(FieldError::new("report_due_days", "must be between 0 and 365"));
    }
    if row.description.chars().count() > 5000 {
        errors.push(FieldError::new("description", "must be at most 5000 characters"));
    }
    let tiers = tiers_of(row);
    let ascending = tiers.windows(2).all(|w| {
        matches!((w[0].up_to_cents, w[1].up_to_cents), (Some(a), Some(b)) if a < b)
            || w[1].up_to_cents.is_none() && w[0].up_to_cents.is_some()
    });
    if tiers.is_empty() || !ascending || tiers.last().is_some_and(|t| t.up_to_cents.is_some()) {
        errors.push(FieldError::new(
            "reporting_tiers",
            "list tiers by rising up_to_cents; the last has no up_to_cents",
        ));
    }
}

/// Changes to the debtor account: `None` keeps a field, `Some(None)` clears it.
struct DebtorChange {
    name: Option<Option<String>>,
    iban: Option<Option<String>>,
    bic: Option<Option<String>>,
}

/// Parses the debtor account fields into the row: the name in the SEPA set, the IBAN and BIC
/// checked and stored compact.
fn debtor_account(row: &mut FundRow, change: DebtorChange, errors: &mut Vec<FieldError>) {
    let blank = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
    if let Some(name) = change.name {
        row.debtor_name = None;
        if let Some(name) = blank(name) {
            match BoundedText::<70>::parse(&name) {
                Ok(name) if sepa::is_representable(name.as_str()) => {
                    row.debtor_name = Some(name.into_inner())
                }
                Ok(_) => errors.push(FieldError::new(
                    "debtor_name",
                    "must use letters, digits, spaces and / - ? : ( ) . , ' + only",
                )),
                Err(m) => errors.push(FieldError::new("debtor_name", m)),
            }
        }
    }
    if let Some(iban) = change.iban {
        row.debtor_iban = None;
        if let Some(iban) = blank(iban) {
            match Iban::parse(&iban) {
                Ok(iban) => row.debtor_iban = Some(iban.as_str().to_owned()),
                Err(m) => errors.push(FieldError::new("debtor_iban", m)),
            }
        }
    }
    if let Some(bic) = change.bic {
        row.debtor_bic = None;
        if let Some(bic) = blank(bic) {
            match Bic::parse(&bic) {
                Ok(bic) => row.debtor_bic = Some(bic.as_str().to_owned()),
                Err(m) => errors.push(FieldError::new("debtor_bic", m)),
            }
        }
    }
}

pub fn create(conn: &mut DbConnection, caller: &Caller, input: CreateFund) -> Result<FundDto, ApiError> {
    let municipality_id = input.municipality_id.to_string();
    caller.authorize(Action::ManageFunds, Target::Municipality(&municipality_id))?;
    // A new fund sets all its controls at once, so it is the admin's to make.
    if !caller.may(Action::ManageFundControls, Target::Municipality(&municipality_id)) {
        return Err(ApiError::forbidden(
            "Only a municipal admin creates funds: a fund's budget, maximum grant and four-eyes threshold are its controls.",
        ));
    }
    let mut errors = Vec::new();
    let name =
        BoundedText::<200>::parse(&input.name).map_err(|m| errors.push(FieldError::new("name", m))).ok();
    let currency = currency(input.currency.as_deref().unwrap_or("EUR"))
        .map_err(|m| errors.push(FieldError::new("currency", m)))
        .ok();
    let created = now();
    let mut row = FundRow {
        id: uuid::Uuid::now_v7().to_string(),
        municipality_id: municipality_id.clone(),
        name: name.map(BoundedText::into_inner).unwrap_or_default(),
        description: input.description.trim().to_owned(),
        currency: currency.unwrap_or_default(),
        budget_cents: input.budget_cents,
        committed_cents: 0,
        paid_cents: 0,
        refunded_cents: 0,
        opens_on: input.opens_on,
        closes_on: input.closes_on,
        max_grant_cents: input.max_grant_cents.unwrap_or(input.budget_cents),
        four_eyes_threshold_cents: input.four_eyes_threshold_cents.unwrap_or(DEFAULT_THRESHOLD_CENTS),
        decision_weeks: input.decision_weeks.unwrap_or(DEFAULT_DECISION_WEEKS),
        reporting_tiers: serde_json::to_string(&input.reporting_tiers.unwrap_or_else(default_tiers))
            .unwrap_or_default(),
        report_due_days: input.report_due_days.unwrap_or(DEFAULT_REPORT_DUE_DAYS),
        version: 1,
        created_at: created,
        updated_at: created,
        debtor_name: None,
        debtor_iban: None,
        debtor_bic: None,
    };
    debtor_account(
        &mut row,
        DebtorChange {
            name: input.debtor_name.map(Some),
            iban: input.debtor_iban.map(Some),
            bic: input.debtor_bic.map(Some),
        },
        &mut errors,
    );
    check_rules(&row, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    write_transaction(conn, |conn| {
        repo::insert(conn, &row)?;
        let dto = to_dto(conn, row.clone())?;
        record(conn, caller, &dto, "fund.created", None)?;
        Ok(dto)
    })
}

fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    dto: &FundDto,
    action: &str,
    before: Option<&FundDto>,
) -> Result<(), ApiError> {
    let json = |d: &FundDto| {
        let mut value = serde_json::to_value(d).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("balances");
        }
        value
    };
    audit::record(
        conn,
        &Actor::from(caller),
        Event {
            action,
            entity_type: "fund",
            entity_id: &dto.id,
            municipality_id: Some(&dto.municipality_id),
            network_id: None,
            changes: audit::changes(before.map(json).as_ref(), &json(dto)),
        },
    )?;
    Ok(())
}

pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    expected_version: Option<i64>,
    change: UpdateFund,
) -> Result<FundDto, ApiError> {
    write_transaction(conn, |conn| {
        let before = visible(conn, caller, id)?;
        if !caller.may(Action::ManageFunds, Target::Municipality(&before.municipality_id)) {
            return Err(ApiError::forbidden("Only the municipality's officers change its funds."));
        }
        crate::db::version::check(expected_version, before.version)?;
        let mut row = before.clone();
        let mut errors = Vec::new();
        if let Some(name) = &change.name {
            match BoundedText::<200>::parse(name) {
                Ok(name) => row.name = name.into_inner(),
                Err(m) => errors.push(FieldError::new("name", m)),
            }
        }
        if let Some(description) = &change.description {
            row.description = description.trim().to_owned();
        }
        row.budget_cents = change.budget_cents.unwrap_or(row.budget_cents);
        row.closes_on = change.closes_on.unwrap_or(row.closes_on);
        row.max_grant_cents = change.max_grant_cents.unwrap_or(row.max_grant_cents);
        row.four_eyes_threshold_cents =
            change.four_eyes_threshold_cents.unwrap_or(row.four_eyes_threshold_cents);
        row.decision_weeks = change.decision_weeks.unwrap_or(row.decision_weeks);
        row.report_due_days = change.report_due_days.unwrap_or(row.report_due_days);
        if let Some(tiers) = &change.reporting_tiers {
            row.reporting_tiers = serde_json::to_string(tiers).unwrap_or_default();
        }
        let debtor =
            DebtorChange { name: change.debtor_name, iban: change.debtor_iban, bic: change.debtor_bic };
        debtor_account(&mut row, debtor, &mut errors);
        row.updated_at = now();
        check_rules(&row, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let controls_changed = row.budget_cents != before.budget_cents
            || row.max_grant_cents != before.max_grant_cents
            || row.four_eyes_threshold_cents != before.four_eyes_threshold_cents;
        if controls_changed
            && !caller.may(Action::ManageFundControls, Target::Municipality(&row.municipality_id))
        {
            return Err(ApiError::forbidden(
                "Only a municipal admin changes a fund's budget, maximum grant or four-eyes threshold.",
            ));
        }
        if !repo::update(conn, &row)? {
            return Err(ApiError::new(
                ErrorCode::BudgetBelowCommitted,
                format!("The budget cannot go below the {} cents already committed.", before.committed_cents),
            ));
        }
        let after = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("No such fund."))?;
        let (before, after) = (to_dto(conn, before)?, to_dto(conn, after)?);
        // Changes to the controls stand out in the audit trail.
        let action = if controls_changed { "fund.controls_changed" } else { "fund.updated" };
        record(conn, caller, &after, action, Some(&before))?;
        Ok(after)
    })
}

//! `pactum seed`: a large data set for the load benchmark (`bench/load.py`, issue 16): one
//! municipality with its admin, officer and finance people, one fund, a network with a
//! coordinator per hundred grants, and the grants themselves, spread over the networks and
//! over the statuses that carry no money (so the ledger owes nothing). Rows go in with
//! multi-row inserts, a thousand per statement, in batched transactions.

pub mod repo;

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::audit::Actor;
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::now;
use crate::domain::workflow::GrantStatus;
use crate::domain::{MunicipalityRole, NetworkKind, NetworkRole};
use crate::error::ApiError;
use crate::funds::dto::CreateFund;
use crate::grants::repo::GrantRow;
use crate::municipalities::dto::CreateMunicipality;

use repo::{SeedLink, SeedMunicipalityMember, SeedNetwork, SeedNetworkMember, SeedUser, BATCH};

/// Every seeded account signs in with this password.
pub const PASSWORD: &str = "pactum-seed-2026";
pub const ADMIN: &str = "admin@seed.example";
pub const OFFICER: &str = "officer@seed.example";
pub const FINANCE: &str = "finance@seed.example";
const CBS_CODE: &str = "GM9902";
/// Below the fund's four-eyes threshold, so one officer approves any seeded application.
const FOUR_EYES_CENTS: i64 = 250_000;
/// Statements per transaction: ten thousand rows.
const STATEMENTS_PER_TRANSACTION: usize = 10;

/// The coordinator of the `n`th network (from 1).
pub fn coordinator_email(n: usize) -> String {
    format!("coordinator-{n:05}@seed.example")
}

/// How much to seed.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub grants: usize,
    /// Undecided applications with a decision date in the coming six weeks.
    pub open_deadlines: usize,
}

impl Plan {
    /// `open_deadlines` left out: a tenth of the grants.
    pub fn new(grants: usize, open_deadlines: Option<usize>) -> Self {
        Self { grants, open_deadlines: open_deadlines.unwrap_or(grants / 10) }
    }

    pub fn networks(&self) -> usize {
        (self.grants / 100).max(1)
    }
}

/// What was seeded.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub municipality_id: String,
    pub fund_id: String,
    pub networks: usize,
    pub grants: usize,
    /// Grants by status, in the order of [`STATUSES`].
    pub by_status: [usize; 5],
    pub open_deadlines: usize,
}

/// The statuses seeded, and in how many of every twenty grants: mostly applications on their
/// way (draft, submitted, in review), some rejected or withdrawn.
pub const STATUSES: [(GrantStatus, usize); 5] = [
    (GrantStatus::Draft, 7),
    (GrantStatus::Submitted, 5),
    (GrantStatus::InReview, 6),
    (GrantStatus::Rejected, 1),
    (GrantStatus::Withdrawn, 1),
];

fn status_of(index: usize) -> usize {
    let mut slot = index % 20;
    for (position, (_, share)) in STATUSES.iter().enumerate() {
        if slot < *share {
            return position;
        }
        slot -= share;
    }
    0
}

fn undecided(status: usize) -> bool {
    matches!(STATUSES[status].0, GrantStatus::Submitted | GrantStatus::InReview)
}

/// Fills an empty database (refused when it was seeded already) and returns what it made.
pub fn run(conn: &mut DbConnection, plan: Plan) -> Result<Seeded, ApiError> {
    if crate::municipalities::repo::find_by_cbs_code(conn, CBS_CODE)?.is_some() {
        return Err(ApiError::conflict("This database was seeded already; seed an empty one."));
    }
    let hash =
        crate::auth::password::hash(PASSWORD).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
    let created = now();
    let municipality_id = crate::municipalities::service::create(
        conn,
        &Actor::default(),
        CreateMunicipality {
            name: "Gemeente Meetstad".into(),
            cbs_code: Some(CBS_CODE.into()),
            time_zone: None,
        },
    )?
    .id;
    let people = [
        (ADMIN, "Mila Beheer", MunicipalityRole::MunicipalAdmin),
        (OFFICER, "Otto Beoordelaar", MunicipalityRole::Officer),
        (FINANCE, "Fenna Financiën", MunicipalityRole::Finance),
    ];
    let staff: Vec<SeedUser> = people
        .iter()
        .map(|(email, name, _)| user(email.to_string(), name.to_string(), &hash, created))
        .collect();
    let members: Vec<SeedMunicipalityMember> = staff
        .iter()
        .zip(people.iter())
        .map(|(u, (_, _, role))| SeedMunicipalityMember {
            municipality_id: municipality_id.clone(),
            user_id: u.id.clone(),
            role: role.as_str().to_owned(),
            created_at: created,
        })
        .collect();
    write_transaction(conn, |conn| -> Result<(), ApiError> {
        repo::insert_users(conn, &staff)?;
        repo::insert_municipality_members(conn, &members)?;
        Ok(())
    })?;
    let today = crate::municipalities::today(conn, &municipality_id)?;
    let fund_id = fund(conn, &municipality_id, today)?;

    let network_count = plan.networks();
    let mut networks = Vec::with_capacity(network_count);
    for chunk in (1..=network_count).collect::<Vec<_>>().chunks(BATCH * STATEMENTS_PER_TRANSACTION) {
        let batch: Vec<(String, String)> = chunk
            .iter()
            .map(|_| (uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string()))
            .collect();
        write_transaction(conn, |conn| -> Result<(), ApiError> {
            for (rows, ids) in chunk.chunks(BATCH).zip(batch.chunks(BATCH)) {
                network_rows(conn, rows, ids, &municipality_id, &hash, created)?;
            }
            Ok(())
        })?;
        networks.extend(batch);
    }

    // Each undecided status gets its share of the open deadlines, spread evenly over it.
    let mut undecided_of = [0usize; 5];
    (0..plan.grants).map(status_of).filter(|s| undecided(*s)).for_each(|s| undecided_of[s] += 1);
    let undecided_total: usize = undecided_of.iter().sum();
    let open_deadlines = plan.open_deadlines.min(undecided_total);
    let mut open_of = undecided_of.map(|u| u * open_deadlines / undecided_total.max(1));
    if let Some(last) = (0..5).rev().find(|s| undecided_of[*s] > 0) {
        open_of[last] += open_deadlines - open_of.iter().sum::<usize>();
    }
    let mut seeded = Seeded {
        municipality_id: municipality_id.clone(),
        fund_id: fund_id.clone(),
        networks: network_count,
        grants: plan.grants,
        by_status: [0; 5],
        open_deadlines,
    };
    let context = GrantContext { municipality_id, fund_id, networks, today, created };
    let mut opened = 0;
    let per_transaction = BATCH * STATEMENTS_PER_TRANSACTION;
    for start in (0..plan.grants).step_by(per_transaction) {
        let end = (start + per_transaction).min(plan.grants);
        let mut rows = Vec::with_capacity(end - start);
        for index in start..end {
            let status = status_of(index);
            let seen = seeded.by_status[status];
            seeded.by_status[status] += 1;
            let quota = |n: usize| n * open_of[status] / undecided_of[status].max(1);
            let open = (undecided(status) && quota(seen + 1) != quota(seen)).then(|| {
                opened += 1;
                opened
            });
            rows.push(context.grant(index, status, open));
        }
        write_transaction(conn, |conn| -> Result<(), ApiError> {
            for batch in rows.chunks(BATCH) {
                repo::insert_grants(conn, batch)?;
            }
            Ok(())
        })?;
    }
    Ok(seeded)
}

fn user(email: String, name: String, hash: &str, created: NaiveDateTime) -> SeedUser {
    SeedUser {
        id: uuid::Uuid::now_v7().to_string(),
        email,
        name,
        locale: "nl".into(),
        password_hash: hash.to_owned(),
        is_platform_admin: false,
        disabled: false,
        created_at: created,
        notification_preference: "immediate".into(),
    }
}

/// The fund every grant applies to: open since a month, a budget far above what the seeded
/// applications ask together.
fn fund(conn: &mut DbConnection, municipality_id: &str, today: NaiveDate) -> Result<String, ApiError> {
    let admin = crate::identity::repo::find_user_by_email(conn, ADMIN)?
        .ok_or_else(|| ApiError::not_found("No seeded admin."))?;
    let admin = crate::identity::repo::caller_for(conn, admin)?;
    let input = CreateFund {
        municipality_id: uuid::Uuid::parse_str(municipality_id).map_err(ApiError::internal)?,
        name: "Meetstad Buurtbudget".into(),
        description: "Het fonds van de belastingproef.".into(),
        currency: None,
        budget_cents: crate::domain::money::MAX_CENTS,
        opens_on: today - Duration::days(30),
        closes_on: None,
        max_grant_cents: Some(500_000),
        four_eyes_threshold_cents: Some(FOUR_EYES_CENTS),
        decision_weeks: None,
        reporting_tiers: None,
        report_due_days: None,
        debtor_name: Some("Gemeente Meetstad".into()),
        debtor_iban: Some("NL02ABNA0123456789".into()),
        debtor_bic: Some("ABNANL2A".into()),
    };
    Ok(crate::funds::service::create(conn, &admin, input)?.id)
}

const KINDS: [NetworkKind; 4] = [
    NetworkKind::CitizensInitiative,
    NetworkKind::VolunteerInitiative,
    NetworkKind::CulturalCommunity,
    NetworkKind::SelfOrganisation,
];

/// Networks numbered `numbers`, with ids `(network, coordinator)`: linked to the municipality,
/// each with its coordinator.
fn network_rows(
    conn: &mut DbConnection,
    numbers: &[usize],
    ids: &[(String, String)],
    municipality_id: &str,
    hash: &str,
    created: NaiveDateTime,
) -> Result<(), ApiError> {
    let mut networks = Vec::with_capacity(numbers.len());
    let mut coordinators = Vec::with_capacity(numbers.len());
    let mut links = Vec::with_capacity(numbers.len());
    let mut members = Vec::with_capacity(numbers.len());
    for (n, (network_id, user_id)) in numbers.iter().zip(ids) {
        networks.push(SeedNetwork {
            id: network_id.clone(),
            name: format!("Buurtnetwerk {n:05}"),
            kind: KINDS[n % KINDS.len()].as_str().to_owned(),
            description: "Bewoners die samen iets voor de buurt doen.".into(),
            legal_form: "none".into(),
            contact_email: format!("network-{n:05}@seed.example"),
            listed_publicly: true,
            version: 1,
            created_at: created,
            updated_at: created,
            contact_confirmed_at: Some(created),
            directory_messages_sent: 0,
        });
        let mut coordinator = user(coordinator_email(*n), format!("Coördinator {n:05}"), hash, created);
        coordinator.id = user_id.clone();
        coordinators.push(coordinator);
        links.push(SeedLink {
            municipality_id: municipality_id.to_owned(),
            network_id: network_id.clone(),
            status: "active".into(),
            requested_by: None,
            created_at: created,
            decided_at: Some(created),
        });
        members.push(SeedNetworkMember {
            network_id: network_id.clone(),
            user_id: user_id.clone(),
            role: NetworkRole::Coordinator.as_str().to_owned(),
            created_at: created,
        });
    }
    repo::insert_networks(conn, &networks)?;
    repo::insert_users(conn, &coordinators)?;
    repo::insert_links(conn, &links)?;
    repo::insert_network_members(conn, &members)?;
    Ok(())
}

struct GrantContext {
    municipality_id: String,
    fund_id: String,
    /// `(network id, coordinator id)`, by number.
    networks: Vec<(String, String)>,
    today: NaiveDate,
    created: NaiveDateTime,
}

impl GrantContext {
    /// The `index`th grant: in network `index % networks`, applied for by its coordinator.
    /// The `n`th open deadline falls `n % 42 + 1` days from today.
    fn grant(&self, index: usize, status: usize, open_deadline: Option<usize>) -> GrantRow {
        let (network_id, coordinator_id) = &self.networks[index % self.networks.len()];
        let status_name = STATUSES[status].0;
        let submitted = status_name != GrantStatus::Draft;
        let cents = 10_000 + i64::try_from(index.wrapping_mul(7919) % 1900).unwrap_or_default() * 100;
        GrantRow {
            id: uuid::Uuid::now_v7().to_string(),
            municipality_id: self.municipality_id.clone(),
            fund_id: self.fund_id.clone(),
            network_id: network_id.clone(),
            agreement_id: None,
            status: status_name.as_str().to_owned(),
            status_reason: (status_name == GrantStatus::Rejected)
                .then(|| "Dit past niet binnen de regeling.".to_owned()),
            title: format!("Buurtactiviteit {}", index + 1),
            purpose: "Ontmoeting in de buurt: koffie, een maaltijd, samen iets maken.".into(),
            requested_cents: cents,
            approved_cents: None,
            scheduled_cents: 0,
            paid_cents: 0,
            starts_on: self.today + Duration::days(30),
            ends_on: self.today + Duration::days(210),
            budget_lines: "[]".into(),
            payee_iban: "NL91ABNA0417164300".into(),
            payee_name: format!("Buurtnetwerk {:05}", index % self.networks.len() + 1),
            info_question: None,
            submitted_by: submitted.then(|| coordinator_id.clone()),
            submitted_at: submitted.then_some(self.created),
            decision_due_on: open_deadline
                .map(|n| self.today + Duration::days(1 + i64::try_from(n % 42).unwrap_or_default())),
            first_approval_by: None,
            first_approval_cents: None,
            approved_by: None,
            approved_at: None,
            version: 1,
            created_by: Some(coordinator_id.clone()),
            created_at: self.created,
            updated_at: self.created,
            report_due_on: None,
            four_eyes_threshold_cents: submitted.then_some(FOUR_EYES_CENTS),
        }
    }
}

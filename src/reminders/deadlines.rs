//! Deadlines, derived from the records (never typed twice): commitments due, reports due,
//! decisions due, tranches due, agreement reviews and ends. Each knows who is reminded and who
//! hears about it when it is overdue.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use crate::db::schema::{
    agreements, commitments, grants, invitations, municipality_networks, organisations, record_parties,
    spending_reports, tranches, users,
};
use crate::db::DbConnection;
use crate::domain::workflow::{
    AgreementStatus as S, CommitmentStatus, GrantStatus, ReportStatus, TrancheStatus,
};
use crate::domain::{DeadlineKind, PartyType};
use crate::networks::dto::LinkStatus;
use crate::outbox::recipients::{municipality_people, network_people, representatives, Recipient, OFFICERS};
use crate::outbox::templates::Due;
use crate::parties::AGREEMENT;

#[derive(Debug, Clone)]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub record_id: String,
    pub municipality_id: String,
    pub due_on: NaiveDate,
    /// What is due, in the words of the record.
    pub title: String,
    /// The API path of the record.
    pub path: String,
    pub recipients: Vec<Recipient>,
    /// Also told when it is overdue.
    pub escalation: Vec<Recipient>,
    /// Whether reminders go on after the date (not for an invitation that has lapsed).
    pub after_date: bool,
}

impl Deadline {
    /// The part of a reminder's dedupe key that names this deadline.
    pub fn key(&self) -> String {
        format!("reminder:{}:{}:{}:", self.kind.as_str(), self.record_id, self.due_on)
    }

    /// What the reminder email says of it.
    pub fn due(&self) -> Due<'_> {
        Due { kind: self.kind, title: &self.title, due_on: self.due_on }
    }
}

/// An invitation not yet accepted: id, municipality, network, organisation, email, expiry.
type PendingInvitation =
    (String, Option<String>, Option<String>, Option<String>, String, chrono::NaiveDateTime);

/// Whom a deadline reminds, as read from the memberships.
#[derive(PartialEq, Eq, Hash)]
enum Whom {
    Municipality(String, &'static [&'static str]),
    Network(String, &'static [&'static str]),
    /// Those who act for a party: its type and id.
    Party(String, String),
}

/// The people of each municipality, network and party, read once per pass: a pass meets the
/// same few of them for every one of thousands of deadlines.
#[derive(Default)]
struct People(HashMap<Whom, Vec<Recipient>>);

impl People {
    fn of(&mut self, conn: &mut DbConnection, whom: Whom) -> QueryResult<Vec<Recipient>> {
        if let Some(known) = self.0.get(&whom) {
            return Ok(known.clone());
        }
        let found = match &whom {
            Whom::Municipality(id, roles) => municipality_people(conn, id, roles)?,
            Whom::Network(id, roles) => network_people(conn, id, roles)?,
            Whom::Party(party_type, id) => representatives(conn, party_type, id)?,
        };
        self.0.insert(whom, found.clone());
        Ok(found)
    }

    fn officers(&mut self, conn: &mut DbConnection, municipality_id: &str) -> QueryResult<Vec<Recipient>> {
        self.of(conn, Whom::Municipality(municipality_id.to_owned(), &OFFICERS))
    }
}

/// Every deadline still open today.
pub fn open(conn: &mut DbConnection) -> QueryResult<Vec<Deadline>> {
    let mut deadlines = Vec::new();
    let mut people = People::default();

    // Only commitments of agreements in force: a terminated or completed agreement asks nothing more.
    let in_force = agreements::table
        .filter(agreements::status.eq_any([S::Signed, S::Active].map(S::as_str)))
        .select(agreements::id);
    let open_commitments: Vec<(String, String, String, String, String, NaiveDate)> = commitments::table
        .filter(commitments::status.eq(CommitmentStatus::Open.as_str()))
        .filter(commitments::due_on.is_not_null())
        .filter(commitments::agreement_id.eq_any(in_force))
        .select((
            commitments::id,
            commitments::municipality_id,
            commitments::party_type,
            commitments::party_id,
            commitments::description,
            commitments::due_on.assume_not_null(),
        ))
        .load(conn)?;
    for (id, municipality_id, party_type, party_id, description, due_on) in open_commitments {
        deadlines.push(Deadline {
            kind: DeadlineKind::Commitment,
            recipients: people.of(conn, Whom::Party(party_type, party_id))?,
            escalation: people.officers(conn, &municipality_id)?,
            after_date: true,
            path: format!("/api/v1/commitments/{id}"),
            record_id: id,
            municipality_id,
            due_on,
            title: description,
        });
    }

    // A final report sent in or accepted meets the report deadline.
    let final_report = spending_reports::table
        .filter(spending_reports::grant_id.eq(grants::id))
        .filter(spending_reports::kind.eq("final"))
        .filter(
            spending_reports::status
                .eq_any([ReportStatus::Submitted.as_str(), ReportStatus::Accepted.as_str()]),
        );
    let reporting: Vec<(String, String, String, String, NaiveDate)> = grants::table
        .filter(grants::status.eq_any([GrantStatus::Active.as_str(), GrantStatus::Reporting.as_str()]))
        .filter(grants::report_due_on.is_not_null())
        .filter(not(exists(final_report)))
        .select((
            grants::id,
            grants::municipality_id,
            grants::network_id,
            grants::title,
            grants::report_due_on.assume_not_null(),
        ))
        .load(conn)?;
    for (id, municipality_id, network_id, title, due_on) in reporting {
        deadlines.push(Deadline {
            kind: DeadlineKind::Report,
            recipients: people.of(conn, Whom::Network(network_id, &["coordinator", "treasurer"]))?,
            escalation: people.officers(conn, &municipality_id)?,
            after_date: true,
            path: format!("/api/v1/grants/{id}"),
            record_id: id,
            municipality_id,
            due_on,
            title,
        });
    }

    let undecided: Vec<(String, String, String, NaiveDate)> = grants::table
        .filter(
            grants::status.eq_any(
                [GrantStatus::Submitted, GrantStatus::InReview, GrantStatus::InfoRequested]
                    .map(GrantStatus::as_str),
            ),
        )
        .filter(grants::decision_due_on.is_not_null())
        .select((
            grants::id,
            grants::municipality_id,
            grants::title,
            grants::decision_due_on.assume_not_null(),
        ))
        .load(conn)?;
    for (id, municipality_id, title, due_on) in undecided {
        deadlines.push(Deadline {
            kind: DeadlineKind::Decision,
            recipients: people.officers(conn, &municipality_id)?,
            escalation: people.of(conn, Whom::Municipality(municipality_id.clone(), &["municipal_admin"]))?,
            after_date: true,
            path: format!("/api/v1/grants/{id}"),
            record_id: id,
            municipality_id,
            due_on,
            title,
        });
    }

    let scheduled: Vec<(String, String, String, NaiveDate)> = tranches::table
        .inner_join(grants::table.on(grants::id.eq(tranches::grant_id)))
        .filter(tranches::status.eq(TrancheStatus::Scheduled.as_str()))
        .select((tranches::id, tranches::municipality_id, grants::title, tranches::due_on))
        .load(conn)?;
    for (id, municipality_id, title, due_on) in scheduled {
        deadlines.push(Deadline {
            kind: DeadlineKind::Tranche,
            recipients: people.of(conn, Whom::Municipality(municipality_id.clone(), &["finance"]))?,
            escalation: people.officers(conn, &municipality_id)?,
            after_date: true,
            path: format!("/api/v1/tranches/{id}"),
            record_id: id,
            municipality_id,
            due_on,
            title,
        });
    }

    let in_force: Vec<(String, String, Option<NaiveDate>, Option<NaiveDate>)> = agreements::table
        .filter(agreements::status.eq_any([S::Active, S::Suspended].map(S::as_str)))
        .select((
            agreements::id,
            agreements::municipality_id,
            agreements::next_review_on,
            agreements::ends_on,
        ))
        .load(conn)?;
    for (id, municipality_id, review, ends) in in_force {
        let mut told = people.officers(conn, &municipality_id)?;
        let networks: Vec<String> = record_parties::table
            .filter(record_parties::record_type.eq(AGREEMENT))
            .filter(record_parties::record_id.eq(&id))
            .filter(record_parties::party_type.eq(PartyType::Network.as_str()))
            .select(record_parties::party_id)
            .load(conn)?;
        for network in networks {
            told.extend(people.of(conn, Whom::Network(network, &["coordinator"]))?);
        }
        told.sort();
        told.dedup();
        for (kind, date) in [(DeadlineKind::AgreementReview, review), (DeadlineKind::AgreementEnd, ends)] {
            if let Some(due_on) = date {
                deadlines.push(Deadline {
                    kind,
                    recipients: told.clone(),
                    escalation: Vec::new(),
                    after_date: true,
                    path: format!("/api/v1/agreements/{id}"),
                    record_id: id.clone(),
                    municipality_id: municipality_id.clone(),
                    due_on,
                    title: String::new(),
                });
            }
        }
    }
    let pending: Vec<PendingInvitation> = invitations::table
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(crate::domain::time::now()))
        .select((
            invitations::id,
            invitations::municipality_id,
            invitations::network_id,
            invitations::organisation_id,
            invitations::email,
            invitations::expires_at,
        ))
        .load(conn)?;
    for (id, municipality, network, organisation, email, expires_at) in pending {
        // Offsets and time zone come from the municipality the invitation belongs to.
        let municipality_id = match (municipality, network, organisation) {
            (Some(m), _, _) => Some(m),
            (None, Some(n), _) => municipality_networks::table
                .filter(municipality_networks::network_id.eq(n))
                .filter(municipality_networks::status.eq(LinkStatus::Active.as_str()))
                .select(municipality_networks::municipality_id)
                .first::<String>(conn)
                .optional()?,
            (None, None, Some(o)) => organisations::table
                .find(o)
                .select(organisations::municipality_id)
                .first::<String>(conn)
                .optional()?,
            _ => None,
        };
        let Some(municipality_id) = municipality_id else { continue };
        let locale: String = users::table
            .filter(users::email.eq(&email))
            .select(users::locale)
            .first(conn)
            .optional()?
            .unwrap_or_else(|| "nl".into());
        deadlines.push(Deadline {
            kind: DeadlineKind::Invitation,
            recipients: vec![Recipient { user_id: format!("invitation-{id}"), email, locale, digest: false }],
            escalation: Vec::new(),
            after_date: false,
            // The token is not kept, so no link can open the invitation itself; the email
            // says to use the invitation's own link, and this one opens Pactum.
            path: "/".to_owned(),
            record_id: id,
            municipality_id,
            due_on: expires_at.date(),
            title: String::new(),
        });
    }
    Ok(deadlines)
}

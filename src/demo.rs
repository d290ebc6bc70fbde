//! `pactum demo`: a believable Dutch example to click through: a municipality with its
//! officers, three informal networks of different kinds and their volunteers. Running it again
//! changes nothing and prints the logins again.

use crate::audit::{self, Actor, Event};
use crate::db::{write_transaction, DbConnection};
use crate::domain::time::now;
use crate::domain::{LegalForm, Locale, MunicipalityRole, NetworkKind, NetworkRole};
use crate::error::ApiError;
use crate::identity::repo as identity_repo;
use crate::identity::service::{self as identity, CreateUser};
use crate::members::{repo as members_repo, MembershipOwner};
use crate::municipalities::dto::CreateMunicipality;
use crate::municipalities::service as municipalities;
use crate::networks::dto::{CreateNetwork, Intermediary};
use crate::networks::service as networks;

/// Every demo account signs in with this password.
pub const PASSWORD: &str = "pactum-demo-2026";
const CBS_CODE: &str = "GM9901";

/// One demo login, for the printed table.
pub struct Login {
    pub email: &'static str,
    pub name: &'static str,
    pub role: String,
}

struct Person {
    email: &'static str,
    name: &'static str,
}

const OFFICERS: [(Person, MunicipalityRole); 3] = [
    (Person { email: "petra.smit@lindendaal.example", name: "Petra Smit" }, MunicipalityRole::MunicipalAdmin),
    (Person { email: "sanne.devries@lindendaal.example", name: "Sanne de Vries" }, MunicipalityRole::Officer),
    (Person { email: "joris.bakker@lindendaal.example", name: "Joris Bakker" }, MunicipalityRole::Finance),
];

struct DemoNetwork {
    name: &'static str,
    kind: NetworkKind,
    description: &'static str,
    themes: &'static [&'static str],
    neighbourhoods: &'static [&'static str],
    legal_form: LegalForm,
    kvk_number: Option<&'static str>,
    intermediary: Option<(&'static str, &'static str)>,
    contact_email: &'static str,
    people: &'static [(&'static str, &'static str, NetworkRole)],
}

const NETWORKS: [DemoNetwork; 3] = [
    DemoNetwork {
        name: "Buurtkracht Oost",
        kind: NetworkKind::CitizensInitiative,
        description:
            "Bewoners van Oost die elkaar helpen: boodschappen, een kop koffie, samen naar de dokter.",
        themes: &["loneliness", "social safety"],
        neighbourhoods: &["Oost", "De Vlinderbuurt"],
        legal_form: LegalForm::None,
        kvk_number: None,
        intermediary: Some(("Stichting Welzijn Lindendaal", "41234567")),
        contact_email: "buurtkracht.oost@example.nl",
        people: &[
            ("fatima.elamrani@example.nl", "Fatima El Amrani", NetworkRole::Coordinator),
            ("henk.jansen@example.nl", "Henk Jansen", NetworkRole::Treasurer),
        ],
    },
    DemoNetwork {
        name: "Taalhuis Lindendaal",
        kind: NetworkKind::VolunteerInitiative,
        description:
            "Vrijwilligers oefenen Nederlands met nieuwkomers, drie ochtenden per week in de bibliotheek.",
        themes: &["language"],
        neighbourhoods: &["Centrum"],
        legal_form: LegalForm::Foundation,
        kvk_number: Some("71234568"),
        intermediary: None,
        contact_email: "info@taalhuis-lindendaal.example.nl",
        people: &[("ahmet.yilmaz@example.nl", "Ahmet Yılmaz", NetworkRole::Coordinator)],
    },
    DemoNetwork {
        name: "Vrouwenvereniging Sranan Mama",
        kind: NetworkKind::CulturalCommunity,
        description: "Surinaamse vrouwen die koken, naaien en jongeren begeleiden naar werk.",
        themes: &["poverty", "youth"],
        neighbourhoods: &["West"],
        legal_form: LegalForm::Association,
        kvk_number: Some("60123456"),
        intermediary: None,
        contact_email: "sranan.mama@example.nl",
        people: &[("marcia.pinas@example.nl", "Marcia Pinas", NetworkRole::Coordinator)],
    },
];

fn user(conn: &mut DbConnection, email: &str, name: &str) -> Result<String, ApiError> {
    if let Some(existing) = identity_repo::find_user_by_email(conn, email)? {
        return Ok(existing.id);
    }
    let input = CreateUser { email, name, password: PASSWORD, locale: Locale::Nl, is_platform_admin: false };
    Ok(identity::create_user(conn, input)?.id)
}

fn join(conn: &mut DbConnection, scope: &MembershipOwner, user_id: &str, role: &str) -> Result<(), ApiError> {
    write_transaction(conn, |conn| {
        if members_repo::member_role(conn, scope, user_id)?.is_none() {
            members_repo::insert_member(conn, scope, user_id, role, now())?;
            let changes = serde_json::json!({"role": {"before": null, "after": role}});
            audit::record(
                conn,
                &Actor::default(),
                Event {
                    action: "member.joined",
                    entity_type: "membership",
                    entity_id: user_id,
                    municipality_id: scope.municipality_id(),
                    network_id: scope.network_id(),
                    changes,
                },
            )?;
        }
        Ok(())
    })
}

/// Creates the demo data unless it is there already; returns every login.
pub fn seed(conn: &mut DbConnection) -> Result<Vec<Login>, ApiError> {
    let mut logins = Vec::new();
    let existing = crate::municipalities::repo::find_by_cbs_code(conn, CBS_CODE)?;
    let municipality_id = match existing {
        Some(row) => row.id,
        None => {
            let input = CreateMunicipality {
                name: "Gemeente Lindendaal".into(),
                cbs_code: Some(CBS_CODE.into()),
                time_zone: None,
            };
            municipalities::create(conn, &Actor::default(), input)?.id
        }
    };
    let municipality = MembershipOwner::Municipality(municipality_id.clone());
    let mut officer_id = String::new();
    for (person, role) in &OFFICERS {
        let id = user(conn, person.email, person.name)?;
        join(conn, &municipality, &id, role.as_str())?;
        if *role == MunicipalityRole::Officer {
            officer_id = id;
        }
        logins.push(Login {
            email: person.email,
            name: person.name,
            role: format!("{} of Gemeente Lindendaal", role.as_str()),
        });
    }
    let officer =
        identity_repo::find_user(conn, &officer_id)?.ok_or_else(|| ApiError::not_found("demo officer"))?;
    let officer = identity_repo::caller_for(conn, officer)?;
    let mut network_ids = Vec::new();
    for network in &NETWORKS {
        let id = match crate::networks::repo::find_by_name(conn, network.name)? {
            Some(row) => row.id,
            None => {
                let input = CreateNetwork {
                    name: network.name.into(),
                    kind: network.kind,
                    description: network.description.into(),
                    themes: network.themes.iter().map(|t| (*t).to_owned()).collect(),
                    neighbourhoods: network.neighbourhoods.iter().map(|n| (*n).to_owned()).collect(),
                    legal_form: network.legal_form,
                    kvk_number: network.kvk_number.map(str::to_owned),
                    intermediary: network
                        .intermediary
                        .map(|(name, kvk)| Intermediary { name: name.into(), kvk_number: Some(kvk.into()) }),
                    contact_email: network.contact_email.into(),
                    listed_publicly: true,
                    municipality_id: uuid::Uuid::parse_str(&municipality_id).ok(),
                };
                // The example's addresses are made up: they count as confirmed, and no
                // confirmation email is queued for them.
                let id = networks::create(conn, &officer, input, None)?.id;
                crate::networks::repo::confirm_contact_now(conn, &id, crate::domain::time::now())?;
                id
            }
        };
        network_ids.push(id.clone());
        for (email, name, role) in network.people {
            let user_id = user(conn, email, name)?;
            join(conn, &MembershipOwner::Network(id.clone()), &user_id, role.as_str())?;
            logins.push(Login { email, name, role: format!("{} of {}", role.as_str(), network.name) });
        }
    }
    shared_work(conn, &municipality_id, &network_ids)?;
    grants(conn, &municipality_id, &network_ids)?;
    Ok(logins)
}

/// A caller for a demo person, by email.
fn caller(conn: &mut DbConnection, email: &str) -> Result<crate::auth::Caller, ApiError> {
    let user =
        identity_repo::find_user_by_email(conn, email)?.ok_or_else(|| ApiError::not_found("demo user"))?;
    Ok(identity_repo::caller_for(conn, user)?)
}

/// A vision endorsed by Gemeente Lindendaal, Buurtkracht Oost and Taalhuis Lindendaal, and an
/// agreement between them in force, with commitments on every side.
fn shared_work(
    conn: &mut DbConnection,
    municipality_id: &str,
    network_ids: &[String],
) -> Result<(), ApiError> {
    use crate::agreements::content::{Provision, ProvisionKind};
    use crate::agreements::dto::CreateAgreement;
    use crate::agreements::service as agreements;
    use crate::commitments::terms::CommitmentTerms;
    use crate::domain::workflow::{AgreementAction, VisionAction};
    use crate::domain::{Party, PartyType};
    use crate::visions::dto::{CreateVision, Goal};
    use crate::visions::service as visions;

    const VISION_TITLE: &str = "Samen tegen eenzaamheid in Oost";
    if crate::visions::repo::find_by_title(conn, municipality_id, VISION_TITLE)?.is_some() {
        return Ok(());
    }
    let officer = caller(conn, "sanne.devries@lindendaal.example")?;
    let fatima = caller(conn, "fatima.elamrani@example.nl")?;
    let ahmet = caller(conn, "ahmet.yilmaz@example.nl")?;
    let (oost, taalhuis) =
        (Party::new(PartyType::Network, &network_ids[0]), Party::new(PartyType::Network, &network_ids[1]));
    let municipality = uuid::Uuid::parse_str(municipality_id).map_err(ApiError::internal)?;
    let vision = visions::create(
        conn,
        &officer,
        CreateVision {
            municipality_id: municipality,
            title: VISION_TITLE.into(),
            statement:
                "Niemand in Oost hoeft er alleen voor te staan. Bewoners, vrijwilligers en de gemeente \
                        zorgen samen voor ontmoeting, taal en een helpende hand."
                    .into(),
            goals: vec![
                Goal {
                    title: "Meer ontmoeting in de buurt".into(),
                    indicator: Some("Twee koffie-ochtenden per week".into()),
                },
                Goal {
                    title: "Nieuwkomers spreken mee".into(),
                    indicator: Some("Veertig deelnemers aan het taalcafé".into()),
                },
            ],
            themes: vec!["loneliness".into(), "language".into()],
            parties: vec![oost.clone(), taalhuis.clone()],
        },
    )?;
    visions::act(conn, &officer, &vision.id, VisionAction::Propose, None)?;
    for who in [&officer, &fatima, &ahmet] {
        visions::act(conn, who, &vision.id, VisionAction::Endorse, None)?;
    }
    let agreement = agreements::create(
        conn,
        &officer,
        CreateAgreement {
            municipality_id: municipality,
            title: "Koffie-ochtenden en taalcafé in Oost".into(),
            vision_id: uuid::Uuid::parse_str(&vision.id).ok(),
            parties: vec![oost.clone(), taalhuis.clone()],
            starts_on: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or_default(),
            ends_on: chrono::NaiveDate::from_ymd_opt(2027, 8, 31),
            review_interval_months: Some(6),
            next_review_on: None,
            body: "1. Buurtkracht Oost organiseert elke dinsdag en donderdag een koffie-ochtend in de buurtkamer.\n\
                   2. Taalhuis Lindendaal houdt elke woensdag een taalcafé in dezelfde ruimte.\n\
                   3. De gemeente stelt de buurtkamer gratis beschikbaar en betaalt koffie en thee.\n"
                .into(),
            provisions: vec![
                Provision { kind: ProvisionKind::Space, description: "De buurtkamer aan het Lindenplein".into(), amount_cents: None },
                Provision { kind: ProvisionKind::Money, description: "Koffie, thee en koekjes".into(), amount_cents: Some(120_000) },
            ],
            commitments: vec![
                CommitmentTerms { key: None, party: oost.clone(), description: "Verslag van het eerste halfjaar".into(), due_on: chrono::NaiveDate::from_ymd_opt(2027, 3, 1) },
                CommitmentTerms { key: None, party: taalhuis, description: "Vrijwilligers trainen voor het taalcafé".into(), due_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 1) },
                CommitmentTerms {
                    key: None,
                    party: Party::new(PartyType::Municipality, municipality_id),
                    description: "Sleutels en schoonmaak van de buurtkamer regelen".into(),
                    due_on: chrono::NaiveDate::from_ymd_opt(2026, 9, 1),
                },
            ],
        },
    )?;
    agreements::act(conn, &officer, &agreement.id, AgreementAction::Propose, None, None)?;
    for who in [&officer, &fatima, &ahmet] {
        agreements::act(conn, who, &agreement.id, AgreementAction::Sign, None, None)?;
    }
    Ok(())
}

/// A fund with grants in several states: closed, paid and active, in review, and a draft.
fn grants(conn: &mut DbConnection, municipality_id: &str, network_ids: &[String]) -> Result<(), ApiError> {
    use crate::funds::dto::CreateFund;
    use crate::grants::dto::{ApproveRequest, CreateGrant, GrantActionRequest, PayRequest, Payee};
    use crate::grants::{applications, decisions, tranches};
    use crate::settlements::dto::SettleRequest;
    use crate::settlements::service as settlement;

    const FUND: &str = "Buurtbudget Lindendaal 2026";
    let existing = crate::funds::repo::list(
        conn,
        &crate::db::page::Reach::Everywhere,
        Some(municipality_id),
        None,
        1000,
    )?;
    if existing.iter().any(|f| f.name == FUND) {
        return Ok(());
    }
    let sanne = caller(conn, "sanne.devries@lindendaal.example")?;
    let joris = caller(conn, "joris.bakker@lindendaal.example")?;
    let henk = caller(conn, "henk.jansen@example.nl")?;
    let ahmet = caller(conn, "ahmet.yilmaz@example.nl")?;
    let marcia = caller(conn, "marcia.pinas@example.nl")?;
    let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let municipality = uuid::Uuid::parse_str(municipality_id).map_err(ApiError::internal)?;
    let petra = caller(conn, "petra.smit@lindendaal.example")?;
    let fund = crate::funds::service::create(
        conn,
        &petra,
        CreateFund {
            municipality_id: municipality,
            name: FUND.into(),
            description: "Kleine bijdragen voor bewonersinitiatieven die de buurt sterker maken.".into(),
            currency: None,
            budget_cents: 5_000_000,
            opens_on: date(2026, 1, 1),
            closes_on: Some(date(2026, 12, 31)),
            max_grant_cents: Some(500_000),
            four_eyes_threshold_cents: Some(250_000),
            decision_weeks: None,
            reporting_tiers: None,
            report_due_days: None,
            debtor_name: Some("Gemeente Lindendaal".into()),
            debtor_iban: Some("NL02 ABNA 0123 4567 89".into()),
            debtor_bic: Some("ABNANL2A".into()),
        },
    )?;
    let fund_id = uuid::Uuid::parse_str(&fund.id).map_err(ApiError::internal)?;
    let apply = |conn: &mut DbConnection,
                 who: &crate::auth::Caller,
                 network: &str,
                 title: &str,
                 cents: i64,
                 payee: &str| {
        applications::create(
            conn,
            who,
            CreateGrant {
                fund_id,
                network_id: uuid::Uuid::parse_str(network).map_err(ApiError::internal)?,
                agreement_id: None,
                title: title.into(),
                purpose: format!("{title}: voor en door bewoners."),
                requested_cents: cents,
                starts_on: date(2026, 3, 1),
                ends_on: date(2026, 12, 31),
                budget_lines: vec![],
                payee: Payee { iban: "NL91ABNA0417164300".into(), name: payee.into() },
            },
        )
        .map(|g| g.id)
    };
    let submit_and_review =
        |conn: &mut DbConnection, who: &crate::auth::Caller, id: &str| -> Result<(), ApiError> {
            applications::submit(conn, who, id, GrantActionRequest::default())?;
            decisions::start_review(conn, &sanne, id)?;
            Ok(())
        };
    let approve_and_pay = |conn: &mut DbConnection, id: &str| -> Result<(), ApiError> {
        decisions::approve(conn, &sanne, id, ApproveRequest::default())?;
        for tranche in tranches::list(conn, &joris, id)? {
            tranches::pay(
                conn,
                &joris,
                &tranche.id,
                PayRequest { paid_on: None, payment_reference: Some("DEMO-2026".into()) },
            )?;
        }
        Ok(())
    };
    // Burendag: small, paid, settled and closed.
    let burendag =
        apply(conn, &henk, &network_ids[0], "Burendag Oost", 60_000, "Stichting Welzijn Lindendaal")?;
    submit_and_review(conn, &henk, &burendag)?;
    approve_and_pay(conn, &burendag)?;
    settlement::settle(
        conn,
        &sanne,
        &burendag,
        SettleRequest { settled_cents: 60_000, note: Some("Gevierd met 120 buren.".into()) },
    )?;
    settlement::close(conn, &sanne, &burendag)?;
    // Koffie-ochtenden: approved, paid, active.
    let koffie = apply(
        conn,
        &henk,
        &network_ids[0],
        "Koffie-ochtenden in de buurtkamer",
        180_000,
        "Stichting Welzijn Lindendaal",
    )?;
    submit_and_review(conn, &henk, &koffie)?;
    approve_and_pay(conn, &koffie)?;
    // Taalcafé: waiting for a decision.
    let taal = apply(
        conn,
        &ahmet,
        &network_ids[1],
        "Materialen voor het taalcafé",
        95_000,
        "Stichting Taalhuis Lindendaal",
    )?;
    submit_and_review(conn, &ahmet, &taal)?;
    // Kookworkshops: still a draft.
    apply(
        conn,
        &marcia,
        &network_ids[2],
        "Kookworkshops voor jongeren",
        320_000,
        "Vrouwenvereniging Sranan Mama",
    )?;
    Ok(())
}

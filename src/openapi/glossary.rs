//! What each field of the API means, said once: the description and an example of every
//! property of every schema. A name means one thing across the API (`due_on` is always the date
//! something is due), so the words are keyed by field name; where a name means something
//! particular in one schema the key is `Schema.field`. A doc comment on the field itself wins.
//!
//! Examples: a JSON literal, or empty to derive one from the format (dates, instants, ids). An
//! empty description leaves the field's own doc comment to say it.
//! Every scalar property gets one; lists and objects show theirs through their items.

use serde_json::{json, Value};

/// `(key, description, example)`.
const WORDS: &[(&str, &str, &str)] = &[
    // Records
    ("id", "The record's id (a UUID v7, so ids sort by creation time).", ""),
    ("version", "Counts the changes of this record; send it back as `If-Match` (the `ETag`) to change it only if nobody else did.", "3"),
    ("created_at", "When the record was made (UTC).", ""),
    ("updated_at", "When the record last changed (UTC).", ""),
    ("created_by", "The person (or service account) who made it.", ""),
    ("items", "This page of the list, in order.", ""),
    ("allowed_actions", "What the caller may do to it now, given its status and the caller's roles; the actions are paths under the record (`POST .../{action}`).", ""),
    ("municipality_id", "The municipality (gemeente) the record belongs to.", ""),
    ("municipality_name", "The municipality's name.", "\"Gemeente Lindendaal\""),
    ("network_id", "The informal network.", ""),
    ("network_name", "The network's name.", "\"Buurtkracht Oost\""),
    ("organisation_id", "The partner organisation.", ""),
    ("user_id", "The person's account.", ""),
    ("fund_id", "The fund the money comes from.", ""),
    ("grant_id", "The grant (application).", ""),
    ("tranche_id", "The tranche (payment).", ""),
    ("agreement_id", "The collaboration agreement it belongs to.", ""),
    ("vision_id", "The shared vision the agreement works towards.", ""),
    ("report_id", "The spending report.", ""),
    ("receipt_id", "A receipt uploaded to the same report that backs this expense.", ""),
    ("service_account_id", "The service account the token belongs to.", ""),
    ("event_id", "The event; the same in every delivery of it (the `webhook-id` header).", ""),
    ("name", "The name as people read it.", "\"Buurtkracht Oost\""),
    ("title", "A short title.", "\"Buurtmaaltijden Oost 2027\""),
    ("description", "What it is, in a few sentences.", "\"Wekelijkse maaltijden voor ouderen in de wijk.\""),
    ("note", "A note in words, for the people on the other side.", "\"Ontvangen met dank.\""),
    ("email", "An email address.", "\"fatima.elamrani@example.nl\""),
    ("role", "The role, which decides what the person may do.", "\"treasurer\""),
    ("party", "The party (municipality, network or partner organisation).", ""),
    ("parties", "Every party to it.", ""),
    ("themes", "Themes, in words (used for the overview and the directory).", ""),
    ("neighbourhoods", "Neighbourhoods (wijken) it is active in.", ""),
    ("kvk_number", "Chamber of Commerce (KvK) number: 8 digits; none for networks without legal form.", "\"12345678\""),
    ("contact_email", "Where the municipality and the public can reach the network; confirmed by a link before it is used.", "\"buurtkracht.oost@example.nl\""),
    ("currency", "ISO 4217 currency code of every amount in this record.", "\"EUR\""),
    ("status", "Where it is in its workflow.", ""),
    ("kind", "What kind it is.", ""),
    ("active", "Off: it does nothing until switched on again.", "true"),
    // Money, in cents
    ("amount_cents", "An amount in euro cents (integer; 12500 is 125 euros).", "12500"),
    ("budget_cents", "The budget, in euro cents.", "5000000"),
    ("paid_cents", "Paid so far, in euro cents.", "150000"),
    ("refunded_cents", "Paid back by networks, in euro cents.", "2500"),
    ("requested_cents", "The amount asked for, in euro cents.", "250000"),
    ("approved_cents", "The amount awarded, in euro cents.", "250000"),
    ("awarded_cents", "Awarded in all, in euro cents.", "250000"),
    ("to_come_cents", "Awarded and not yet paid, in euro cents.", "100000"),
    ("settled_cents", "The final amount the grant is settled at (vaststelling), in euro cents; paid minus settled is refunded.", "240000"),
    ("max_grant_cents", "The most one application may ask, in euro cents.", "500000"),
    ("four_eyes_threshold_cents", "Approvals at or above this amount need two different people (never a service account), in euro cents.", "500000"),
    ("expenses_total_cents", "The sum of the expense lines, in euro cents.", "231050"),
    ("up_to_cents", "The tier covers grants up to this amount, in euro cents; none for the largest tier.", "500000"),
    // Dates (the municipality's calendar) and instants (UTC)
    ("starts_on", "First day (YYYY-MM-DD, the municipality's calendar).", ""),
    ("ends_on", "Last day (YYYY-MM-DD); none for no end.", ""),
    ("due_on", "The day it is due (YYYY-MM-DD).", ""),
    ("opens_on", "First day applications may be submitted.", ""),
    ("closes_on", "Last day applications may be submitted; none while the fund stays open.", ""),
    ("next_review_on", "When the parties next look at how the agreement works (YYYY-MM-DD).", ""),
    ("held_on", "The day the check-in took place.", ""),
    ("spent_on", "The day the money was spent.", ""),
    ("paid_on", "The day it was paid.", ""),
    ("received_on", "The day the money came in.", ""),
    ("expires_at", "When it stops working (UTC); none for never.", ""),
    ("submitted_at", "When it was submitted (UTC).", ""),
    ("approved_at", "When it was approved (UTC).", ""),
    ("accepted_at", "When the municipality accepted it (UTC).", ""),
    ("signed_at", "When it was signed (UTC).", ""),
    ("settled_at", "When the grant was settled (UTC).", ""),
    ("closed_at", "When the batch was confirmed or cancelled (UTC).", ""),
    ("sent_at", "When the email was handed to the mail server (UTC).", ""),
    ("delivered_at", "When the receiver answered 2xx (UTC).", ""),
    ("attempted_at", "When this attempt was made (UTC).", ""),
    ("next_attempt_at", "When the next attempt is due (UTC).", ""),
    ("confirmed_at", "When the address was confirmed (UTC).", ""),
    ("endorsed_at", "When the party endorsed the vision (UTC).", ""),
    ("revoked_at", "When the token was revoked (UTC); it stopped working then.", ""),
    ("since", "Member since (UTC).", ""),
    ("refresh_token_expires_at", "When the refresh token stops working (UTC).", ""),
    // People
    ("approved_by", "The person who gave the first approval.", ""),
    ("endorsed_by", "The person who endorsed for the party.", ""),
    ("settled_by", "The person who settled the grant.", ""),
    ("edited_by", "The person who saved this revision.", ""),
    ("signed_by", "The person who signed for the party.", ""),
    ("actor_user_id", "The person (or service account) whose action wrote the entry; none for Pactum itself.", ""),
    ("is_platform_admin", "Creates municipalities and their first admins.", "false"),
    ("municipalities", "The municipalities the person works for, with the role in each.", ""),
    ("networks", "The networks the person belongs to, with the role in each.", ""),
    ("locale", "The language of the person's pages and emails.", ""),
    ("notification_preference", "How the person gets reminders: each as it comes, a daily digest, or none by email.", ""),
    ("password", "The password; at least 12 characters.", "\"a long passphrase\""),
    ("current_password", "The password now, to prove it is you.", "\"a long passphrase\""),
    ("refresh_token", "The refresh token from the last sign-in or refresh; works once.", "\"prt_3q2-7wEJY5s8m0xUOv6N2Lk1cHb9dRfTgQzXyAaBbCc\""),
    ("token_type", "Always `Bearer`.", "\"Bearer\""),
    ("message", "The message, in words.", "\"Wij zoeken vrijwilligers voor de maaltijden.\""),
    // Municipalities, networks, organisations
    ("cbs_code", "The municipality's code at CBS (Statistics Netherlands).", "\"GM0363\""),
    ("time_zone", "IANA time zone of the municipality's calendar: due dates and terms are days in it.", "\"Europe/Amsterdam\""),
    ("legal_form", "The network's legal form; most have none.", ""),
    ("intermediary", "The organisation (penvoerder) that receives and manages money for the network, if any.", ""),
    ("listed_publicly", "Shown in the public directory of networks.", "true"),
    ("MunicipalityLink.status", "Whether the municipality accepted the link; until then it has no say over the network.", ""),
    // Grants and funds
    ("purpose", "What the money is for and whom it helps, in the network's words.", "\"Elke week een warme maaltijd voor 30 ouderen in Oost.\""),
    ("budget_lines", "What the money will be spent on, line by line.", ""),
    ("payee", "Where the money goes: the network's account, or its intermediary's.", ""),
    ("pending_approval", "A first approval waiting for the second.", ""),
    ("decision_weeks", "Weeks to decide after submission.", "8"),
    ("report_due_days", "Days after a grant's period ends that its report is due.", "90"),
    ("reporting_tiers", "What a network must report, by amount awarded (proportional reporting).", ""),
    ("requirement", "What a network must report for grants in this tier.", ""),
    ("report_requirement", "What the network must report for this grant.", ""),
    ("debtor_iban", "The municipality's account the fund pays from (in SEPA batches).", "\"NL91ABNA0417164300\""),
    ("debtor_bic", "The BIC of that account, where the bank needs it.", "\"ABNANL2A\""),
    ("payment_reference", "The bank's or finance system's reference of the payment.", "\"BOEK-2027-00412\""),
    ("next_payment_on", "When the next tranche is due; none when nothing is due.", ""),
    ("report_due_on", "When the spending report is due; none when none is asked.", ""),
    ("funds", "Each fund's figures.", ""),
    ("total", "The totals over every fund.", ""),
    ("decision_terms", "How many applications were decided within the fund's term.", ""),
    ("count", "How many.", "12"),
    ("StatusCount.status", "The grant status counted.", ""),
    ("EntryDto.kind", "What the entry records: a commitment, a release, a payment or a refund.", ""),
    ("EntryDto.amount_cents", "The amount the entry moves, in euro cents (always positive; `kind` says which way).", "250000"),
    ("TrancheDto.amount_cents", "The tranche's amount, in euro cents.", "125000"),
    ("CreateTranche.amount_cents", "The tranche's amount, in euro cents.", "125000"),
    ("TranchePlan.amount_cents", "The tranche's amount, in euro cents.", "125000"),
    ("RefundRequest.amount_cents", "The amount the network paid back, in euro cents.", "10000"),
    ("BudgetLine.amount_cents", "The line's amount, in euro cents.", "60000"),
    ("BudgetLine.description", "What this part of the money is for.", "\"Boodschappen voor 40 maaltijden\""),
    ("Expense.amount_cents", "The amount spent, in euro cents.", "4250"),
    ("Expense.description", "What the money was spent on.", "\"Boodschappen Albert Heijn\""),
    // Reports
    ("ReportDto.kind", "An interim report along the way, or the final one.", ""),
    ("CreateReport.kind", "An interim report along the way, or the final one.", ""),
    ("narrative", "What was done and achieved, in the network's words.", "\"We kookten 48 keer voor gemiddeld 27 ouderen.\""),
    ("people_reached", "How many people the activity reached.", "120"),
    ("expenses", "What was spent, line by line, each with its receipt where one is asked.", ""),
    ("receipts", "The photos and PDFs uploaded to the report.", ""),
    ("status_reason", "Why the municipality asked for changes.", "\"Het bonnetje van 12 maart ontbreekt.\""),
    ("file_name", "The name of the uploaded file.", "\"bon-2027-03-12.jpg\""),
    ("media_type", "The file's type: `image/jpeg`, `image/png` or `application/pdf`.", "\"image/jpeg\""),
    ("sha256", "SHA-256 of the file's bytes, in hex.", "\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\""),
    ("size_bytes", "The file's size in bytes.", "184322"),
    // Settlements
    ("settled", "Whether the grant has been settled.", "true"),
    // Visions and agreements
    ("statement", "The vision itself: what the parties want to achieve together (Markdown).", "\"Samen zorgen we dat niemand in Oost er alleen voor staat.\""),
    ("goals", "What the parties aim for, each with how they will see it.", ""),
    ("indicator", "How the parties will see that the goal is reached.", "\"30 ouderen eten wekelijks mee\""),
    ("endorsements", "The parties that endorsed the vision.", ""),
    ("commitments", "What each party commits to, with due dates.", ""),
    ("provisions", "What each side offers (money, a room, time, knowledge).", ""),
    ("body", "The agreement's clauses (Markdown).", "\"## Afspraken\\n\\nDe gemeente stelt de buurtkamer beschikbaar.\""),
    ("review_interval_months", "Every how many months the parties review the agreement.", "12"),
    ("amendment", "An amendment being negotiated while the current version stays in force.", ""),
    ("content", "The text and terms of this version.", ""),
    ("number", "The version's number, from 1.", "2"),
    ("revision", "The revision's number, from 1.", "2"),
    ("signatures", "The parties that signed this version.", ""),
    ("key", "A commitment's stable key across versions.", "\"c1\""),
    ("before", "The commitment in the earlier version; none when it was added.", ""),
    ("after", "The commitment in the later version; none when it was removed.", ""),
    ("from", "The earlier version's number.", "1"),
    ("to", "The later version's number.", "2"),
    ("agreed_actions", "What the parties agreed to do next.", ""),
    ("notes", "What was discussed.", "\"Opkomst goed; extra kok gezocht.\""),
    ("participants", "Who took part.", ""),
    ("Party.type", "Which kind of party.", ""),
    ("Party.id", "The municipality, network or organisation.", ""),
    ("Provision.kind", "What is offered.", ""),
    ("Provision.description", "The offer, in words.", "\"De buurtkamer op dinsdagavond\""),
    ("CommitmentTerms.description", "What the party commits to.", "\"Elke week een maaltijd\""),
    ("CommitmentDto.description", "What the party committed to.", "\"Elke week een maaltijd\""),
    ("CommitmentDto.note", "What was said when it was marked done, missed or waived.", "\"Gedaan, 48 keer.\""),
    // Deadlines
    ("overdue", "The day has passed.", "false"),
    // Service accounts, tokens, webhooks
    ("scopes", "What the service account's tokens may read or do.", ""),
    ("label", "What the token is for, to recognise it later.", "\"Boekhouding productie\""),
    ("url", "Where the events are posted (https, or http on localhost).", "\"https://zaaksysteem.example.nl/pactum/events\""),
    ("event_types", "The events sent; an empty list means every event the account may read.", ""),
    ("event_type", "The kind of event.", ""),
    ("attempts", "Attempts made so far.", "1"),
    ("attempt_log", "Every attempt, newest last.", ""),
    ("last_status_code", "The HTTP status of the last answer; none when the receiver did not answer.", "204"),
    ("duration_ms", "How long the receiver took to answer, in milliseconds.", "182"),
    ("error", "Why the attempt failed, in words; none when it succeeded.", "\"timed out after 10 s\""),
    ("links", "Links to the record the event is about.", ""),
    // Outbox
    ("recipient", "The email address it goes to.", "\"henk.jansen@example.nl\""),
    ("subject", "The email's subject.", "\"Herinnering: verantwoording Buurtmaaltijden Oost\""),
    ("last_error", "Why the last attempt failed; none after success.", "\"connection refused\""),
    ("OutboxDto.kind", "Which email it is.", "\"reminder\""),
    // Audit
    ("action", "What happened: `<record>.<event>`.", "\"grant.approved\""),
    ("actor_kind", "Who did it: a person, another system or Pactum itself.", ""),
    ("entity_type", "The kind of record it happened to.", "\"grant\""),
    ("entity_id", "The record it happened to.", ""),
    ("request_id", "The `X-Request-Id` of the request that did it.", "\"3f1c2a9e7b5d4c8a\""),
    // Payment batches
    ("debtor", "The account the batch pays from.", ""),
    ("iban", "International bank account number (checked with its mod-97 digits).", "\"NL91ABNA0417164300\""),
    ("bic", "The bank's BIC, where needed.", "\"ABNANL2A\""),
    ("due_before", "The batch holds the tranches due before this day.", ""),
    ("requested_execution_date", "The day the bank is asked to pay.", ""),
    ("creditor_iban", "The account the tranche is paid to.", "\"NL20INGB0001234567\""),
    ("creditor_name", "Who the account is in the name of.", "\"Stichting Buurtkracht Oost\""),
    // Problems
    ("code", "A stable code; clients switch on it.", ""),
    ("Problem.status", "The HTTP status.", "409"),
    ("Problem.title", "The problem in a few words.", "\"Not enough budget\""),
    ("FieldError.message", "What is wrong with the field, in words.", "\"must be at most 200 characters\""),
    // Invitations
    ("InvitationDto.role", "The role the person gets on accepting.", "\"treasurer\""),
    ("AcceptedInvitation.role", "The role the person has now.", "\"treasurer\""),
    // Open data (360Giving)
    ("license", "The licence of the open data.", "\"https://creativecommons.org/licenses/by/4.0/\""),
    ("publisher", "Who publishes the data: the municipality.", ""),
    ("identifier", "The municipality's 360Giving organisation identifier.", "\"360G-pactum-gm0363-0193e5a2-0000-7000-8000-000000000001\""),
    ("grants", "Each grant awarded.", ""),
    ("GrantPackage.version", "The 360Giving package version.", "\"1.0\""),
    ("Grant.id", "360Giving grant identifier: `360G-<prefix>-<grant id>`.", "\"360G-pactum-gm0363-0193e5a2-7c4b-7d1e-9f3a-5b6c7d8e9f01\""),
    ("Organization.id", "360Giving organisation identifier: `NL-KVK-<number>`, else `360G-<prefix>-<id>`.", "\"NL-KVK-12345678\""),
    ("Transaction.id", "The payment's identifier.", "\"0193e5a2-7c4b-7d1e-9f3a-5b6c7d8e9f02\""),
    ("transactionDate", "The day it was paid (YYYY-MM-DD).", "\"2027-02-01\""),
    ("startDate", "First day (YYYY-MM-DD).", "\"2027-01-01\""),
    ("endDate", "Last day (YYYY-MM-DD).", "\"2027-12-31\""),
    ("fundingOrganization", "Who gives the money: the municipality.", ""),
    ("recipientOrganization", "Who receives it: the network.", ""),
    ("grantProgramme", "The fund it comes from.", ""),
    ("disbursementTransaction", "The payments made.", ""),
    // Fields whose own doc comment says what they are: only the example is here.
    ("next_cursor", "", "\"MDE5M2U1YTItN2M0Yi03ZDFlLTlmM2EtNWI2YzdkOGU5ZjAx\""),
    ("new_account", "", "true"),
    ("reason", "", "\"Past niet binnen de doelen van het fonds.\""),
    ("question", "", "\"Hoeveel ouderen verwacht u per week?\""),
    ("answer", "", "\"Ongeveer 30.\""),
    ("info_question", "", "\"Hoeveel ouderen verwacht u per week?\""),
    ("status_code", "", "204"),
    ("available_cents", "", "3250000"),
    ("committed_cents", "", "1500000"),
    ("remaining_cents", "", "3250000"),
    ("scheduled_cents", "", "125000"),
    ("unscheduled_cents", "", "0"),
    ("total_cents", "", "375000"),
    ("refund_due_cents", "", "10000"),
    ("refund_outstanding_cents", "", "0"),
    ("calendar_url", "", "\"https://pactum.example.nl/api/v1/me/calendar.ics?token=cal_3q2-7wEJY5s8m0xUOv6N2Lk1cHb9dRfTgQzXyAaBbCc\""),
    ("new_password", "", "\"a new long passphrase\""),
    ("debtor_name", "", "\"Gemeente Lindendaal\""),
    ("met", "", "41"),
    ("missed", "", "3"),
    ("open_in_time", "", "7"),
    ("open_overdue", "", "1"),
    ("category", "", "\"catering\""),
    ("field", "", "\"budget_lines[0].amount_cents\""),
    ("awardDate", "", "\"2027-01-15\""),
    ("GrantProgramme.code", "", "\"0193e5a2-7c4b-7d1e-9f3a-5b6c7d8e9f03\""),
    ("sent_by_email", "", "true"),
    ("open_data_prefix", "", "\"pactum-gm0363\""),
    ("open_data_public", "", "true"),
    ("MyDeadline.kind", "", "\"report\""),
    ("path", "", "\"/api/v1/grants/0193e5a2-7c4b-7d1e-9f3a-5b6c7d8e9f01\""),
    ("contact_email_confirmed", "", "true"),
    ("NetworkFigures.grants", "", "4"),
    ("reports", "", "3"),
    ("networks_reporting", "", "11"),
    ("message_id", "", "\"PB0193e5a27c4b7d1e9f3a5b6c7d8e9f04\""),
    ("transaction_count", "", "12"),
    ("end_to_end_id", "", "\"T0193e5a27c4b7d1e9f3a5b6c7d8e9f02\""),
    ("remittance", "", "\"Subsidie Buurtmaaltijden Oost 2027, tranche 1\""),
    ("detail", "", "\"The fund has 1,000.00 euros left; the approval asks 2,500.00.\""),
    ("instance", "", "\"/api/v1/grants/0193e5a2-7c4b-7d1e-9f3a-5b6c7d8e9f01/approve\""),
    ("Problem.type", "", "\"https://pactum.example/problems/insufficient-budget\""),
    ("contact_url", "", "\"https://pactum.example.nl/api/v1/public/networks/0193e5a2-7c4b-7d1e-9f3a-5b6c7d8e9f01/messages\""),
    ("content_hash", "", "\"3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b\""),
    ("hint", "", "\"pct_Qk3x\""),
    ("access_token", "", "\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMTkzZTVhMiJ9.c2lnbmF0dXJl\""),
];

/// The words for one field of one schema, if the glossary has them.
fn words(schema: &str, field: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let specific = format!("{schema}.{field}");
    WORDS.iter().find(|(key, ..)| *key == specific).or_else(|| WORDS.iter().find(|(key, ..)| *key == field))
}

/// Gives every property of every schema its description and, where it holds one value, an
/// example; a description on the non-null branch of an optional reference moves up beside it.
pub fn describe(spec: &mut Value) {
    let Some(schemas) = spec["components"]["schemas"].as_object_mut() else { return };
    for (schema, body) in schemas.iter_mut() {
        let Some(properties) = body.get_mut("properties").and_then(Value::as_object_mut) else { continue };
        for (field, property) in properties.iter_mut() {
            lift_branch_description(property);
            let entry = words(schema, field);
            if property.get("description").is_none() {
                if let Some((_, description, _)) = entry.filter(|(_, description, _)| !description.is_empty())
                {
                    property["description"] = json!(description);
                }
            }
            if property.get("example").is_none()
                && property.get("examples").is_none()
                && holds_one_value(property)
            {
                let given = entry.and_then(|(_, _, example)| serde_json::from_str(example).ok());
                if let Some(example) = given.or_else(|| example_of_format(property)) {
                    property["examples"] = json!([example]);
                }
            }
        }
    }
}

/// `oneOf: [null, {$ref, description}]` (an optional reference): the description belongs to the
/// property.
fn lift_branch_description(property: &mut Value) {
    if property.get("description").is_some() {
        return;
    }
    let lifted = property.get_mut("oneOf").and_then(Value::as_array_mut).and_then(|branches| {
        branches.iter_mut().find_map(|branch| branch.as_object_mut()?.remove("description"))
    });
    if let Some(description) = lifted {
        property["description"] = description;
    }
}

/// A string, number or boolean (possibly null): a property an example can show (an uploaded
/// file's bytes cannot).
pub(super) fn holds_one_value(property: &Value) -> bool {
    if property.get("format").and_then(Value::as_str) == Some("binary") {
        return false;
    }
    let scalar = |t: &Value| matches!(t.as_str(), Some("string" | "integer" | "number" | "boolean"));
    match property.get("type") {
        Some(Value::Array(types)) => types.iter().any(scalar),
        Some(t) => scalar(t),
        None => false,
    }
}

fn example_of_format(property: &Value) -> Option<Value> {
    match property.get("format")?.as_str()? {
        "date" => Some(json!("2027-03-01")),
        "date-time" => Some(json!("2027-03-01T09:30:00Z")),
        "uuid" => Some(json!("0193e5a2-7c4b-7d1e-9f3a-5b6c7d8e9f01")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every property of every schema is described, and every one that holds a single value
    /// has an example of the right type.
    #[test]
    fn every_property_is_described_with_an_example() {
        let spec: Value = serde_json::from_str(&super::super::to_json()).expect("spec");
        let mut missing = Vec::new();
        for (schema, body) in spec["components"]["schemas"].as_object().expect("schemas") {
            for (field, property) in body["properties"].as_object().into_iter().flatten() {
                if property.get("description").is_none() {
                    missing.push(format!("{schema}.{field}: description"));
                }
                if holds_one_value(property) {
                    match property.get("examples").or_else(|| property.get("example")) {
                        None => missing.push(format!("{schema}.{field}: example")),
                        Some(examples) => {
                            let example = examples.as_array().and_then(|e| e.first()).unwrap_or(examples);
                            if !jsonschema::is_valid(property, example) {
                                missing.push(format!("{schema}.{field}: example {example} does not fit"));
                            }
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "{} properties lack words:\n{}", missing.len(), missing.join("\n"));
    }

    /// An entry no schema uses is a word nobody reads; remove it.
    #[test]
    fn every_entry_is_used() {
        let spec: Value = serde_json::from_str(&super::super::to_json()).expect("spec");
        let mut used = std::collections::HashSet::new();
        for (schema, body) in spec["components"]["schemas"].as_object().expect("schemas") {
            for field in body["properties"].as_object().into_iter().flatten().map(|(f, _)| f) {
                if let Some((key, ..)) = words(schema, field) {
                    used.insert(*key);
                }
            }
        }
        let unused: Vec<_> = WORDS.iter().map(|(key, ..)| *key).filter(|key| !used.contains(key)).collect();
        assert!(unused.is_empty(), "unused glossary entries: {unused:?}");
    }

    #[test]
    fn every_key_is_said_once() {
        let mut keys: Vec<&str> = WORDS.iter().map(|(key, ..)| *key).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len(), "a key appears twice in the glossary");
    }

    #[test]
    fn every_example_is_json() {
        for (key, _, example) in WORDS {
            assert!(example.is_empty() || serde_json::from_str::<Value>(example).is_ok(), "{key}: {example}");
        }
    }

    #[test]
    fn a_schema_specific_entry_wins() {
        assert_eq!(words("TrancheDto", "amount_cents").map(|w| w.0), Some("TrancheDto.amount_cents"));
        assert_eq!(words("GrantDto", "due_on").map(|w| w.0), Some("due_on"));
        assert!(words("GrantDto", "no_such_field").is_none());
    }
}

//! Collaboration agreements: drafting, signing one exact version by every party, dates,
//! amendments, commitments, check-ins and the printable document.

use actix_web::http::Method;
use serde_json::{json, Value};

use crate::fixtures::{draft_agreement, sign_by_all, tenant, Tenant};
use crate::helpers::{Reply, TestApp};
use crate::on_both_backends;

on_both_backends!(
    an_agreement_between_three_parties_from_draft_to_completion,
    every_action_from_every_state,
    two_parties_signing_at_once_make_one_transition,
    an_amendment_becomes_current_and_the_old_version_stays,
    a_signed_version_never_changes,
    the_date_job_activates_and_expires_once,
    commitments_are_tracked_by_who_owes_them,
    only_parties_see_an_agreement,
    someone_in_the_municipality_and_a_party_pages_through_each_agreement_once,
);

async fn setup(app: &TestApp) -> (Tenant, Tenant) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(app, &root, "a").await;
    let b = tenant(app, &root, "b").await;
    (a, b)
}

fn status(reply: &Reply) -> String {
    assert!(reply.status < 300, "{}", reply.text());
    reply.json()["status"].as_str().unwrap().to_owned()
}

async fn run_date_job(app: &TestApp) -> usize {
    app.state.db.run(pactum::agreements::dates::run_date_changes).await.unwrap()
}

async fn an_agreement_between_three_parties_from_draft_to_completion(app: TestApp) {
    let (a, _) = setup(&app).await;
    let draft = draft_agreement(&app, &a, "2099-01-01", Some("2099-12-31")).await;
    let id = draft["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/agreements/{id}");
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["current"]["content"]["parties"].as_array().unwrap().len(), 3);
    assert_eq!(draft["current"]["content"]["next_review_on"], "2099-07-01");
    assert_eq!(draft["allowed_actions"], json!(["edit", "propose"]));

    // The network's coordinator drafts along, proposes; the organisation asks for changes.
    let edited = app
        .call(
            &a.coordinator,
            Method::PATCH,
            &path,
            Some(json!({"body": "1. Elke dinsdag en donderdag koffie.\n"})),
        )
        .await;
    assert_eq!(status(&edited), "draft");
    assert_eq!(status(&app.post_as(&a.coordinator, &format!("{path}/propose"), json!({})).await), "proposed");
    app.post_as(&a.contact, &format!("{path}/request-changes"), json!({}))
        .await
        .assert_problem(422, "validation_failed");
    let sent_back = app
        .post_as(&a.contact, &format!("{path}/request-changes"), json!({"reason": "Wie betaalt de melk?"}))
        .await;
    assert_eq!(status(&sent_back), "draft");
    assert_eq!(sent_back.json()["status_reason"], "Wie betaalt de melk?");
    app.call(&a.officer, Method::PATCH, &path, Some(json!({"provisions": [{"kind": "money", "description": "Koffie en melk", "amount_cents": 30000}]}))).await;
    let signed = sign_by_all(&app, &a, &id).await;
    assert_eq!(signed["status"], "signed", "it starts in 2099");
    let signatures = signed["current"]["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 3);
    let hash = signed["current"]["content_hash"].as_str().unwrap();
    assert!(signatures.iter().all(|s| s["content_hash"] == hash), "everyone signed the same version");

    // Check-ins and the printable document.
    let check_in = app
        .post_as(
            &a.coordinator,
            &format!("{path}/check-ins"),
            json!({"held_on": "2027-02-14", "participants": ["Sanne", "Fatima"],
            "notes": "Goede opkomst.", "agreed_actions": ["Grotere ruimte zoeken"]}),
        )
        .await;
    assert_eq!(check_in.status, 201, "{}", check_in.text());
    let listed = app.get_as(&a.contact, &format!("{path}/check-ins")).await.json();
    assert_eq!(listed["items"][0]["agreed_actions"], json!(["Grotere ruimte zoeken"]));
    app.post_as(&a.member, &format!("{path}/check-ins"), json!({"held_on": "2027-02-14"}))
        .await
        .assert_problem(403, "forbidden");

    let english = app
        .send(
            app.request(Method::GET, &format!("{path}/versions/1/document"))
                .insert_header(("Authorization", format!("Bearer {}", a.member.token)))
                .insert_header(("Accept-Language", "en-GB,en;q=0.9,nl;q=0.5")),
            None,
        )
        .await;
    assert_eq!(english.status, 200);
    assert_eq!(english.header("content-type"), Some("text/html; charset=utf-8"));
    let html = english.text();
    for expected in [
        "Collaboration agreement",
        "Koffie-ochtenden",
        "Gemeente a",
        "Buurtkracht a",
        "Welzijn a",
        "signed by",
        hash,
        "&euro; 300,00",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }
    let dutch = app.get_as(&a.member, &format!("{path}/versions/1/document")).await.text();
    assert!(dutch.contains("Samenwerkingsafspraak") && dutch.contains("getekend door"));

    // The start date comes: the date job activates it; then it is completed.
    set_dates(&app, &id, "2026-01-01", None).await;
    assert_eq!(run_date_job(&app).await, 1);
    assert_eq!(app.get_as(&a.officer, &path).await.json()["status"], "active");
    assert_eq!(
        status(
            &app.post_as(&a.officer, &format!("{path}/suspend"), json!({"reason": "Verbouwing buurtkamer"}))
                .await
        ),
        "suspended"
    );
    assert_eq!(status(&app.post_as(&a.officer, &format!("{path}/resume"), json!({})).await), "active");
    app.post_as(&a.coordinator, &format!("{path}/complete"), json!({}))
        .await
        .assert_problem(403, "forbidden");
    let completed = app.post_as(&a.officer, &format!("{path}/complete"), json!({})).await;
    assert_eq!(status(&completed), "completed");
    assert_eq!(completed.json()["allowed_actions"], json!([]));

    let trail = app
        .get_as(&a.auditor, &format!("/api/v1/audit-events?entity_type=agreement&entity_id={id}"))
        .await
        .json();
    let actions: Vec<&str> =
        trail["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "agreement.created",
            "agreement.updated",
            "agreement.proposed",
            "agreement.changes_requested",
            "agreement.updated",
            "agreement.proposed",
            "agreement.signature_added",
            "agreement.signature_added",
            "agreement.signed",
            "agreement.activated",
            "agreement.suspended",
            "agreement.resumed",
            "agreement.completed"
        ]
    );
    assert_eq!(trail["items"][9]["actor_user_id"], Value::Null, "the date job acts as the system");
}

/// Moves an agreement's dates as if time had passed (the signed version itself never changes).
async fn set_dates(app: &TestApp, id: &str, starts_on: &str, ends_on: Option<&str>) {
    use diesel::prelude::*;
    use pactum::db::schema::agreements;
    let starts: chrono::NaiveDate = starts_on.parse().unwrap();
    let ends: Option<chrono::NaiveDate> = ends_on.map(|d| d.parse().unwrap());
    let mut conn = app.database.target.connect().unwrap();
    diesel::update(agreements::table.find(id))
        .set((agreements::starts_on.eq(starts), agreements::ends_on.eq(ends)))
        .execute(&mut conn)
        .unwrap();
}

/// An agreement of tenant `t` brought into `state` through the API (and the date job).
async fn agreement_in(app: &TestApp, t: &Tenant, state: &str) -> String {
    let (starts, ends) = match state {
        "signed" => ("2099-01-01", None),
        "expired" => ("2020-01-01", Some("2020-12-31")),
        _ => ("2026-01-01", None),
    };
    let id = draft_agreement(app, t, starts, ends).await["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/agreements/{id}");
    let reason = json!({"reason": "test"});
    match state {
        "draft" => {}
        "proposed" => {
            app.post_as(&t.officer, &format!("{path}/propose"), json!({})).await;
        }
        _ => {
            sign_by_all(app, t, &id).await;
        }
    }
    match state {
        "suspended" => drop(app.post_as(&t.officer, &format!("{path}/suspend"), reason.clone()).await),
        "completed" => drop(app.post_as(&t.officer, &format!("{path}/complete"), json!({})).await),
        "terminated" => drop(app.post_as(&t.officer, &format!("{path}/terminate"), reason).await),
        "expired" => assert!(run_date_job(app).await >= 1),
        _ => {}
    }
    assert_eq!(app.get_as(&t.officer, &path).await.json()["status"], state);
    id
}

async fn every_action_from_every_state(app: TestApp) {
    let (a, _) = setup(&app).await;
    let table: [(&str, &[&str]); 8] = [
        ("draft", &["edit", "propose"]),
        ("proposed", &["edit", "request_changes", "sign"]),
        ("signed", &["amend", "terminate"]),
        ("active", &["amend", "suspend", "complete", "terminate"]),
        ("suspended", &["amend", "resume", "terminate"]),
        ("completed", &[]),
        ("terminated", &[]),
        ("expired", &[]),
    ];
    let actions =
        ["edit", "propose", "request_changes", "sign", "amend", "suspend", "resume", "complete", "terminate"];
    for (state, allowed) in table {
        for action in actions {
            let id = agreement_in(&app, &a, state).await;
            let path = format!("/api/v1/agreements/{id}");
            let reply = match action {
                "edit" => {
                    app.call(&a.officer, Method::PATCH, &path, Some(json!({"title": "Nieuwe titel"}))).await
                }
                "amend" => app.post_as(&a.officer, &format!("{path}/amendments"), json!({})).await,
                _ => {
                    app.post_as(
                        &a.officer,
                        &format!("{path}/{}", action.replace('_', "-")),
                        json!({"reason": "test"}),
                    )
                    .await
                }
            };
            if allowed.contains(&action) {
                assert!(
                    reply.status == 200 || reply.status == 201,
                    "{action} from {state}: {}",
                    reply.text()
                );
            } else {
                let problem = reply.assert_problem(409, "invalid_transition");
                assert_eq!(problem["allowed_actions"], json!(allowed), "{action} from {state}");
            }
        }
    }
}

async fn two_parties_signing_at_once_make_one_transition(app: TestApp) {
    let (a, _) = setup(&app).await;
    let id = draft_agreement(&app, &a, "2099-01-01", None).await["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/agreements/{id}");
    app.post_as(&a.officer, &format!("{path}/propose"), json!({})).await;
    app.post_as(&a.officer, &format!("{path}/sign"), json!({})).await;
    let (first, second) = futures_util::future::join(
        app.post_as(&a.coordinator, &format!("{path}/sign"), json!({})),
        app.post_as(&a.contact, &format!("{path}/sign"), json!({})),
    )
    .await;
    assert_eq!((first.status, second.status), (200, 200), "{} / {}", first.text(), second.text());
    let agreement = app.get_as(&a.officer, &path).await.json();
    assert_eq!(agreement["status"], "signed");
    assert_eq!(agreement["current"]["signatures"].as_array().unwrap().len(), 3);
    let trail = app
        .get_as(&a.auditor, &format!("/api/v1/audit-events?entity_type=agreement&entity_id={id}"))
        .await
        .json();
    let transitions =
        trail["items"].as_array().unwrap().iter().filter(|e| e["action"] == "agreement.signed").count();
    assert_eq!(transitions, 1, "exactly one transition to signed");
}

async fn an_amendment_becomes_current_and_the_old_version_stays(app: TestApp) {
    let (a, _) = setup(&app).await;
    let path = format!("/api/v1/agreements/{}", a.agreement_id);
    let before = app.get_as(&a.officer, &format!("{path}/versions/1")).await.json();
    let opened = app.post_as(&a.coordinator, &format!("{path}/amendments"), json!({})).await;
    assert_eq!(opened.status, 201, "{}", opened.text());
    assert_eq!(opened.header("location").unwrap(), format!("{path}/versions/2"));
    let opened = opened.json();
    assert_eq!(opened["status"], "active", "version 1 stays in force");
    assert_eq!(opened["amendment"]["number"], 2);
    app.post_as(&a.coordinator, &format!("{path}/amendments"), json!({}))
        .await
        .assert_problem(409, "invalid_transition");

    let mut commitments = opened["amendment"]["content"]["commitments"].clone();
    commitments[0]["description"] = json!("Koffie en thee zetten");
    let edit = json!({"body": "1. Elke dinsdag koffie en thee.\n2. De gemeente stelt de buurtkamer beschikbaar.\n", "commitments": commitments});
    let edited = app.call(&a.coordinator, Method::PATCH, &path, Some(edit)).await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    let parties_change = app
        .call(
            &a.coordinator,
            Method::PATCH,
            &path,
            Some(json!({"parties": [{"type": "network", "id": a.network_id}]})),
        )
        .await;
    assert_eq!(parties_change.assert_problem(422, "validation_failed")["errors"][0]["field"], "parties");
    assert_eq!(app.get_as(&a.officer, &path).await.json()["current"]["number"], 1);

    // The network's commitment was already done; the amendment keeps that.
    let done = app
        .post_as(&a.coordinator, &format!("/api/v1/commitments/{}/complete", a.commitment_id), json!({}))
        .await;
    assert_eq!(done.json()["status"], "done", "{}", done.text());
    let signed = sign_by_all(&app, &a, &a.agreement_id).await;
    assert_eq!(signed["status"], "active");
    assert_eq!(signed["current"]["number"], 2);
    assert_eq!(signed["amendment"], Value::Null);

    let old = app.get_as(&a.member, &format!("{path}/versions/1")).await.json();
    assert_eq!(old, before, "version 1 is unchanged and still readable");
    let versions = app.get_as(&a.member, &format!("{path}/versions")).await.json();
    assert_eq!(versions["items"].as_array().unwrap().len(), 2);
    let diff = app.get_as(&a.member, &format!("{path}/versions/2/diff?against=1")).await.json();
    let body = diff["body"].as_str().unwrap();
    assert!(
        body.contains("-1. Elke dinsdag koffie.") && body.contains("+1. Elke dinsdag koffie en thee."),
        "{body}"
    );
    assert_eq!(diff["commitments"][0]["after"]["description"], "Koffie en thee zetten");
    let commitment =
        app.get_as(&a.coordinator, &format!("/api/v1/commitments/{}", a.commitment_id)).await.json();
    assert_eq!(commitment["description"], "Koffie en thee zetten");
    assert_eq!(commitment["status"], "done", "same key, same status");
}

async fn a_signed_version_never_changes(app: TestApp) {
    let (a, _) = setup(&app).await;
    let path = format!("/api/v1/agreements/{}", a.agreement_id);
    let refused = app.call(&a.officer, Method::PATCH, &path, Some(json!({"title": "Stiekem anders"}))).await;
    let problem = refused.assert_problem(409, "invalid_transition");
    assert!(problem["allowed_actions"].as_array().unwrap().contains(&json!("amend")));

    use diesel::prelude::*;
    use pactum::db::schema::agreement_versions;
    let mut conn = app.database.target.connect().unwrap();
    let attempt = diesel::update(agreement_versions::table.find((&a.agreement_id, 1)))
        .set(agreement_versions::content.eq("{}"))
        .execute(&mut conn);
    assert!(attempt.is_err(), "the database refuses to change a signed version");
    let delete = diesel::delete(agreement_versions::table.find((&a.agreement_id, 1))).execute(&mut conn);
    assert!(delete.is_err(), "or to delete it");
    let (content, hash): (String, String) = agreement_versions::table
        .find((&a.agreement_id, 1))
        .select((agreement_versions::content, agreement_versions::content_hash))
        .first(&mut conn)
        .unwrap();
    assert_eq!(pactum::agreements::content::hash_of(&content), hash, "the stored hash still matches");
    assert_eq!(app.get_as(&a.officer, &path).await.json()["current"]["content"]["title"], "Koffie-ochtenden");
}

async fn the_date_job_activates_and_expires_once(app: TestApp) {
    let (a, _) = setup(&app).await;
    let id = agreement_in(&app, &a, "signed").await;
    assert_eq!(run_date_job(&app).await, 0, "nothing is due yet");
    set_dates(&app, &id, "2026-01-01", Some("2026-06-30")).await;
    assert_eq!(run_date_job(&app).await, 1, "activated on its start date");
    // The end date has passed as well: the next run expires it, and a run after that does nothing.
    assert_eq!(run_date_job(&app).await, 1);
    assert_eq!(run_date_job(&app).await, 0);
    let agreement = app.get_as(&a.officer, &format!("/api/v1/agreements/{id}")).await.json();
    assert_eq!(agreement["status"], "expired");
    let (x, y) = futures_util::future::join(run_date_job(&app), run_date_job(&app)).await;
    assert_eq!(x + y, 0);
}

async fn commitments_are_tracked_by_who_owes_them(app: TestApp) {
    let (a, b) = setup(&app).await;
    let owed_by_network = format!("/api/v1/commitments?party_type=network&party_id={}", a.network_id);
    let listed = app.get_as(&a.treasurer, &owed_by_network).await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["due_on"], "2027-03-01");
    assert_eq!(listed["items"][0]["allowed_actions"], json!([]), "a treasurer does not act for the network");
    let due_soon =
        app.get_as(&a.officer, "/api/v1/commitments?status=open&due_before=2027-04-01").await.json();
    assert_eq!(due_soon["items"].as_array().unwrap().len(), 1);
    let all = app.get_as(&a.officer, "/api/v1/commitments").await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get_as(&b.officer, "/api/v1/commitments").await.json()["items"].as_array().unwrap().len(),
        2,
        "only B's own"
    );
    app.get_as(&a.officer, "/api/v1/commitments?status=late").await.assert_problem(400, "bad_request");
    app.get_as(&a.officer, "/api/v1/commitments?party_type=network").await.assert_problem(400, "bad_request");

    let commitment = format!("/api/v1/commitments/{}", a.commitment_id);
    app.post_as(&a.treasurer, &format!("{commitment}/complete"), json!({}))
        .await
        .assert_problem(403, "forbidden");
    app.post_as(&a.coordinator, &format!("{commitment}/waive"), json!({}))
        .await
        .assert_problem(422, "validation_failed");
    let missed = app
        .post_as(&a.coordinator, &format!("{commitment}/miss"), json!({"note": "Te laat begonnen"}))
        .await
        .json();
    assert_eq!(missed["status"], "missed");
    assert_eq!(missed["note"], "Te laat begonnen");
    let again = app.post_as(&a.officer, &format!("{commitment}/complete"), json!({})).await;
    assert_eq!(again.assert_problem(409, "invalid_transition")["allowed_actions"], json!([]));
    app.post_as(&b.coordinator, &format!("{commitment}/complete"), json!({}))
        .await
        .assert_problem(404, "not_found");
    // The municipality's own commitment: an officer closes it, the network cannot.
    let owed_by_municipality =
        format!("/api/v1/commitments?party_type=municipality&party_id={}", a.municipality_id);
    let municipal = app.get_as(&a.officer, &owed_by_municipality).await.json();
    let municipal_id = municipal["items"][0]["id"].as_str().unwrap();
    app.post_as(&a.coordinator, &format!("/api/v1/commitments/{municipal_id}/complete"), json!({}))
        .await
        .assert_problem(403, "forbidden");
    let done = app
        .post_as(&a.officer, &format!("/api/v1/commitments/{municipal_id}/complete"), json!({}))
        .await
        .json();
    assert_eq!(done["status"], "done");
}

async fn only_parties_see_an_agreement(app: TestApp) {
    let (a, b) = setup(&app).await;
    let path = format!("/api/v1/agreements/{}", a.agreement_id);
    for outsider in [&b.coordinator, &b.member, &b.officer, &b.contact] {
        for sub in ["", "/versions", "/versions/1", "/versions/1/document", "/versions/1/diff", "/check-ins"]
        {
            app.get_as(outsider, &format!("{path}{sub}")).await.assert_problem(404, "not_found");
        }
        app.post_as(outsider, &format!("{path}/check-ins"), json!({"held_on": "2027-01-01"}))
            .await
            .assert_problem(404, "not_found");
    }
    assert!(app.get_as(&b.coordinator, "/api/v1/agreements").await.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["id"] != a.agreement_id.as_str()));
    for insider in [&a.member, &a.treasurer, &a.contact, &a.auditor] {
        assert_eq!(app.get_as(insider, &path).await.status, 200, "{}", insider.email);
    }
}

async fn someone_in_the_municipality_and_a_party_pages_through_each_agreement_once(app: TestApp) {
    let (a, b) = setup(&app).await;
    for _ in 0..3 {
        draft_agreement(&app, &a, "2099-01-01", None).await;
    }
    let network_members = format!("/api/v1/networks/{}/members", a.network_id);
    let both = app.join(&a.coordinator, &network_members, &a.officer.email, "member").await;
    let both = crate::helpers::User { id: a.officer.id.clone(), ..both };
    // Reached through the municipality and, as a party, through the network: each once, in id
    // order, the same records the officer reached before joining the network.
    for list in ["/api/v1/agreements", "/api/v1/agreements?status=draft", "/api/v1/commitments"] {
        let before = app.page_through(&a.officer, list).await;
        let seen = app.page_through(&both, list).await;
        let mut expected = before.clone();
        expected.sort();
        expected.dedup();
        assert_eq!(seen, expected, "{list}: every record once, in id order");
        assert_eq!(seen, before, "{list}");
        assert!(seen.len() >= 2, "{list}: {seen:?}");
        for outsider in [&b.officer, &b.coordinator] {
            let theirs = app.page_through(outsider, list).await;
            assert!(theirs.iter().all(|id| !seen.contains(id)), "{list}: B reaches none of A's");
        }
    }
    let drafts = app.page_through(&a.coordinator, "/api/v1/agreements?status=draft").await;
    assert_eq!(drafts.len(), 3, "the network reaches the drafts it is a party to");
}

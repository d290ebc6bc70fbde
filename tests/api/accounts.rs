//! Attacks replayed, on SQLite and PostgreSQL: each once worked and must keep failing.
//! Planted accounts (an invitation or a password that reaches someone other than the owner of
//! the email address) and a municipality taking over a network it shares with another.

use actix_web::http::Method;
use serde_json::json;

use pactum::outbox::worker::run_once;

use crate::fixtures::tenant;
use crate::helpers::{api_path_in, Backend, TestApp, User, PASSWORD};
use crate::on_both_backends;
use crate::smtp_sink::{header, SmtpSink};

on_both_backends!(
    an_officer_of_a_second_municipality_cannot_take_over_a_shared_network,
    an_officer_invites_only_the_first_coordinator_of_a_network,
    an_invitation_token_never_reaches_the_inviter,
    accepting_for_an_existing_account_needs_that_account_signed_in,
    changing_the_password_needs_the_current_one_and_ends_the_other_sessions,
);

crate::on_each_backend!(a_password_reset_link_arrives_by_email_works_once_and_ends_every_session);

const ATTACKER_PASSWORD: &str = "mallory's chosen password";

fn bearer(token: &str) -> User {
    User { id: String::new(), email: String::new(), token: token.to_owned() }
}

async fn login_with(app: &TestApp, email: &str, password: &str) -> crate::helpers::Reply {
    app.post_json("/api/v1/auth/login", &json!({"email": email, "password": password})).await
}

/// The audit events of one action, as stored.
fn audit_changes(app: &TestApp, action: &str) -> Vec<String> {
    use diesel::prelude::*;
    use pactum::db::schema::audit_events;
    let mut conn = app.database.target.connect().unwrap();
    audit_events::table
        .filter(audit_events::action.eq(action))
        .select(audit_events::changes)
        .load(&mut conn)
        .unwrap()
}

async fn an_invitation_token_never_reaches_the_inviter(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    // Anyone signed in may register a network and invite people to it.
    let mallory = app.signed_in("mallory@evil.example", "Mallory", false).await;
    let created = app
        .post_as(
            &mallory,
            "/api/v1/networks",
            json!({"name": "Valse buren", "kind": "other",
            "legal_form": "none", "contact_email": "mallory@evil.example"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let network_id = created.json()["id"].as_str().unwrap().to_owned();
    let members = format!("/api/v1/networks/{network_id}/members");
    let invited = app
        .post_as(
            &mallory,
            &members,
            json!({"email": "victim@lindendaal.example", "name": "Vera", "role": "member"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text());
    let body = invited.json();
    assert!(body.get("invitation_url").is_none(), "{body}");
    assert_eq!(body["sent_by_email"], true);
    assert!(!invited.text().contains("inv_"), "no token in the answer: {}", invited.text());
    let listed = app.get_as(&mallory, &format!("/api/v1/networks/{network_id}/invitations")).await;
    assert_eq!(listed.status, 200);
    assert!(!listed.text().contains("inv_"), "no token in the list: {}", listed.text());
    app.get_as(&mallory, "/api/v1/outbox").await.assert_problem(403, "forbidden");
    // The token went to the victim's mailbox only.
    let email = app.email(&format!("invitation:{}", body["id"].as_str().unwrap())).await;
    assert_eq!(email.recipient, "victim@lindendaal.example");
    let platform_view = app.get_as(&root, "/api/v1/outbox").await;
    assert!(!platform_view.text().contains("inv_"), "the outbox API shows no body");

    // Later the victim is made an officer and accepts, choosing their own password.
    let gemeente = app.post_as(&root, "/api/v1/municipalities", json!({"name": "Gemeente Lindendaal"})).await;
    let gemeente_id = gemeente.json()["id"].as_str().unwrap().to_owned();
    let officer = app
        .post_as(
            &root,
            &format!("/api/v1/municipalities/{gemeente_id}/members"),
            json!({"email": "victim@lindendaal.example", "name": "Vera", "role": "officer"}),
        )
        .await;
    assert_eq!(officer.status, 201, "{}", officer.text());
    let path = app.invitation_path(officer.json()["id"].as_str().unwrap()).await;
    let accepted = app.post_json(&path, &json!({"password": "vera's own long password"})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text());
    assert_eq!(accepted.json()["new_account"], true);
    // Mallory cannot sign in to it, with any password she might have planted.
    for password in [ATTACKER_PASSWORD, PASSWORD] {
        login_with(&app, "victim@lindendaal.example", password).await.assert_problem(401, "unauthenticated");
    }
    assert_eq!(login_with(&app, "victim@lindendaal.example", "vera's own long password").await.status, 200);
}

async fn accepting_for_an_existing_account_needs_that_account_signed_in(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let mallory = app.signed_in("mallory@evil.example", "Mallory", false).await;
    let created = app
        .post_as(
            &mallory,
            "/api/v1/networks",
            json!({"name": "Valse buren", "kind": "other",
            "legal_form": "none", "contact_email": "mallory@evil.example"}),
        )
        .await;
    let network_id = created.json()["id"].as_str().unwrap().to_owned();
    let invited = app
        .post_as(
            &mallory,
            &format!("/api/v1/networks/{network_id}/members"),
            json!({"email": a.officer.email, "name": "Officer", "role": "coordinator"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text());
    // Even holding the link (say it leaked), nobody but the signed-in owner can use it, and it
    // never sets a password.
    let path = app.invitation_path(invited.json()["id"].as_str().unwrap()).await;
    app.post_json(&path, &json!({"password": ATTACKER_PASSWORD}))
        .await
        .assert_problem(401, "sign_in_required");
    app.post_as(&mallory, &path, json!({"password": ATTACKER_PASSWORD}))
        .await
        .assert_problem(401, "sign_in_required");
    let expired_token = app
        .request(Method::POST, &path)
        .insert_header(("Authorization", "Bearer not-a-valid-token"))
        .content_type("application/json");
    let refused =
        app.send(expired_token, Some(json!({"password": ATTACKER_PASSWORD}).to_string().into())).await;
    refused.assert_problem(401, "sign_in_required");
    login_with(&app, &a.officer.email, ATTACKER_PASSWORD).await.assert_problem(401, "unauthenticated");
    assert_eq!(login_with(&app, &a.officer.email, PASSWORD).await.status, 200, "the password is unchanged");
    let me = app.get_as(&a.officer, "/api/v1/me").await.json();
    assert!(
        me["networks"].as_array().unwrap().iter().all(|n| n["network_id"] != network_id.as_str()),
        "no role was added: {me}"
    );
    // The owner, signed in, may accept; the password still does not change.
    let joined = app.post_as(&a.officer, &path, json!({"password": ATTACKER_PASSWORD})).await;
    assert_eq!(joined.status, 200, "{}", joined.text());
    assert_eq!(joined.json()["new_account"], false);
    login_with(&app, &a.officer.email, ATTACKER_PASSWORD).await.assert_problem(401, "unauthenticated");
    assert_eq!(login_with(&app, &a.officer.email, PASSWORD).await.status, 200);
}

async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions(app: TestApp) {
    let anna = app.signed_in("anna@lindendaal.example", "Anna", false).await;
    let here = app.login(&anna.email).await;
    let elsewhere = app.login(&anna.email).await;
    let current = bearer(here["access_token"].as_str().unwrap());
    let other = bearer(elsewhere["access_token"].as_str().unwrap());
    let new_password = "a brand new passphrase";

    app.post_as(
        &current,
        "/api/v1/me/password",
        json!({"current_password": ATTACKER_PASSWORD, "new_password": new_password}),
    )
    .await
    .assert_problem(403, "wrong_password");
    let short = app
        .post_as(
            &current,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!(short.assert_problem(422, "validation_failed")["errors"][0]["field"], "new_password");
    assert_eq!(app.get_as(&other, "/api/v1/me").await.status, 200, "nothing changed yet");

    let changed = app
        .post_as(
            &current,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": new_password}),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.text());
    // This session stays; every other one ends at once, access and refresh token alike.
    assert_eq!(app.get_as(&current, "/api/v1/me").await.status, 200);
    assert_eq!(app.get_as(&anna, "/api/v1/me").await.status, 401, "the first sign-in has ended");
    app.get_as(&other, "/api/v1/me").await.assert_problem(401, "unauthenticated");
    let refresh = |token: &serde_json::Value| json!({"refresh_token": token["refresh_token"]});
    app.post_json("/api/v1/auth/refresh", &refresh(&elsewhere)).await.assert_problem(401, "unauthenticated");
    assert_eq!(app.post_json("/api/v1/auth/refresh", &refresh(&here)).await.status, 200);
    login_with(&app, &anna.email, PASSWORD).await.assert_problem(401, "unauthenticated");
    assert_eq!(login_with(&app, &anna.email, new_password).await.status, 200);
    let changes = audit_changes(&app, "user.password_changed");
    assert_eq!(changes.len(), 1);
    assert!(!changes[0].contains(new_password) && !changes[0].contains(PASSWORD), "{changes:?}");
}

/// Sends what is queued to the SMTP sink.
async fn deliver(app: &TestApp) {
    let db = app.state.db.clone();
    let mailer = app.state.mailer.clone().expect("a mailer");
    let config = app.state.settings.outbox.clone();
    let at = pactum::domain::time::now();
    actix_web::web::block(move || run_once(&db, &mailer, &config, "test", at)).await.unwrap().unwrap();
}

/// The reset token in a raw message (quoted-printable undone).
fn reset_token(message: &str) -> String {
    let unfolded = message.replace("=\r\n", "").replace("=3D", "=");
    let path = api_path_in(&unfolded, "/api/v1/auth/password-reset/pwr_");
    let token: String = path["/api/v1/auth/password-reset/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    assert!(unfolded.contains(&format!("/password-reset/{token}")), "the page link is there too");
    token
}

async fn a_password_reset_link_arrives_by_email_works_once_and_ends_every_session(backend: Backend) {
    let sink = SmtpSink::start();
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let Some(app) = TestApp::spawn_configured(backend, |_| {}, &["--smtp-url", url.as_str()]).await else {
        return;
    };
    let anna = app.signed_in("anna@lindendaal.example", "Anna", false).await;
    let first = app.login(&anna.email).await;
    let second = app.login(&anna.email).await;

    // Known and unknown addresses get the same answer; only the known one gets mail.
    let known =
        app.post_json("/api/v1/auth/password-reset", &json!({"email": "Anna@Lindendaal.example"})).await;
    let unknown =
        app.post_json("/api/v1/auth/password-reset", &json!({"email": "nobody@lindendaal.example"})).await;
    let malformed = app.post_json("/api/v1/auth/password-reset", &json!({"email": "not an address"})).await;
    for reply in [&known, &unknown, &malformed] {
        assert_eq!((reply.status, reply.body.len()), (202, 0), "{}", reply.text());
    }
    deliver(&app).await;
    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "one email, to the known address");
    assert_eq!(header(&messages[0], "To").as_deref(), Some("anna@lindendaal.example"));
    assert!(app.emails_to("nobody@lindendaal.example").await.is_empty());
    let token = reset_token(&messages[0]);
    assert!(token.starts_with("pwr_") && token.len() > 40, "{token}");
    {
        use diesel::prelude::*;
        use pactum::db::schema::password_resets;
        let mut conn = app.database.target.connect().unwrap();
        let stored: Vec<String> =
            password_resets::table.select(password_resets::token_hash).load(&mut conn).unwrap();
        assert_eq!(stored, [pactum::auth::secrets::hash(&token)], "stored only as its hash");
    }

    let reset = format!("/api/v1/auth/password-reset/{token}");
    let new_password = "a brand new passphrase";
    let short = app.post_json(&reset, &json!({"password": "short"})).await;
    assert_eq!(short.assert_problem(422, "validation_failed")["errors"][0]["field"], "password");
    let done = app.post_json(&reset, &json!({"password": new_password})).await;
    assert_eq!(done.status, 204, "{}", done.text());
    app.post_json(&reset, &json!({"password": "yet another passphrase"}))
        .await
        .assert_problem(409, "password_reset_used");
    app.post_json("/api/v1/auth/password-reset/pwr_unknown", &json!({"password": new_password}))
        .await
        .assert_problem(404, "not_found");

    // Every old session has ended: access tokens on their next request, refresh tokens too.
    for tokens in [&first, &second] {
        app.get_as(&bearer(tokens["access_token"].as_str().unwrap()), "/api/v1/me")
            .await
            .assert_problem(401, "unauthenticated");
        app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": tokens["refresh_token"]}))
            .await
            .assert_problem(401, "unauthenticated");
    }
    app.get_as(&anna, "/api/v1/me").await.assert_problem(401, "unauthenticated");
    login_with(&app, &anna.email, PASSWORD).await.assert_problem(401, "unauthenticated");
    assert_eq!(login_with(&app, &anna.email, new_password).await.status, 200);
    let changes = audit_changes(&app, "user.password_reset");
    assert_eq!(changes.len(), 1);
    assert!(!changes[0].contains("pwr_") && !changes[0].contains(new_password), "{changes:?}");

    // A link older than an hour is refused.
    app.post_json("/api/v1/auth/password-reset", &json!({"email": anna.email})).await;
    deliver(&app).await;
    let late = reset_token(sink.messages().last().unwrap());
    {
        use diesel::prelude::*;
        use pactum::db::schema::password_resets;
        let mut conn = app.database.target.connect().unwrap();
        let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(61);
        diesel::update(password_resets::table.filter(password_resets::used_at.is_null()))
            .set(password_resets::expires_at.eq(past))
            .execute(&mut conn)
            .unwrap();
    }
    app.post_json(
        &format!("/api/v1/auth/password-reset/{late}"),
        &json!({"password": "too late passphrase"}),
    )
    .await
    .assert_problem(410, "password_reset_expired");

    // Asking is limited like signing in, the same for every address.
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(
            app.post_json("/api/v1/auth/password-reset", &json!({"email": "nobody@lindendaal.example"}))
                .await
                .status,
        );
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
}

async fn an_officer_of_a_second_municipality_cannot_take_over_a_shared_network(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let b = tenant(&app, &root, "b").await;
    // A's network works with municipality B too.
    let asked = app
        .post_as(
            &a.coordinator,
            &format!("/api/v1/networks/{}/link-requests", a.network_id),
            json!({"municipality_id": b.municipality_id}),
        )
        .await;
    assert_eq!(asked.status, 201, "{}", asked.text());
    let linked = app
        .post_as(
            &b.officer,
            &format!("/api/v1/municipalities/{}/networks/{}/accept", b.municipality_id, a.network_id),
            json!({}),
        )
        .await;
    assert_eq!(linked.status, 200, "{}", linked.text());
    let network = format!("/api/v1/networks/{}", a.network_id);
    assert_eq!(app.get_as(&b.officer, &network).await.status, 200, "B sees the network it works with");

    let members = format!("{network}/members");
    for staff in [&b.officer, &b.admin] {
        // Making themselves (or anyone) coordinator, or adding anyone at all, is refused.
        for (email, role) in [
            (staff.email.as_str(), "coordinator"),
            ("accomplice@elders.example", "coordinator"),
            ("accomplice@elders.example", "treasurer"),
            ("accomplice@elders.example", "member"),
        ] {
            app.post_as(staff, &members, json!({"email": email, "name": "X", "role": role}))
                .await
                .assert_problem(403, "forbidden");
        }
        for (user, role) in [(&a.treasurer, "coordinator"), (&a.coordinator, "member")] {
            app.call(staff, Method::PATCH, &format!("{members}/{}", user.id), Some(json!({"role": role})))
                .await
                .assert_problem(403, "forbidden");
        }
        app.call(staff, Method::DELETE, &format!("{members}/{}", a.member.id), None)
            .await
            .assert_problem(403, "forbidden");
        app.get_as(staff, &format!("{network}/invitations")).await.assert_problem(403, "forbidden");
        app.call(staff, Method::PATCH, &network, Some(json!({"description": "Overgenomen"})))
            .await
            .assert_problem(403, "forbidden");
    }
    // Nothing changed, and no invitation went out.
    let listed = app.get_as(&a.coordinator, &members).await.json();
    let roles: Vec<(String, String)> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap().to_owned(), m["role"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(roles.len(), 3, "coordinator, treasurer and member only: {roles:?}");
    assert!(roles.contains(&(a.coordinator.email.clone(), "coordinator".to_owned())));
    assert!(app.emails_to("accomplice@elders.example").await.is_empty());
    let open = app.get_as(&a.coordinator, &format!("{network}/invitations")).await.json();
    assert_eq!(open["items"], json!([]), "no invitation was created");

    // A's grants of the shared network stay A's.
    for staff in [&b.officer, &b.admin, &b.auditor] {
        app.get_as(staff, &format!("/api/v1/grants/{}", a.grant_id)).await.assert_problem(404, "not_found");
        app.get_as(staff, &format!("/api/v1/grants/{}/tranches", a.grant_id))
            .await
            .assert_problem(404, "not_found");
        let overview = app.get_as(staff, &format!("{network}/grants")).await;
        assert_eq!(overview.status, 200, "{}", overview.text());
        assert_eq!(overview.json()["items"], json!([]), "none of A's grants: {}", overview.text());
    }
    // A's own officer still sees them; the network's coordinator still runs the network.
    assert_eq!(app.get_as(&a.officer, &format!("/api/v1/grants/{}", a.grant_id)).await.status, 200);
    let invited = app
        .post_as(
            &a.coordinator,
            &members,
            json!({"email": "nieuw@a.example", "name": "Nieuw", "role": "member"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text());
}

async fn an_officer_invites_only_the_first_coordinator_of_a_network(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let a = tenant(&app, &root, "a").await;
    let created = app
        .post_as(
            &a.officer,
            "/api/v1/networks",
            json!({"name": "Nieuwe buren", "kind": "citizens_initiative", "legal_form": "none",
                "contact_email": "buren@a.example", "municipality_id": a.municipality_id}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let network_id = created.json()["id"].as_str().unwrap().to_owned();
    let members = format!("/api/v1/networks/{network_id}/members");
    let me = app.get_as(&a.officer, "/api/v1/me").await.json();
    assert!(
        me["networks"].as_array().unwrap().iter().all(|n| n["network_id"] != network_id.as_str()),
        "registering a network gives the officer no role in it"
    );

    // Only the coordinator role, and nothing else about the network's people.
    app.post_as(&a.officer, &members, json!({"email": "lid@buren.example", "name": "Lid", "role": "member"}))
        .await
        .assert_problem(403, "forbidden");
    let mut invitations = Vec::new();
    for email in ["eerste@buren.example", "tweede@buren.example"] {
        let invited = app
            .post_as(&a.officer, &members, json!({"email": email, "name": "Buur", "role": "coordinator"}))
            .await;
        assert_eq!(invited.status, 201, "{}", invited.text());
        invitations.push(invited.json()["id"].as_str().unwrap().to_owned());
    }
    let first = app.invitation_path(&invitations[0]).await;
    let second = app.invitation_path(&invitations[1]).await;
    let joined = app.post_json(&first, &json!({"password": "een lang wachtwoord"})).await;
    assert_eq!(joined.status, 200, "{}", joined.text());
    assert_eq!(joined.json()["role"], "coordinator");

    // Now the network has a coordinator: the officer invites no second one, and the invitation
    // still open from before no longer holds.
    app.post_as(
        &a.officer,
        &members,
        json!({"email": "derde@buren.example", "name": "Derde", "role": "coordinator"}),
    )
    .await
    .assert_problem(403, "forbidden");
    app.post_as(&a.officer, &members, json!({"email": a.officer.email, "name": "Ik", "role": "coordinator"}))
        .await
        .assert_problem(403, "forbidden");
    app.post_json(&second, &json!({"password": "een lang wachtwoord"}))
        .await
        .assert_problem(410, "invitation_expired");
    let listed = app.get_as(&a.officer, &members).await.json();
    let emails: Vec<&str> =
        listed["items"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["eerste@buren.example"]);

    // From here the coordinator runs the network's people.
    let coordinator = crate::helpers::User {
        id: String::new(),
        email: "eerste@buren.example".into(),
        token: {
            let reply = app
                .post_json(
                    "/api/v1/auth/login",
                    &json!({"email": "eerste@buren.example", "password": "een lang wachtwoord"}),
                )
                .await;
            reply.json()["access_token"].as_str().unwrap().to_owned()
        },
    };
    let treasurer = app.join(&coordinator, &members, "penning@buren.example", "treasurer").await;
    app.call(
        &a.officer,
        Method::PATCH,
        &format!("{members}/{}", treasurer.id),
        Some(json!({"role": "coordinator"})),
    )
    .await
    .assert_problem(403, "forbidden");
    let second_coordinator = app.join(&coordinator, &members, "tweede@buren.example", "coordinator").await;
    assert!(!second_coordinator.id.is_empty());
}

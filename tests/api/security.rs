//! Attacks replayed, on SQLite and PostgreSQL: each once worked and must keep failing.
//! Planted accounts (an invitation or a password that reaches someone other than the owner of
//! the email address) and a municipality taking over a network it shares with another.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::tenant;
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    an_officer_of_a_second_municipality_cannot_take_over_a_shared_network,
    an_officer_invites_only_the_first_coordinator_of_a_network,
);

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
    assert_eq!(
        roles.len(),
        3,
        "coordinator, treasurer and member only: {roles:?}"
    );
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
    let invited =
        app.post_as(&a.coordinator, &members, json!({"email": "nieuw@a.example", "name": "Nieuw", "role": "member"}))
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
        let invited =
            app.post_as(&a.officer, &members, json!({"email": email, "name": "Buur", "role": "coordinator"})).await;
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
    app.call(&a.officer, Method::PATCH, &format!("{members}/{}", treasurer.id), Some(json!({"role": "coordinator"})))
        .await
        .assert_problem(403, "forbidden");
    let second_coordinator = app.join(&coordinator, &members, "tweede@buren.example", "coordinator").await;
    assert!(!second_coordinator.id.is_empty());
}

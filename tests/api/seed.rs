//! `pactum seed` (the load benchmark's data): the counts it promises, a database Pactum serves
//! as its own (a coordinator sees their network's grants, an officer approves, finance pays)
//! and books that balance.

use diesel::prelude::*;
use serde_json::json;

use pactum::db::schema::{
    grants, municipality_memberships, municipality_networks, network_memberships, networks, users,
};
use pactum::seed::{self, Plan};

use crate::helpers::{TestApp, User};
use crate::on_both_backends;

on_both_backends!(seeded_database_is_valid_and_served);

async fn sign_in(app: &TestApp, email: &str) -> User {
    let reply =
        app.post_json("/api/v1/auth/login", &json!({"email": email, "password": seed::PASSWORD})).await;
    assert_eq!(reply.status, 200, "login {email}: {}", reply.text());
    User {
        id: String::new(),
        email: email.to_owned(),
        token: reply.json()["access_token"].as_str().unwrap().to_owned(),
    }
}

async fn count(app: &TestApp, query: fn(&mut pactum::db::DbConnection) -> QueryResult<i64>) -> i64 {
    app.state.db.run(move |conn| Ok(query(conn)?)).await.unwrap()
}

async fn seeded_database_is_valid_and_served(app: TestApp) {
    let seeded = app.state.db.run(|conn| seed::run(conn, Plan::new(450, Some(30)))).await.unwrap();
    assert_eq!((seeded.grants, seeded.networks, seeded.open_deadlines), (450, 4, 30));
    assert_eq!(seeded.by_status.iter().sum::<usize>(), 450);
    assert_eq!(count(&app, |c| grants::table.count().get_result(c)).await, 450);
    assert_eq!(count(&app, |c| networks::table.count().get_result(c)).await, 4);
    assert_eq!(count(&app, |c| users::table.count().get_result(c)).await, 3 + 4);
    assert_eq!(count(&app, |c| municipality_memberships::table.count().get_result(c)).await, 3);
    assert_eq!(
        count(&app, |c| network_memberships::table
            .filter(network_memberships::role.eq("coordinator"))
            .count()
            .get_result(c))
        .await,
        4
    );
    assert_eq!(
        count(&app, |c| municipality_networks::table
            .filter(municipality_networks::status.eq("active"))
            .count()
            .get_result(c))
        .await,
        4,
        "every network works with the municipality"
    );
    assert_eq!(
        count(&app, |c| grants::table.filter(grants::decision_due_on.is_not_null()).count().get_result(c))
            .await,
        30
    );
    assert_eq!(
        count(&app, |c| grants::table
            .filter(grants::status.eq_any(["submitted", "in_review"]))
            .filter(grants::decision_due_on.is_not_null())
            .count()
            .get_result(c))
        .await,
        30,
        "open deadlines are on undecided applications"
    );
    let mut statuses: Vec<String> =
        app.state.db.run(|c| Ok(grants::table.select(grants::status).distinct().load(c)?)).await.unwrap();
    statuses.sort();
    assert_eq!(statuses, ["draft", "in_review", "rejected", "submitted", "withdrawn"]);

    // The first network's coordinator sees exactly their network's grants.
    let coordinator = sign_in(&app, &seed::coordinator_email(1)).await;
    let page = app.get_as(&coordinator, "/api/v1/grants?limit=200").await;
    assert_eq!(page.status, 200, "{}", page.text());
    let items = page.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 113, "grants 1, 5, 9 ... 449 are network 1's");
    let network_id = items[0]["network_id"].as_str().unwrap().to_owned();
    assert!(items.iter().all(|g| g["network_id"] == network_id.as_str()));
    let in_review =
        items.iter().find(|g| g["status"] == "in_review").unwrap()["id"].as_str().unwrap().to_owned();
    let one = app.get_as(&coordinator, &format!("/api/v1/grants/{in_review}")).await;
    assert_eq!(one.status, 200, "{}", one.text());
    let by_status = app.get_as(&coordinator, "/api/v1/grants?status=submitted&limit=50").await;
    assert_eq!(by_status.status, 200);
    assert!(by_status.json()["items"].as_array().unwrap().iter().all(|g| g["status"] == "submitted"));

    // An officer approves one application (no four eyes below the threshold) and finance pays
    // the tranche the approval scheduled; the books still balance.
    let officer = sign_in(&app, seed::OFFICER).await;
    let approved = app.post_as(&officer, &format!("/api/v1/grants/{in_review}/approve"), json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text());
    assert_eq!(approved.json()["status"], "approved");
    let finance = sign_in(&app, seed::FINANCE).await;
    let tranches = app.get_as(&finance, &format!("/api/v1/grants/{in_review}/tranches")).await;
    let tranche = tranches.json()["items"][0]["id"].as_str().unwrap().to_owned();
    let paid = app.post_as(&finance, &format!("/api/v1/tranches/{tranche}/pay"), json!({})).await;
    assert_eq!(paid.status, 200, "{}", paid.text());
    let problems = app.state.db.run(|c| Ok(pactum::ledger::verify(c)?)).await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");

    // Seeding twice is refused.
    let again = app.state.db.run(|conn| seed::run(conn, Plan::new(10, None))).await;
    assert!(again.is_err(), "a seeded database is not seeded again");
}

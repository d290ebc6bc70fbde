//! Signing in, token rotation and rejection, logout, rate limits and `/me`.

use actix_web::http::Method;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{TestApp, User, PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    login_me_refresh_and_logout,
    reusing_a_rotated_refresh_token_ends_the_session,
    unknown_email_and_wrong_password_look_the_same,
    login_is_rate_limited_per_account,
    every_bad_token_is_refused_with_a_bearer_challenge,
    me_can_change_name_and_language_but_not_privileges,
);

const TEST_SECRET: &str = "test-secret-that-is-long-enough-for-hs256";

async fn login_me_refresh_and_logout(app: TestApp) {
    let anna = app.signed_in("anna@gemeente.example", "Anna", false).await;
    let me = app.get_as(&anna, "/api/v1/me").await;
    assert_eq!(me.status, 200, "{}", me.text());
    let body = me.json();
    assert_eq!(body["email"], "anna@gemeente.example");
    assert_eq!(body["municipalities"], json!([]));
    assert!(body.get("password_hash").is_none());

    let tokens = app.login("ANNA@gemeente.example").await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert!(refresh.starts_with("prt_"));

    let rotated = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": refresh})).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    let rotated = rotated.json();
    assert_ne!(rotated["refresh_token"], tokens["refresh_token"]);
    let user = User { token: rotated["access_token"].as_str().unwrap().into(), ..anna.clone() };
    assert_eq!(app.get_as(&user, "/api/v1/me").await.status, 200);

    let logout =
        app.post_json("/api/v1/auth/logout", &json!({"refresh_token": rotated["refresh_token"]})).await;
    assert_eq!(logout.status, 204);
    app.get_as(&user, "/api/v1/me").await.assert_problem(401, "unauthenticated");
    let again =
        app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": rotated["refresh_token"]})).await;
    again.assert_problem(401, "unauthenticated");
    // The other sign-in is untouched.
    assert_eq!(app.get_as(&anna, "/api/v1/me").await.status, 200);
}

async fn reusing_a_rotated_refresh_token_ends_the_session(app: TestApp) {
    app.create_user("bram@netwerk.example", "Bram", false).await;
    let first = app.login("bram@netwerk.example").await;
    let second =
        app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": first["refresh_token"]})).await.json();
    // The first token comes back: someone copied it.
    let reuse =
        app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": first["refresh_token"]})).await;
    reuse.assert_problem(401, "unauthenticated");
    // The whole session is over: the newest refresh token and its access token stop working.
    let newest =
        app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": second["refresh_token"]})).await;
    newest.assert_problem(401, "unauthenticated");
    let user = User {
        id: String::new(),
        email: String::new(),
        token: second["access_token"].as_str().unwrap().into(),
    };
    app.get_as(&user, "/api/v1/me").await.assert_problem(401, "unauthenticated");
    let unknown = app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": "prt_made_up"})).await;
    unknown.assert_problem(401, "unauthenticated");
}

async fn unknown_email_and_wrong_password_look_the_same(app: TestApp) {
    app.create_user("carla@gemeente.example", "Carla", false).await;
    let wrong = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "carla@gemeente.example", "password": "wrong password!"}),
        )
        .await;
    let unknown = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "nobody@gemeente.example", "password": "wrong password!"}),
        )
        .await;
    let (a, b) =
        (wrong.assert_problem(401, "unauthenticated"), unknown.assert_problem(401, "unauthenticated"));
    assert_eq!(a["detail"], b["detail"]);
    assert_eq!(wrong.header("www-authenticate"), unknown.header("www-authenticate"));
}

async fn login_is_rate_limited_per_account(app: TestApp) {
    app.create_user("dirk@gemeente.example", "Dirk", false).await;
    let limit = app.state.settings.login_attempts_per_account;
    for _ in 0..limit {
        let reply = app
            .post_json(
                "/api/v1/auth/login",
                &json!({"email": "dirk@gemeente.example", "password": "guess guess guess"}),
            )
            .await;
        assert_eq!(reply.status, 401);
    }
    let blocked = app
        .post_json("/api/v1/auth/login", &json!({"email": "dirk@gemeente.example", "password": PASSWORD}))
        .await;
    blocked.assert_problem(429, "rate_limited");
    let wait: u64 = blocked.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!(wait > 0 && wait <= 15 * 60, "{wait}");
    // Another account from the same address is not blocked by Dirk's failures.
    app.create_user("eva@gemeente.example", "Eva", false).await;
    app.login("eva@gemeente.example").await;
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn sign(algorithm: Algorithm, secret: &str, claims: &Value) -> String {
    encode(&Header::new(algorithm), claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

async fn every_bad_token_is_refused_with_a_bearer_challenge(app: TestApp) {
    let fien = app.signed_in("fien@gemeente.example", "Fien", false).await;
    let good = claims_of(&fien.token);
    let now = chrono::Utc::now().timestamp();
    let with = |field: &str, value: Value| {
        let mut claims = good.clone();
        claims[field] = value;
        claims
    };
    let without = |field: &str| {
        let mut claims = good.clone();
        claims.as_object_mut().unwrap().remove(field);
        claims
    };
    // Control: a token we sign ourselves with the right key and claims works.
    let control = sign(Algorithm::HS256, TEST_SECRET, &good);
    let control_user = User { token: control, ..fien.clone() };
    assert_eq!(app.get_as(&control_user, "/api/v1/me").await.status, 200);

    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(good.to_string())
    );
    let cases = [
        ("alg none", unsigned),
        ("another algorithm", sign(Algorithm::HS512, TEST_SECRET, &good)),
        ("a bad signature", sign(Algorithm::HS256, "another-secret-that-is-long-enough-too", &good)),
        ("expired beyond leeway", sign(Algorithm::HS256, TEST_SECRET, &with("exp", json!(now - 60)))),
        ("nbf in the future", sign(Algorithm::HS256, TEST_SECRET, &with("nbf", json!(now + 120)))),
        ("wrong iss", sign(Algorithm::HS256, TEST_SECRET, &with("iss", json!("https://evil.example")))),
        ("wrong aud", sign(Algorithm::HS256, TEST_SECRET, &with("aud", json!("another-api")))),
        (
            "exp as a string",
            sign(Algorithm::HS256, TEST_SECRET, &with("exp", json!((now + 600).to_string()))),
        ),
        ("missing sub", sign(Algorithm::HS256, TEST_SECRET, &without("sub"))),
        ("missing iat", sign(Algorithm::HS256, TEST_SECRET, &without("iat"))),
        ("not a JWT", "garbage".to_owned()),
    ];
    for (case, token) in cases {
        let user = User { token, ..fien.clone() };
        let reply = app.get_as(&user, "/api/v1/me").await;
        assert_eq!(reply.status, 401, "{case}: {}", reply.text());
        reply.assert_problem(401, "unauthenticated");
        assert!(reply.header("www-authenticate").unwrap().starts_with("Bearer"), "{case}");
    }
    let no_header = app.get("/api/v1/me").await;
    no_header.assert_problem(401, "unauthenticated");
    assert!(no_header.header("www-authenticate").unwrap().starts_with("Bearer"));
}

async fn me_can_change_name_and_language_but_not_privileges(app: TestApp) {
    let gijs = app.signed_in("gijs@gemeente.example", "Gijs", false).await;
    let changed = app
        .call(&gijs, Method::PATCH, "/api/v1/me", Some(json!({"name": "Gijs Bakker", "locale": "en"})))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(changed.json()["locale"], "en");
    let sneaky = app
        .call(&gijs, Method::PATCH, "/api/v1/me", Some(json!({"name": "X", "is_platform_admin": true})))
        .await;
    let body = sneaky.assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "is_platform_admin");
    let me = app.get_as(&gijs, "/api/v1/me").await.json();
    assert_eq!(me["is_platform_admin"], false);
    assert_eq!(me["name"], "Gijs Bakker", "nothing changed by the refused request");
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let trail = app
        .get_as(&root, &format!("/api/v1/audit-events?entity_type=user&entity_id={}", gijs.id))
        .await
        .json();
    assert_eq!(trail["items"][0]["changes"]["name"], json!({"before": "Gijs", "after": "Gijs Bakker"}));
    assert_eq!(trail["items"].as_array().unwrap().len(), 1, "the refused change left no event");
    let bad_locale = app.call(&gijs, Method::PATCH, "/api/v1/me", Some(json!({"locale": "fr"}))).await;
    bad_locale.assert_problem(422, "validation_failed");
}

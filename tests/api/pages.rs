//! The account pages in a real browser: sign in and out, in Dutch, English and Arabic, usable
//! without JavaScript, accessible (axe-core, WCAG 2.1 A and AA) at desktop width and at 320 px.

use actix_web::http::Method;
use serde_json::json;

use crate::browser::Browser;
use crate::helpers::{TestApp, PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    the_sign_in_page_speaks_three_languages_and_passes_axe,
    a_volunteer_signs_in_and_out_without_javascript,
    forms_without_the_csrf_token_are_refused_and_cookies_are_locked_down,
    a_password_change_ends_the_browser_session,
    a_forgotten_password_is_replaced_through_the_emailed_link,
    an_invited_volunteer_opens_the_emailed_link_and_joins,
    a_network_contact_address_is_confirmed_on_a_page,
    a_password_is_changed_on_a_page_and_other_sessions_end,
    a_chosen_language_follows_the_person_to_another_browser,
    a_volunteer_signs_in_with_the_keyboard_alone,
);

/// The page an email links to, on this test server (the tests' public address has no port).
fn page_in(app: &TestApp, text: &str, prefix: &str) -> String {
    let link = text
        .split_whitespace()
        .find(|w| w.contains(prefix) && !w.contains("/api/"))
        .unwrap_or_else(|| panic!("a link to {prefix} in {text}"));
    app.url(link.strip_prefix(&app.state.settings.public_url).expect("a link to Pactum"))
}

async fn the_sign_in_page_speaks_three_languages_and_passes_axe(app: TestApp) {
    let Some(browser) = Browser::start(true).await else { return };
    // The checker itself finds what it should: a page without a language and an image without
    // a text alternative.
    browser.open("data:text/html,<html><body><img src='x.png'></body></html>").await;
    let found = browser.accessibility_violations().await;
    assert!(
        found.iter().any(|v| v.starts_with("image-alt"))
            && found.iter().any(|v| v.starts_with("html-has-lang")),
        "{found:?}"
    );
    for (lang, dir, heading) in
        [("nl", "ltr", "Inloggen"), ("en", "ltr", "Sign in"), ("ar", "rtl", "تسجيل الدخول")]
    {
        browser.open(&app.url(&format!("/sign-in?lang={lang}"))).await;
        assert_eq!(browser.attribute("html", "lang").await.as_deref(), Some(lang));
        assert_eq!(browser.attribute("html", "dir").await.as_deref(), Some(dir));
        assert!(browser.text().await.contains(heading), "{lang}: {}", browser.text().await);
        browser.assert_accessible().await;
    }
    // The language chosen stays chosen.
    browser.open(&app.url("/sign-in")).await;
    assert_eq!(browser.attribute("html", "lang").await.as_deref(), Some("ar"));
    // A wrong password: the message next to the field and in the summary at the top.
    browser.open(&app.url("/sign-in?lang=nl")).await;
    browser.fill("E-mailadres", "niemand@example.nl").await;
    browser.fill("Wachtwoord", "fout fout fout").await;
    browser.press("Inloggen").await;
    let text = browser.text().await;
    assert_eq!(text.matches("horen niet bij elkaar").count(), 2, "{text}");
    assert_eq!(browser.attribute("#email", "aria-invalid").await.as_deref(), Some("true"));
    assert_eq!(browser.attribute("#email", "value").await.as_deref(), Some("niemand@example.nl"), "kept");
    browser.assert_accessible().await;
    browser.close().await;
}

async fn a_volunteer_signs_in_and_out_without_javascript(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let t = crate::fixtures::tenant(&app, &root, "a").await;
    let Some(browser) = Browser::start(false).await else { return };
    browser.open(&app.url("/")).await;
    assert_eq!(browser.path().await, "/sign-in", "someone not signed in is sent to sign in");
    browser.open(&app.url("/sign-in?lang=nl")).await;
    browser.fill("E-mailadres", &t.treasurer.email).await;
    browser.fill("Wachtwoord", PASSWORD).await;
    browser.press("Inloggen").await;
    assert_eq!(browser.path().await, "/");
    let home = browser.text().await;
    assert!(home.contains(&format!("Hallo {}", t.treasurer.email)), "{home}");
    assert!(home.contains("penningmeester"), "the role in words: {home}");
    browser.press("Uitloggen").await;
    assert_eq!(browser.path().await, "/sign-in?signed_out=1");
    assert!(browser.text().await.contains("Je bent uitgelogd."));
    browser.open(&app.url("/")).await;
    assert_eq!(browser.path().await, "/sign-in", "the session ended");
    browser.close().await;

    // The home page passes axe too (axe needs JavaScript; the page itself does not).
    let Some(browser) = Browser::start(true).await else { return };
    browser.open(&app.url("/sign-in?lang=nl")).await;
    browser.fill("E-mailadres", &t.treasurer.email).await;
    browser.fill("Wachtwoord", PASSWORD).await;
    browser.press("Inloggen").await;
    assert_eq!(browser.path().await, "/");
    browser.assert_accessible().await;
    browser.close().await;
}

/// Sends a form as a browser would, with these cookies.
async fn post_form(app: &TestApp, path: &str, cookies: &str, form: &str) -> crate::helpers::Reply {
    let request = app
        .request(Method::POST, path)
        .insert_header(("Cookie", cookies.to_owned()))
        .content_type("application/x-www-form-urlencoded");
    app.send(request, Some(form.to_owned().into())).await
}

fn set_cookie(reply: &crate::helpers::Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned()
}

async fn forms_without_the_csrf_token_are_refused_and_cookies_are_locked_down(app: TestApp) {
    app.create_user("kees@taalmaatjes.example", "Kees", false).await;
    let page = app.get("/sign-in").await;
    assert_eq!(page.status, 200);
    let csrf = set_cookie(&page, "pactum_csrf").expect("a CSRF cookie");
    assert!(csrf.contains("HttpOnly") && csrf.contains("SameSite=Lax") && csrf.contains("Path=/"), "{csrf}");
    let token = cookie_value(&csrf);
    let credentials = format!("email=kees%40taalmaatjes.example&password={}", PASSWORD.replace(' ', "+"));

    // Another site posting the form: no token, a wrong one, or a token without its cookie.
    for (cookies, form) in [
        (String::new(), credentials.clone()),
        (
            format!("pactum_csrf={token}"),
            format!("csrf=wrong-token-of-enough-length-123456789&{credentials}"),
        ),
        (String::new(), format!("csrf={token}&{credentials}")),
    ] {
        let refused = post_form(&app, "/sign-in", &cookies, &form).await;
        assert_eq!(refused.status, 403, "{}", refused.text());
        assert!(set_cookie(&refused, "pactum_session").is_none(), "no session for a forged form");
    }

    let signed_in =
        post_form(&app, "/sign-in", &format!("pactum_csrf={token}"), &format!("csrf={token}&{credentials}"))
            .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text());
    let session = set_cookie(&signed_in, "pactum_session").expect("a session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"), "{session}");
    assert!(!session.contains("Secure"), "plain HTTP in development; Secure everywhere else");
    let session_value = cookie_value(&session);
    // Only its hash is kept.
    let stored: Vec<String> = app
        .state
        .db
        .run(|conn| {
            use diesel::prelude::*;
            Ok(pactum::db::schema::web_sessions::table
                .select(pactum::db::schema::web_sessions::token_hash)
                .load(conn)?)
        })
        .await
        .unwrap();
    assert_eq!(stored, vec![pactum::auth::secrets::hash(&session_value)]);

    // Signing out needs the token too.
    let cookies = format!("pactum_csrf={token}; pactum_session={session_value}");
    assert_eq!(post_form(&app, "/sign-out", &cookies, "").await.status, 403);
    let home = app.send(app.request(Method::GET, "/").insert_header(("Cookie", cookies.clone())), None).await;
    assert_eq!(home.status, 200, "still signed in after the forged sign-out");
    assert_eq!(post_form(&app, "/sign-out", &cookies, &format!("csrf={token}")).await.status, 303);
    let home = app.send(app.request(Method::GET, "/").insert_header(("Cookie", cookies)), None).await;
    assert_eq!(home.status, 303, "signed out");
}

async fn a_password_change_ends_the_browser_session(app: TestApp) {
    let user = app.signed_in("kees@taalmaatjes.example", "Kees", false).await;
    let page = app.get("/sign-in").await;
    let token = cookie_value(&set_cookie(&page, "pactum_csrf").unwrap());
    let credentials =
        format!("csrf={token}&email=kees%40taalmaatjes.example&password={}", PASSWORD.replace(' ', "+"));
    let signed_in = post_form(&app, "/sign-in", &format!("pactum_csrf={token}"), &credentials).await;
    let session = cookie_value(&set_cookie(&signed_in, "pactum_session").unwrap());
    let cookies = format!("pactum_session={session}");
    let home = app.send(app.request(Method::GET, "/").insert_header(("Cookie", cookies.clone())), None).await;
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(home.text().contains("Hallo Kees"), "{}", home.text());

    let changed = app
        .post_as(
            &user,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "een nieuw lang wachtwoord"}),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.text());
    let home = app.send(app.request(Method::GET, "/").insert_header(("Cookie", cookies)), None).await;
    assert_eq!(home.status, 303, "the browser's session ended with the password change");
}

async fn a_forgotten_password_is_replaced_through_the_emailed_link(app: TestApp) {
    app.create_user("kees@taalmaatjes.example", "Kees", false).await;
    let Some(browser) = Browser::start(true).await else { return };
    browser.open(&app.url("/sign-in?lang=nl")).await;
    browser.follow("Wachtwoord vergeten?").await;
    assert_eq!(browser.path().await, "/password-reset");
    browser.assert_accessible().await;
    browser.fill("E-mailadres", "kees@taalmaatjes.example").await;
    browser.press("Stuur de link").await;
    assert_eq!(browser.path().await, "/password-reset/sent");
    assert!(browser.text().await.contains("Kijk in je e-mail"));
    browser.assert_accessible().await;

    let emails = app.emails_to("kees@taalmaatjes.example").await;
    let email = emails.iter().find(|m| m.kind == "password_reset").expect("the reset email");
    let link = email
        .text
        .split_whitespace()
        .find(|w| w.contains("/password-reset/pwr_") && !w.contains("/api/"))
        .expect("a link")
        .to_owned();
    // The tests' public address names no port; the path is what matters.
    let path = link.strip_prefix(&app.state.settings.public_url).expect("a link to Pactum");
    let link = app.url(path);
    browser.open(&link).await;
    browser.assert_accessible().await;
    browser.fill("Nieuw wachtwoord", "kort").await;
    browser.press("Wachtwoord opslaan").await;
    assert!(browser.text().await.contains("minstens 12 tekens"), "{}", browser.text().await);
    assert_eq!(browser.attribute("#password", "aria-invalid").await.as_deref(), Some("true"));
    browser.fill("Nieuw wachtwoord", "een heel nieuw wachtwoord").await;
    browser.press("Wachtwoord opslaan").await;
    assert!(browser.text().await.contains("Je wachtwoord is veranderd"), "{}", browser.text().await);
    browser.assert_accessible().await;

    // The link works once.
    browser.open(&link).await;
    browser.fill("Nieuw wachtwoord", "nog een ander wachtwoord").await;
    browser.press("Wachtwoord opslaan").await;
    assert!(browser.text().await.contains("werkt niet meer"), "{}", browser.text().await);

    browser.follow("Wachtwoord vergeten").await;
    browser.open(&app.url("/sign-in")).await;
    browser.fill("E-mailadres", "kees@taalmaatjes.example").await;
    browser.fill("Wachtwoord", "een heel nieuw wachtwoord").await;
    browser.press("Inloggen").await;
    assert_eq!(browser.path().await, "/");
    browser.close().await;
    let old = app
        .post_json("/api/v1/auth/login", &json!({"email": "kees@taalmaatjes.example", "password": PASSWORD}))
        .await;
    assert_eq!(old.status, 401, "the old password no longer works");
}

async fn an_invited_volunteer_opens_the_emailed_link_and_joins(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let t = crate::fixtures::tenant(&app, &root, "a").await;
    let members = format!("/api/v1/networks/{}/members", t.network_id);
    let invited = app
        .post_as(
            &t.coordinator,
            &members,
            json!({"email": "fatima@buurt.example", "name": "Fatima", "role": "treasurer"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text());
    let email = app.email(&format!("invitation:{}", invited.json()["id"].as_str().unwrap())).await;
    let link = page_in(&app, &email.text, "/invitations/inv_");

    let Some(browser) = Browser::start(true).await else { return };
    browser.open(&format!("{link}?lang=nl")).await;
    assert!(browser.text().await.contains("als penningmeester"), "{}", browser.text().await);
    browser.assert_accessible().await;
    browser.fill("Kies een wachtwoord (minstens 12 tekens)", "een lang wachtwoord voor fatima").await;
    browser.press("Uitnodiging aannemen").await;
    assert!(browser.text().await.contains("Geef aan dat je de privacyverklaring hebt gelezen."));
    assert_eq!(browser.attribute("#name", "value").await.as_deref(), Some("Fatima"), "kept");
    browser.assert_accessible().await;
    browser.fill("Kies een wachtwoord (minstens 12 tekens)", "een lang wachtwoord voor fatima").await;
    browser.tick("Ik heb de privacyverklaring gelezen en ga akkoord.").await;
    browser.press("Uitnodiging aannemen").await;
    assert_eq!(browser.path().await, "/", "signed in at once");
    let home = browser.text().await;
    assert!(home.contains("Hallo Fatima") && home.contains("penningmeester"), "{home}");
    browser.close().await;
    let network = app.get_as(&t.coordinator, &members).await.json();
    assert!(network.to_string().contains("fatima@buurt.example"), "{network}");

    // Someone who has an account signs in first, and is brought back to the invitation.
    let invited = app
        .post_as(
            &t.coordinator,
            &members,
            json!({"email": t.officer.email, "name": "Officer", "role": "member"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text());
    let email = app.email(&format!("invitation:{}", invited.json()["id"].as_str().unwrap())).await;
    let link = page_in(&app, &email.text, "/invitations/inv_");
    let Some(browser) = Browser::start(false).await else { return };
    browser.open(&format!("{link}?lang=nl")).await;
    assert!(browser.text().await.contains("Log eerst in"), "{}", browser.text().await);
    browser.follow("Inloggen").await;
    browser.fill("E-mailadres", &t.officer.email).await;
    browser.fill("Wachtwoord", PASSWORD).await;
    browser.press("Inloggen").await;
    assert!(browser.path().await.starts_with("/invitations/inv_"), "{}", browser.path().await);
    browser.press("Uitnodiging aannemen").await;
    assert_eq!(browser.path().await, "/");
    assert!(browser.text().await.contains("lid"), "{}", browser.text().await);
    browser.close().await;
    let login =
        app.post_json("/api/v1/auth/login", &json!({"email": t.officer.email, "password": PASSWORD})).await;
    assert_eq!(login.status, 200, "the password stayed as it was");
}

async fn a_network_contact_address_is_confirmed_on_a_page(app: TestApp) {
    let volunteer = app.signed_in("kees@taalmaatjes.example", "Kees", false).await;
    let created = app
        .post_as(
            &volunteer,
            "/api/v1/networks",
            json!({"name": "Taalmaatjes", "kind": "volunteer_initiative",
            "legal_form": "none", "contact_email": "post@taalmaatjes.example"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let emails = app.emails_to("post@taalmaatjes.example").await;
    let link = page_in(&app, &emails[0].text, "/contact-confirmations/ncf_");
    let Some(browser) = Browser::start(true).await else { return };
    browser.open(&format!("{link}?lang=nl")).await;
    assert!(browser.text().await.contains("Taalmaatjes"));
    browser.assert_accessible().await;
    let network = app.get_as(&volunteer, &format!("/api/v1/networks/{id}")).await.json();
    assert_eq!(network["contact_email_confirmed"], false, "opening the link confirms nothing");
    browser.press("Adres bevestigen").await;
    assert!(browser.text().await.contains("Adres bevestigd"), "{}", browser.text().await);
    browser.assert_accessible().await;
    let network = app.get_as(&volunteer, &format!("/api/v1/networks/{id}")).await.json();
    assert_eq!(network["contact_email_confirmed"], true);
    browser.open(&link).await;
    assert!(browser.text().await.contains("werkt niet meer"), "used once: {}", browser.text().await);
    browser.close().await;
}

async fn a_password_is_changed_on_a_page_and_other_sessions_end(app: TestApp) {
    let elsewhere = app.signed_in("kees@taalmaatjes.example", "Kees", false).await;
    let Some(browser) = Browser::start(true).await else { return };
    browser.open(&app.url("/sign-in?lang=nl")).await;
    browser.fill("E-mailadres", "kees@taalmaatjes.example").await;
    browser.fill("Wachtwoord", PASSWORD).await;
    browser.press("Inloggen").await;
    browser.follow("Wachtwoord wijzigen").await;
    assert_eq!(browser.path().await, "/account/password");
    browser.assert_accessible().await;
    browser.fill("Huidig wachtwoord", "niet mijn wachtwoord").await;
    browser.fill("Nieuw wachtwoord", "een heel nieuw wachtwoord").await;
    browser.press("Wachtwoord wijzigen").await;
    assert!(browser.text().await.contains("Je huidige wachtwoord klopt niet."), "{}", browser.text().await);
    browser.fill("Huidig wachtwoord", PASSWORD).await;
    browser.fill("Nieuw wachtwoord", "een heel nieuw wachtwoord").await;
    browser.press("Wachtwoord wijzigen").await;
    assert!(
        browser.text().await.contains("Op andere apparaten ben je uitgelogd."),
        "{}",
        browser.text().await
    );
    browser.follow("Naar Mijn Pactum").await;
    assert_eq!(browser.path().await, "/", "this browser stays signed in");
    browser.close().await;
    app.get_as(&elsewhere, "/api/v1/me").await.assert_problem(401, "unauthenticated");
    let new = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"email": "kees@taalmaatjes.example", "password": "een heel nieuw wachtwoord"}),
        )
        .await;
    assert_eq!(new.status, 200);
}

async fn a_chosen_language_follows_the_person_to_another_browser(app: TestApp) {
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let t = crate::fixtures::tenant(&app, &root, "a").await;
    let locale =
        |reply: crate::helpers::Reply| reply.json()["locale"].as_str().unwrap_or_default().to_owned();
    let Some(browser) = Browser::start(false).await else { return };
    crate::pages_grants::sign_in(&browser, &app, &t.treasurer.email).await;
    browser.follow("العربية").await;
    assert_eq!(browser.attribute("html", "dir").await.as_deref(), Some("rtl"));
    browser.close().await;
    assert_eq!(
        locale(app.get_as(&t.treasurer, "/api/v1/me").await),
        "nl",
        "emails stay Dutch: none in Arabic"
    );

    // Another browser (another phone): signed in, Pactum speaks Arabic at once.
    let Some(browser) = Browser::start(false).await else { return };
    crate::pages_grants::sign_in(&browser, &app, &t.treasurer.email).await;
    assert_eq!(browser.attribute("html", "lang").await.as_deref(), Some("ar"));
    assert_eq!(browser.attribute("html", "dir").await.as_deref(), Some("rtl"));
    browser.follow("English").await;
    assert_eq!(browser.attribute("html", "lang").await.as_deref(), Some("en"));
    browser.close().await;
    assert_eq!(locale(app.get_as(&t.treasurer, "/api/v1/me").await), "en", "emails follow into English");
}

async fn a_volunteer_signs_in_with_the_keyboard_alone(app: TestApp) {
    use fantoccini::key::Key;
    let root = app.signed_in("root@platform.example", "Root", true).await;
    let t = crate::fixtures::tenant(&app, &root, "a").await;
    let Some(browser) = Browser::start(true).await else { return };
    browser.open(&app.url("/sign-in?lang=nl")).await;
    // The first Tab shows the skip link, with a visible focus.
    browser.keys(&Key::Tab.to_string()).await;
    let (_, text, visible) = browser.focus().await;
    assert_eq!((text.as_str(), visible), ("Naar de inhoud", true));
    // On through the page to the email field; every stop shows where the focus is.
    let mut stops = 0;
    while browser.focus().await.0 != "email" {
        browser.keys(&Key::Tab.to_string()).await;
        let (id, text, visible) = browser.focus().await;
        assert!(visible, "the focus on {id} {text} is visible");
        stops += 1;
        assert!(stops < 10, "the email field is reachable by Tab");
    }
    browser.keys(&t.treasurer.email).await;
    browser.keys(&Key::Tab.to_string()).await;
    assert_eq!(browser.focus().await.0, "password");
    browser.keys(&format!("{PASSWORD}{}", Key::Enter)).await;
    browser.wait_for_path("/").await;
    assert!(browser.text().await.contains("Wat moet er gebeuren"), "{}", browser.text().await);
    browser.close().await;
}

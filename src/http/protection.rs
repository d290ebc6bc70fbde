//! Headers that keep a browser from doing more with a response than showing it: no content
//! sniffing, no referrer leaving Pactum, never framed, and on HTML a policy that runs no inline
//! or foreign script. Also keeps secrets in URLs (invitation, password reset and calendar
//! tokens) out of the logs.

use actix_web::http::header::{
    HeaderMap, HeaderValue, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};

/// For pages: scripts, styles and images from Pactum itself only. Inline styles are allowed (a
/// printable document carries its own); inline scripts are not.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// For everything else (JSON, CSV, XML, receipts): nothing runs, nothing loads.
const DATA_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Stamps the protective headers on a response.
pub fn protect(headers: &mut HeaderMap) {
    let html = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let policy = if html { PAGE_POLICY } else { DATA_POLICY };
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// The path as it may be logged: a segment shaped like a Pactum token (`inv_`, `pwr_`, `cal_`
/// ... and 40 or more URL-safe characters) is replaced by `{token}`.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.split('/').any(is_token) {
        return path.into();
    }
    path.split('/')
        .map(|segment| if is_token(segment) { "{token}" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
        .into()
}

fn is_token(segment: &str) -> bool {
    let Some((prefix, secret)) = segment.split_once('_') else { return false };
    (2..=6).contains(&prefix.len())
        && prefix.bytes().all(|b| b.is_ascii_lowercase())
        && secret.len() >= 40
        && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A token as the app makes them: a short prefix and 256 random bits, URL-safe base64.
    fn new_token(prefix: &str) -> String {
        use base64::Engine;
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    #[test]
    fn tokens_leave_the_path_before_it_is_logged() {
        let token = new_token("inv_");
        assert_eq!(
            loggable_path(&format!("/api/v1/invitations/{token}/accept")),
            "/api/v1/invitations/{token}/accept"
        );
        let token = new_token("pwr_");
        assert_eq!(loggable_path(&format!("/password-reset/{token}")), "/password-reset/{token}");
        let plain = "/api/v1/grants/0193a0c4-7b5e-7000-8000-000000000000/approve";
        assert_eq!(loggable_path(plain), plain);
        assert_eq!(loggable_path("/api/v1/me/calendar.ics"), "/api/v1/me/calendar.ics");
    }

    #[test]
    fn html_gets_the_page_policy_and_everything_is_unframeable() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        protect(&mut headers);
        assert_eq!(headers.get(CONTENT_SECURITY_POLICY).unwrap(), PAGE_POLICY);
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("image/png"));
        protect(&mut headers);
        assert_eq!(headers.get(CONTENT_SECURITY_POLICY).unwrap(), DATA_POLICY);
        assert_eq!(headers.get(X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    }
}

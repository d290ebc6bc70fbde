//! The stylesheets and the one small script of the pages, built into the binary: NL Design
//! System (Utrecht) components and tokens, vendored with their licence, and Pactum's own few
//! rules. No CDN; works offline.

use std::sync::LazyLock;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{web, HttpResponse};
use sha2::{Digest, Sha256};

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// `(name, content type, body)`.
const FILES: [(&str, &str, &str); 4] = [
    ("utrecht-components.css", CSS, include_str!("../../assets/vendor/utrecht/components.css")),
    ("utrecht-theme.css", CSS, include_str!("../../assets/vendor/utrecht/theme.css")),
    ("pactum.css", CSS, include_str!("../../assets/pactum.css")),
    ("pactum.js", JS, include_str!("../../assets/pactum.js")),
];

/// The files' fingerprint in their address, so any change is fetched at once despite the long
/// cache life.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hash = Sha256::new();
    for (name, _, body) in FILES {
        hash.update(name);
        hash.update(body);
    }
    hash.finalize()[..6].iter().map(|b| format!("{b:02x}")).collect()
});

pub async fn file(path: web::Path<(String, String)>) -> HttpResponse {
    let (version, name) = path.into_inner();
    match FILES.iter().find(|(file, _, _)| *file == name) {
        Some((_, content_type, body)) if version == *VERSION => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, *content_type))
            .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(*body),
        _ => HttpResponse::NotFound().finish(),
    }
}

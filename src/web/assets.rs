//! The stylesheets of the pages, built into the binary: NL Design System (Utrecht) components
//! and tokens, vendored with their licence, and Pactum's own few rules. No CDN; works offline.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{web, HttpResponse};

const FILES: [(&str, &str); 3] = [
    ("utrecht-components.css", include_str!("../../assets/vendor/utrecht/components.css")),
    ("utrecht-theme.css", include_str!("../../assets/vendor/utrecht/theme.css")),
    ("pactum.css", include_str!("../../assets/pactum.css")),
];

/// Version in the address, so a new release is fetched at once despite the long cache life.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub async fn file(path: web::Path<(String, String)>) -> HttpResponse {
    let (version, name) = path.into_inner();
    match FILES.iter().find(|(file, _)| *file == name) {
        Some((_, body)) if version == VERSION => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "text/css; charset=utf-8"))
            .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(*body),
        _ => HttpResponse::NotFound().finish(),
    }
}

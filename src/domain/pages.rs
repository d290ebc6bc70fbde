//! Where a person opens a record: the web page of a record the API names by its path. Emails
//! link to pages (people click them); the API paths stay for systems.

/// `/api/v1/grants/x` is `/grants/x`; a path outside the API is a page already.
pub fn page_of(api_path: &str) -> &str {
    api_path.strip_prefix("/api/v1").unwrap_or(api_path)
}

#[cfg(test)]
mod tests {
    use super::page_of;

    #[test]
    fn api_paths_become_pages() {
        assert_eq!(page_of("/api/v1/grants/7"), "/grants/7");
        assert_eq!(page_of("/api/v1/tranches/7"), "/tranches/7");
        assert_eq!(page_of("/grants/7"), "/grants/7");
    }
}

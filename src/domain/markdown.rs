//! Markdown written by people (agreement clauses) as HTML that can do nothing but be read: raw
//! HTML is shown as text, and links keep only `https:`, `http:` and `mailto:` targets; any
//! other link or image becomes its plain text.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// The link schemes a rendered document may carry.
const SAFE_SCHEMES: [&str; 3] = ["https", "http", "mailto"];

pub fn to_html(text: &str) -> String {
    // Links cannot nest, so one flag tracks whether the current one was dropped.
    let mut dropped = false;
    let events = Parser::new(text).filter_map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::Start(Tag::Link { ref dest_url, .. }) if !is_safe(dest_url) => {
            dropped = true;
            None
        }
        Event::End(TagEnd::Link) if dropped => {
            dropped = false;
            None
        }
        // Images would load from anywhere when the document is opened: their text stays.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

fn is_safe(url: &str) -> bool {
    let url = url.trim();
    let Some((scheme, _)) = url.split_once(':') else { return false };
    SAFE_SCHEMES.iter().any(|safe| scheme.eq_ignore_ascii_case(safe))
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn raw_html_is_text() {
        let html = to_html("**Let op** <script>alert(1)</script>");
        assert!(html.contains("<strong>Let op</strong>"));
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"), "{html}");
    }

    #[test]
    fn only_web_and_mail_links_stay_live() {
        for bad in [
            "[x](javascript:alert(document.domain))",
            "[x](JaVaScRiPt:alert(1))",
            "[x]( javascript:alert(1))",
            "[x](java&#115;cript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](vbscript:msgbox)",
            "<javascript:alert(1)>",
            "[x]: javascript:alert(1)\n\n[x]",
            "![x](https://tracker.example/p.png)",
        ] {
            let html = to_html(bad);
            assert!(!html.contains("href") && !html.contains("src="), "{bad} gave {html}");
        }
        for good in ["[x](https://pactum.example)", "[x](http://a.example)", "[x](mailto:a@b.nl)"] {
            assert!(to_html(good).contains("<a href="), "{good}");
        }
        assert_eq!(to_html("[de buurt](javascript:x) **samen**"), "<p>de buurt <strong>samen</strong></p>\n");
    }
}

//! Emails people want to read: plain, friendly words (B1-level Dutch, or English), what it is
//! about, what to do, and a link. Text and HTML say the same.

use crate::domain::Locale;

/// A subject and the two bodies.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn html(paragraphs: &[String], link: &str, button: &str) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{}</p>\n", escape(p))).collect();
    format!(
        "<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif;line-height:1.5\">\n{body}<p><a href=\"{link}\">{button}</a></p>\n</body></html>\n",
        link = escape(link),
        button = escape(button),
    )
}

/// An invitation to join an organisation in Pactum, with its single-use link.
pub fn invitation(
    locale: Locale,
    name: &str,
    organisation: &str,
    role: &str,
    link: &str,
    expires_on: &str,
) -> Rendered {
    let (subject, lines, button) = match locale {
        Locale::Nl => (
            format!("Uitnodiging: doe mee met {organisation} in Pactum"),
            vec![
                format!("Hallo {name},"),
                format!("U bent uitgenodigd om mee te doen met {organisation} in Pactum, als {role}."),
                format!("Klik op de link om uw account te maken. De link werkt één keer en tot en met {expires_on}."),
                "Heeft u deze uitnodiging niet verwacht? Dan kunt u deze e-mail negeren.".to_owned(),
            ],
            "Uitnodiging aannemen",
        ),
        Locale::En => (
            format!("Invitation: join {organisation} in Pactum"),
            vec![
                format!("Hello {name},"),
                format!("You have been invited to join {organisation} in Pactum, as {role}."),
                format!("Follow the link to create your account. It works once, until {expires_on}."),
                "Did you not expect this invitation? Then you can ignore this email.".to_owned(),
            ],
            "Accept the invitation",
        ),
    };
    let text = format!("{}\n\n{button}: {link}\n", lines.join("\n\n"));
    Rendered { html: html(&lines, link, button), subject, text }
}

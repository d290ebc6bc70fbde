//! The printable agreement: one clean HTML page per version (title, parties, term, clauses,
//! what the municipality provides, commitments, signatures with time and hash) in Dutch or
//! English, for filing or printing to PDF.

use std::fmt::Write;

use diesel::prelude::*;

use crate::db::schema::{municipalities, networks, organisations, users};
use crate::db::DbConnection;
use crate::domain::text::escape_markup as esc;
use crate::domain::{Party, PartyType};
use crate::error::ApiError;

use super::content::{AgreementContent, ProvisionKind};
use super::dto::VersionDto;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Dutch,
    English,
}

impl Language {
    /// The best match for an `Accept-Language` header; Dutch when nothing matches.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let mut best = (Self::Dutch, -1.0_f32);
        for part in header.unwrap_or_default().split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            let language = match tag.split('-').next() {
                Some("nl") => Self::Dutch,
                Some("en") => Self::English,
                _ => continue,
            };
            if quality > best.1 {
                best = (language, quality);
            }
        }
        best.0
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Dutch => "nl",
            Self::English => "en",
        }
    }

    fn text(self, key: &str) -> &'static str {
        let (nl, en) = match key {
            "agreement" => ("Samenwerkingsafspraak", "Collaboration agreement"),
            "version" => ("Versie", "Version"),
            "status" => ("Status", "Status"),
            "parties" => ("Partijen", "Parties"),
            "term" => ("Looptijd", "Term"),
            "from" => ("Vanaf", "From"),
            "until" => ("tot en met", "until"),
            "open_ended" => ("zonder einddatum", "with no end date"),
            "review" => ("Evaluatie", "Review"),
            "every" => ("elke", "every"),
            "months" => ("maanden, volgende op", "months, next on"),
            "clauses" => ("Afspraken", "Clauses"),
            "provides" => ("Wat de gemeente biedt", "What the municipality provides"),
            "commitments" => ("Toezeggingen", "Commitments"),
            "due" => ("uiterlijk", "due"),
            "signatures" => ("Ondertekening", "Signatures"),
            "signed_by" => ("getekend door", "signed by"),
            "on" => ("op", "on"),
            "unsigned" => ("Nog niet door alle partijen getekend.", "Not yet signed by every party."),
            "hash" => ("Vingerafdruk (SHA-256) van deze versie", "Fingerprint (SHA-256) of this version"),
            "municipality" => ("gemeente", "municipality"),
            "network" => ("netwerk", "network"),
            "organisation" => ("organisatie", "organisation"),
            "money" => ("geld", "money"),
            "space" => ("ruimte", "space"),
            "advice" => ("advies", "advice"),
            "other" => ("overig", "other"),
            _ => ("", ""),
        };
        match self {
            Self::Dutch => nl,
            Self::English => en,
        }
    }
}

/// Display names of the parties and signers.
pub struct Names {
    parties: Vec<(Party, String)>,
    users: Vec<(String, String)>,
}

impl Names {
    pub fn load(conn: &mut DbConnection, parties: &[Party], user_ids: &[String]) -> Result<Self, ApiError> {
        let ids = |t: PartyType| {
            parties.iter().filter(|p| p.party_type == t).map(|p| p.id.clone()).collect::<Vec<_>>()
        };
        let mut named = Vec::new();
        let found: Vec<(String, String)> = municipalities::table
            .filter(municipalities::id.eq_any(ids(PartyType::Municipality)))
            .select((municipalities::id, municipalities::name))
            .load(conn)?;
        named.extend(found.into_iter().map(|(id, name)| (Party::new(PartyType::Municipality, id), name)));
        let found: Vec<(String, String)> = networks::table
            .filter(networks::id.eq_any(ids(PartyType::Network)))
            .select((networks::id, networks::name))
            .load(conn)?;
        named.extend(found.into_iter().map(|(id, name)| (Party::new(PartyType::Network, id), name)));
        let found: Vec<(String, String)> = organisations::table
            .filter(organisations::id.eq_any(ids(PartyType::Organisation)))
            .select((organisations::id, organisations::name))
            .load(conn)?;
        named.extend(found.into_iter().map(|(id, name)| (Party::new(PartyType::Organisation, id), name)));
        let users =
            users::table.filter(users::id.eq_any(user_ids)).select((users::id, users::name)).load(conn)?;
        Ok(Self { parties: named, users })
    }

    pub fn party(&self, party: &Party) -> String {
        self.parties.iter().find(|(p, _)| p == party).map_or_else(|| party.id.clone(), |(_, n)| n.clone())
    }

    pub fn user(&self, id: &str) -> String {
        self.users.iter().find(|(u, _)| u == id).map_or_else(|| id.to_owned(), |(_, n)| n.clone())
    }
}

pub fn render(language: Language, version: &VersionDto, status: &str, names: &Names) -> String {
    let t = |key| language.text(key);
    let content: &AgreementContent = &version.content;
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>body{{font-family:Georgia,serif;max-width:42rem;margin:2rem auto;line-height:1.5;color:#111}}\
         h1{{font-size:1.6rem}}h2{{font-size:1.15rem;border-bottom:1px solid #ccc;margin-top:2rem}}\
         .meta{{color:#555}}code{{font-size:.8rem;word-break:break-all}}\
         @media print{{body{{margin:0}}}}</style>\n</head>\n<body>\n\
         <p class=\"meta\">{kind} &middot; {version_label} {number} &middot; {status_label}: {status}</p>\n<h1>{title}</h1>\n",
        lang = language.code(),
        title = esc(&content.title),
        kind = t("agreement"),
        version_label = t("version"),
        number = version.number,
        status_label = t("status"),
        status = esc(status),
    );
    let _ = write!(html, "<h2>{}</h2>\n<ul>\n", t("parties"));
    for party in &content.parties {
        let _ = writeln!(html, "<li>{} ({})</li>", esc(&names.party(party)), t(party.party_type.as_str()));
    }
    html.push_str("</ul>\n");
    let end = content.ends_on.map_or_else(|| t("open_ended").to_owned(), |d| format!("{} {d}", t("until")));
    let _ =
        writeln!(html, "<h2>{}</h2>\n<p>{} {} {}</p>", t("term"), t("from"), content.starts_on, esc(&end));
    if let (Some(months), Some(next)) = (content.review_interval_months, content.next_review_on) {
        let _ = writeln!(html, "<p>{}: {} {months} {} {next}</p>", t("review"), t("every"), t("months"));
    }
    let _ = writeln!(html, "<h2>{}</h2>\n{}", t("clauses"), crate::domain::markdown::to_html(&content.body));
    if !content.provisions.is_empty() {
        let _ = write!(html, "<h2>{}</h2>\n<ul>\n", t("provides"));
        for provision in &content.provisions {
            let amount = provision
                .amount_cents
                .map(|c| format!(" (&euro; {},{:02})", c / 100, c % 100))
                .unwrap_or_default();
            let kind = match provision.kind {
                ProvisionKind::Money => t("money"),
                ProvisionKind::Space => t("space"),
                ProvisionKind::Advice => t("advice"),
                ProvisionKind::Other => t("other"),
            };
            let _ =
                writeln!(html, "<li><strong>{kind}</strong>: {}{amount}</li>", esc(&provision.description));
        }
        html.push_str("</ul>\n");
    }
    if !content.commitments.is_empty() {
        let _ = write!(html, "<h2>{}</h2>\n<ul>\n", t("commitments"));
        for commitment in &content.commitments {
            let due = commitment.due_on.map(|d| format!(" &mdash; {} {d}", t("due"))).unwrap_or_default();
            let _ = writeln!(
                html,
                "<li><strong>{}</strong>: {}{due}</li>",
                esc(&names.party(&commitment.party)),
                esc(&commitment.description)
            );
        }
        html.push_str("</ul>\n");
    }
    let _ = write!(html, "<h2>{}</h2>\n<ul>\n", t("signatures"));
    for signature in &version.signatures {
        let _ = writeln!(
            html,
            "<li>{} &mdash; {} {} {} {}</li>",
            esc(&names.party(&signature.party)),
            t("signed_by"),
            esc(&names.user(&signature.signed_by)),
            t("on"),
            signature.signed_at.format("%Y-%m-%d %H:%M UTC"),
        );
    }
    html.push_str("</ul>\n");
    if version.signed_at.is_none() {
        let _ = writeln!(html, "<p><em>{}</em></p>", t("unsigned"));
    }
    let _ = writeln!(
        html,
        "<p class=\"meta\">{}:<br><code>{}</code></p>\n</body>\n</html>",
        t("hash"),
        version.content_hash
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_language_by_quality() {
        assert_eq!(Language::from_accept_language(Some("en-GB,en;q=0.9,nl;q=0.8")), Language::English);
        assert_eq!(Language::from_accept_language(Some("de, nl-NL;q=0.5, en;q=0.4")), Language::Dutch);
        assert_eq!(Language::from_accept_language(Some("fr")), Language::Dutch);
        assert_eq!(Language::from_accept_language(None), Language::Dutch);
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(esc("<a href=\"x\">&"), "&lt;a href=&quot;x&quot;&gt;&amp;");
    }
}

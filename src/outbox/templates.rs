//! Emails people want to read: plain, friendly words (B1-level Dutch, or English), what it is
//! about, what to do, and a link. Text and HTML say the same.

use crate::domain::text::escape_markup as escape;
use crate::domain::{DeadlineKind, Locale};

/// A subject and the two bodies.
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
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
    api_url: &str,
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
                format!("Voor koppelingen: POST {api_url}"),
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
                format!("For integrations: POST {api_url}"),
            ],
            "Accept the invitation",
        ),
    };
    let text = format!("{}\n\n{button}: {link}\n", lines.join("\n\n"));
    Rendered { html: html(&lines, link, button), subject, text }
}

/// Asks the contact address of a network to confirm that it wants the messages that people
/// send the network through the public directory.
pub fn contact_confirmation(
    locale: Locale,
    network: &str,
    link: &str,
    api_url: &str,
    expires_on: &str,
) -> Rendered {
    let (subject, lines, button) = match locale {
        Locale::Nl => (
            format!("Bevestig het e-mailadres van {network} in Pactum"),
            vec![
                "Hallo,".to_owned(),
                format!("Dit adres is in Pactum opgegeven als contactadres van {network}. Mensen kunnen het netwerk via de openbare lijst van netwerken een bericht sturen; die berichten komen op dit adres binnen."),
                format!("Klopt dat? Bevestig het adres met de link. De link werkt één keer en tot en met {expires_on}."),
                "Kent u dit netwerk niet? Dan kunt u deze e-mail negeren: u krijgt dan geen berichten.".to_owned(),
                format!("Voor koppelingen: POST {api_url}"),
            ],
            "Adres bevestigen",
        ),
        Locale::En => (
            format!("Confirm the email address of {network} in Pactum"),
            vec![
                "Hello,".to_owned(),
                format!("This address was given in Pactum as the contact address of {network}. People can send the network a message through the public list of networks; those messages arrive at this address."),
                format!("Is that right? Confirm the address with the link. It works once, until {expires_on}."),
                "Do you not know this network? Then you can ignore this email: you will get no messages.".to_owned(),
                format!("For integrations: POST {api_url}"),
            ],
            "Confirm the address",
        ),
    };
    let text = format!("{}\n\n{button}: {link}\n", lines.join("\n\n"));
    Rendered { html: html(&lines, link, button), subject, text }
}

/// A link to choose a new password, single use and valid for an hour. `api_url` is the same
/// token at the API, for integrators until the web page exists.
pub fn password_reset(locale: Locale, name: &str, link: &str, api_url: &str) -> Rendered {
    let (subject, lines, button) = match locale {
        Locale::Nl => (
            "Kies een nieuw wachtwoord voor Pactum".to_owned(),
            vec![
                format!("Hallo {name},"),
                "Iemand heeft gevraagd om een nieuw wachtwoord voor uw account in Pactum.".to_owned(),
                "Klik op de link om een nieuw wachtwoord te kiezen. De link werkt één keer en één uur lang. Daarna moet u op elk apparaat opnieuw inloggen.".to_owned(),
                format!("Voor koppelingen: stuur POST {api_url} met {{\"password\": \"...\"}}."),
                "Heeft u dit niet gevraagd? Dan kunt u deze e-mail negeren: uw wachtwoord blijft hetzelfde.".to_owned(),
            ],
            "Nieuw wachtwoord kiezen",
        ),
        Locale::En => (
            "Choose a new password for Pactum".to_owned(),
            vec![
                format!("Hello {name},"),
                "Someone asked for a new password for your Pactum account.".to_owned(),
                "Follow the link to choose a new password. It works once, for one hour. After that you sign in again on every device.".to_owned(),
                format!("For integrations: send POST {api_url} with {{\"password\": \"...\"}}."),
                "Did you not ask for this? Then you can ignore this email: your password stays the same.".to_owned(),
            ],
            "Choose a new password",
        ),
    };
    let text = format!("{}\n\n{button}: {link}\n", lines.join("\n\n"));
    Rendered { html: html(&lines, link, button), subject, text }
}

/// What a reminder says of its deadline.
#[derive(Debug, Clone, Copy)]
pub struct Due<'a> {
    pub kind: DeadlineKind,
    /// What is due, in the words of the record.
    pub title: &'a str,
    pub due_on: chrono::NaiveDate,
}

/// A reminder of a deadline: `offset` days from it (negative before, positive overdue).
pub fn reminder(locale: Locale, deadline: &Due<'_>, offset: i32, link: &str) -> Rendered {
    let date = deadline.due_on.format("%d-%m-%Y").to_string();
    let (what_nl, what_en) = match deadline.kind {
        DeadlineKind::Commitment => ("toezegging", "commitment"),
        DeadlineKind::Report => ("verantwoording", "spending report"),
        DeadlineKind::Decision => ("besluit op een aanvraag", "decision on an application"),
        DeadlineKind::Tranche => ("betaling", "payment"),
        DeadlineKind::AgreementReview => ("evaluatie van de afspraak", "review of the agreement"),
        DeadlineKind::Invitation => (
            "uitnodiging voor Pactum (accepteer met de link in uw uitnodiging)",
            "invitation to Pactum (accept with the link in your invitation)",
        ),
        DeadlineKind::AgreementEnd => ("einde van de afspraak", "end of the agreement"),
    };
    let title = if deadline.title.is_empty() { String::new() } else { format!(" \"{}\"", deadline.title) };
    let days = offset.unsigned_abs();
    let (subject, lines, button) = match locale {
        Locale::Nl => {
            let when = match offset {
                o if o < 0 => format!("over {days} dagen, op {date}"),
                0 => format!("vandaag, {date}"),
                _ => format!("{days} dagen geleden, op {date}"),
            };
            let subject = if offset > 0 {
                format!("Te laat: {what_nl}{title}")
            } else {
                format!("Herinnering: {what_nl}{title} op {date}")
            };
            let lines = vec![
                "Hallo,".to_owned(),
                format!("Dit is een herinnering aan de {what_nl}{title}. De datum is {when}."),
                if offset > 0 {
                    "Is het al gedaan? Zet het dan in Pactum, dan stoppen de herinneringen.".to_owned()
                } else {
                    "Bekijk in Pactum wat er nog moet gebeuren.".to_owned()
                },
            ];
            (subject, lines, "Bekijk in Pactum")
        }
        Locale::En => {
            let when = match offset {
                o if o < 0 => format!("in {days} days, on {date}"),
                0 => format!("today, {date}"),
                _ => format!("{days} days ago, on {date}"),
            };
            let subject = if offset > 0 {
                format!("Overdue: {what_en}{title}")
            } else {
                format!("Reminder: {what_en}{title} on {date}")
            };
            let lines = vec![
                "Hello,".to_owned(),
                format!("This is a reminder of the {what_en}{title}. It is due {when}."),
                if offset > 0 {
                    "Already done? Record it in Pactum and the reminders stop.".to_owned()
                } else {
                    "See in Pactum what is still to do.".to_owned()
                },
            ];
            (subject, lines, "View in Pactum")
        }
    };
    let text = format!("{}\n\n{button}: {link}\n", lines.join("\n\n"));
    Rendered { html: html(&lines, link, button), subject, text }
}

/// A workflow notice: a subject, one sentence, a link.
pub fn notice(locale: Locale, subject: &str, sentence: &str, link: &str) -> Rendered {
    let (greeting, button) = match locale {
        Locale::Nl => ("Hallo,", "Bekijk in Pactum"),
        Locale::En => ("Hello,", "View in Pactum"),
    };
    let lines = vec![greeting.to_owned(), sentence.to_owned()];
    let text = format!("{}\n\n{button}: {link}\n", lines.join("\n\n"));
    Rendered { html: html(&lines, link, button), subject: subject.to_owned(), text }
}

/// One email with all of a day's reminders, for those who prefer a daily digest.
pub fn digest(locale: Locale, day: chrono::NaiveDate, items: &[(Due<'_>, i32, String)]) -> Rendered {
    let date = day.format("%d-%m-%Y").to_string();
    let parts: Vec<Rendered> =
        items.iter().map(|(deadline, offset, link)| reminder(locale, deadline, *offset, link)).collect();
    let (subject, intro) = match locale {
        Locale::Nl => (
            format!("Uw herinneringen van {date} ({})", parts.len()),
            "Dit zijn uw herinneringen van vandaag:",
        ),
        Locale::En => {
            (format!("Your reminders of {date} ({})", parts.len()), "These are your reminders for today:")
        }
    };
    let mut text = format!("{intro}\n\n");
    let mut html_items = String::new();
    for (part, (_, _, link)) in parts.iter().zip(items) {
        text.push_str(&format!("- {}\n  {link}\n", part.subject));
        html_items.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>\n",
            escape(link),
            escape(&part.subject)
        ));
    }
    let html = format!(
        "<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif;line-height:1.5\">\n<p>{}</p>\n<ul>\n{html_items}</ul>\n</body></html>\n",
        escape(intro)
    );
    Rendered { subject, text, html }
}

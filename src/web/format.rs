//! Money and dates as people read and write them: `€ 1.250,50` and `12 maart 2027` in Dutch,
//! never cents or ISO dates on a page; amounts typed with a comma (or a point) read back as cents.

use chrono::{Datelike, NaiveDate};

use super::i18n::Lang;

/// Cents as euros the way the language writes them: `€ 1.250,50` (nl, ar) or `€1,250.50` (en).
pub fn money(lang: Lang, cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (euros, rest) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    let (group, decimal, space) = match lang {
        Lang::En => (',', '.', ""),
        Lang::Nl | Lang::Ar => ('.', ',', " "),
    };
    let digits = euros.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(digit);
    }
    format!("{sign}€{space}{grouped}{decimal}{rest:02}")
}

/// Cents as a form shows them for editing: `1250,50` (nl, ar) or `1250.50` (en); empty for none.
pub fn money_input(lang: Lang, cents: Option<i64>) -> String {
    let Some(cents) = cents else { return String::new() };
    let decimal = if lang == Lang::En { '.' } else { ',' };
    format!("{}{decimal}{:02}", cents / 100, (cents % 100).abs())
}

/// An amount in euros as a person types it, in cents: `1.250,50`, `1250,5`, `€ 1250`, `12.50`
/// and `1,250.50` all work. The last `,` or `.` followed by one or two digits is the decimal
/// mark; other points, commas and spaces group thousands (`1.250` is twelve hundred and fifty).
/// `None` for anything else, negative amounts and amounts over a billion included.
pub fn parse_money(input: &str) -> Option<i64> {
    let text: String = input.trim().trim_start_matches('€').chars().filter(|c| !c.is_whitespace()).collect();
    if text.is_empty() || text.len() > 20 || !text.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let (whole, fraction) = match text.rfind(['.', ',']) {
        Some(at) if (1..=2).contains(&(text.len() - at - 1)) => (&text[..at], &text[at + 1..]),
        _ => (text.as_str(), ""),
    };
    let whole = if whole.is_empty() { "0".to_owned() } else { grouped_digits(whole)? };
    let euros: i64 = whole.parse().ok()?;
    let cents = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.parse::<i64>().ok()?,
    };
    let total = euros.checked_mul(100)?.checked_add(cents)?;
    (total <= crate::domain::money::MAX_CENTS).then_some(total)
}

/// Digits with `.` or `,` between groups of three (`1.250.000`), without the marks.
fn grouped_digits(whole: &str) -> Option<String> {
    let groups: Vec<&str> = whole.split(['.', ',']).collect();
    let well_grouped = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    let digits: String = groups.concat();
    (well_grouped && !digits.is_empty()).then_some(digits)
}

/// A date as the language writes it: `12 maart 2027`, `12 March 2027`.
pub fn date(lang: Lang, day: NaiveDate) -> String {
    let month = lang.t(&format!("month-{}", day.month()));
    format!("{} {month} {}", day.day(), day.year())
}

/// A moment as people in the Netherlands read it: `12 maart 2027, 14:05` (Amsterdam time).
pub fn moment(lang: Lang, at: chrono::DateTime<chrono::Utc>) -> String {
    let local = at.with_timezone(&chrono_tz::Europe::Amsterdam);
    format!("{}, {}", date(lang, local.date_naive()), local.format("%H:%M"))
}

/// A date as a form shows it for editing: `1-3-2027`.
pub fn date_input(day: NaiveDate) -> String {
    format!("{}-{}-{}", day.day(), day.month(), day.year())
}

/// A date as a person types it: `1-3-2027`, `01/03/2027`, `1.3.2027` (day first, as in the
/// Netherlands) or `2027-03-01`.
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let text = input.trim();
    if text.len() > 12 {
        return None;
    }
    ["%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
        .filter(|d| (1900..=2200).contains(&d.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_people_type_them() {
        for (typed, cents) in [
            ("1.250,50", 125_050),
            ("1250,5", 125_050),
            ("€ 1.250", 125_000),
            ("12.50", 1250),
            ("1,250.50", 125_050),
            ("1 250,00", 125_000),
            ("0,99", 99),
            (",5", 50),
            ("1.000.000", 100_000_000),
        ] {
            assert_eq!(parse_money(typed), Some(cents), "{typed}");
        }
        for wrong in ["", "abc", "-5", "1.25.0", "12,345,6789", "1.2345", "10000000000,01", "1e5"] {
            assert_eq!(parse_money(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn amounts_and_dates_read_as_the_language_writes_them() {
        assert_eq!(money(Lang::Nl, 125_050), "€ 1.250,50");
        assert_eq!(money(Lang::En, 125_050), "€1,250.50");
        assert_eq!(money(Lang::Nl, 5), "€ 0,05");
        assert_eq!(money(Lang::Nl, 100_000_000), "€ 1.000.000,00");
        assert_eq!(money_input(Lang::Nl, Some(125_050)), "1250,50");
        let day = NaiveDate::from_ymd_opt(2027, 3, 12).unwrap();
        assert_eq!(date(Lang::Nl, day), "12 maart 2027");
        assert_eq!(date(Lang::En, day), "12 March 2027");
        assert_eq!(date_input(day), "12-3-2027");
        let signed = chrono::DateTime::parse_from_rfc3339("2027-03-12T13:05:00Z").unwrap().to_utc();
        assert_eq!(moment(Lang::Nl, signed), "12 maart 2027, 14:05");
        for typed in ["12-3-2027", "12/03/2027", "12.3.2027", "2027-03-12", " 12-03-2027 "] {
            assert_eq!(parse_date(typed), Some(day), "{typed}");
        }
        for wrong in ["", "31-2-2027", "12-3-27", "maart", "2027-13-01"] {
            assert_eq!(parse_date(wrong), None, "{wrong}");
        }
    }
}

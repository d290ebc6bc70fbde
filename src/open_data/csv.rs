//! The package as one CSV row per grant, with 360Giving's flattened column titles, as its
//! spreadsheet template has them. Paid tranches are summed in `Amount Disbursed`.

use crate::domain::spreadsheet::Sheet;
use crate::error::ApiError;

use super::package::GrantPackage;

pub const COLUMNS: [&str; 15] = [
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Amount Disbursed",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Code",
    "Grant Programme:Title",
];

pub fn to_csv(package: &GrantPackage) -> Result<Vec<u8>, ApiError> {
    let mut sheet = Sheet::new();
    sheet.row(COLUMNS).map_err(ApiError::internal)?;
    for grant in &package.grants {
        let planned = grant.planned_dates.first();
        let recipient = grant.recipient_organization.first();
        let funder = grant.funding_organization.first();
        let programme = grant.grant_programme.first();
        sheet
            .row([
                grant.id.as_str(),
                &grant.title,
                &grant.description,
                &grant.currency,
                &euros(&grant.amount_awarded),
                &euros(&grant.amount_disbursed),
                &grant.award_date,
                planned.map_or("", |p| &p.start_date),
                planned.map_or("", |p| &p.end_date),
                recipient.map_or("", |o| &o.id),
                recipient.map_or("", |o| &o.name),
                funder.map_or("", |o| &o.id),
                funder.map_or("", |o| &o.name),
                programme.map_or("", |p| &p.code),
                programme.map_or("", |p| &p.title),
            ])
            .map_err(ApiError::internal)?;
    }
    sheet.into_bytes().map_err(ApiError::internal)
}

/// A JSON amount as spreadsheets read it, always with two decimals: `500.0` becomes `500.00`.
fn euros(amount: &serde_json::Number) -> String {
    let text = amount.to_string();
    match text.split_once('.') {
        Some((whole, cents)) => format!("{whole}.{cents:0<2}"),
        None => format!("{text}.00"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_have_two_decimals() {
        let amount = |s: &str| super::euros(&s.parse().unwrap_or_else(|_| serde_json::Number::from(0)));
        assert_eq!(amount("500.0"), "500.00");
        assert_eq!(amount("1234.5"), "1234.50");
        assert_eq!(amount("0.07"), "0.07");
        assert_eq!(amount("12"), "12.00");
    }
}

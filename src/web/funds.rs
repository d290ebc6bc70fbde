//! A fund as a volunteer chooses it: its name, purpose, maximum, closing date and the reporting
//! it asks for afterwards, in words and euros.

use crate::funds::dto::{FundDto, ReportRequirement};

use super::format;
use super::i18n::Lang;

/// An open fund, as a volunteer chooses it.
pub struct FundChoice {
    pub id: String,
    pub name: String,
    pub description: String,
    pub maximum: String,
    pub closes: Option<String>,
    /// What the network reports afterwards, per amount.
    pub reporting: Vec<String>,
}

pub fn reporting_words(lang: Lang, fund: &FundDto) -> Vec<String> {
    let mut from = 0;
    fund.reporting_tiers
        .iter()
        .map(|tier| {
            let what = lang.t(match tier.requirement {
                ReportRequirement::Confirmation => "reporting-confirmation",
                ReportRequirement::ActivityReport => "reporting-activity",
                ReportRequirement::FinancialReport => "reporting-financial",
            });
            let words = match tier.up_to_cents {
                Some(up_to) => lang.t_with(
                    "reporting-up-to",
                    &[
                        ("from", &format::money(lang, from)),
                        ("to", &format::money(lang, up_to)),
                        ("what", &what),
                    ],
                ),
                None => {
                    lang.t_with("reporting-above", &[("from", &format::money(lang, from)), ("what", &what)])
                }
            };
            from = tier.up_to_cents.unwrap_or(from) + 1;
            words
        })
        .collect()
}

pub fn fund_choice(lang: Lang, fund: &FundDto) -> FundChoice {
    FundChoice {
        id: fund.id.clone(),
        name: fund.name.clone(),
        description: fund.description.clone(),
        maximum: format::money(lang, fund.max_grant_cents),
        closes: fund.closes_on.map(|d| format::date(lang, d)),
        reporting: reporting_words(lang, fund),
    }
}

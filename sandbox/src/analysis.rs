//! Summaries of a user's transactions shared by the affordability, expenses, income and report
//! endpoints: income streams, monthly totals and simple statistics.

use std::collections::BTreeMap;

use super::data::Txn;
use super::dates::{self, DAY};

/// A group of credits from one payer (matched by description).
#[derive(Debug, Clone)]
pub(crate) struct Stream<'a> {
    pub(crate) source: &'a str,
    /// Newest first.
    pub(crate) items: Vec<&'a Txn>,
    /// Median gap between occurrences, in days.
    pub(crate) gap_days: i64,
}

impl Stream<'_> {
    /// Basiq's frequency words for the median gap.
    pub(crate) fn frequency(&self) -> &'static str {
        match self.gap_days {
            0..=2 => "daily",
            3..=9 => "weekly",
            10..=18 => "bi-weekly",
            19..=45 => "monthly",
            46..=75 => "bi-monthly",
            76..=120 => "quarterly",
            121..=250 => "half-year",
            _ => "yearly",
        }
    }

    /// Total in cents.
    pub(crate) fn total(&self) -> i64 {
        self.items.iter().map(|t| t.amount).sum()
    }

    /// Average amount in cents.
    pub(crate) fn average(&self) -> i64 {
        self.total() / self.items.len().max(1) as i64
    }

    /// Date of the newest occurrence (unix seconds).
    pub(crate) fn last(&self) -> i64 {
        self.items.first().map_or(0, |t| posted(t))
    }

    /// Date of the oldest occurrence (unix seconds).
    pub(crate) fn first(&self) -> i64 {
        self.items.last().map_or(0, |t| posted(t))
    }
}

/// Posting time of a posted transaction (pending ones use their transaction date).
pub(crate) fn posted(t: &Txn) -> i64 {
    t.post.or(t.date).unwrap_or(0)
}

/// Whether `t` is a posted transaction on one of `accounts` within `from..=to` (unix seconds).
pub(crate) fn in_window(t: &Txn, accounts: &[String], from: i64, to: i64) -> bool {
    !t.pending && accounts.iter().any(|a| **a == *t.account) && (from..=to).contains(&posted(t))
}

/// The sum of the credits and the sum of the debits (negative), in cents.
pub(crate) fn credits_and_debits<'a>(txns: impl IntoIterator<Item = &'a Txn>) -> (i64, i64) {
    txns.into_iter().fold(
        (0, 0),
        |(credit, debit), t| {
            if t.amount > 0 { (credit + t.amount, debit) } else { (credit, debit + t.amount) }
        },
    )
}

/// Median gap in days between consecutive transactions of a newest-first list (0 when fewer than two).
pub(crate) fn median_gap_days(items: &[&Txn]) -> i64 {
    median(items.windows(2).map(|w| (posted(w[0]) - posted(w[1])) / DAY).collect())
}

/// `part` as a percentage of `whole`, rounded to two decimals (0 when `whole` is 0).
pub(crate) fn percent(part: i64, whole: i64) -> f64 {
    if whole == 0 { 0.0 } else { (part as f64 / whole as f64 * 10_000.0).round() / 100.0 }
}

/// Credits grouped by description; regular streams are salaries/benefits/rent seen 3+ times.
pub(crate) fn credit_streams<'a>(txns: &[&'a Txn]) -> (Vec<Stream<'a>>, Vec<Stream<'a>>, Vec<Stream<'a>>) {
    let mut groups: BTreeMap<&str, Vec<&Txn>> = BTreeMap::new();
    for t in txns.iter().filter(|t| t.amount > 0 && !t.pending) {
        groups.entry(t.description.as_str()).or_default().push(t);
    }
    let mut regular = Vec::new();
    let mut irregular = Vec::new();
    let mut other = Vec::new();
    for (source, mut items) in groups {
        items.sort_by_key(|t| std::cmp::Reverse(posted(t)));
        let gap_days = median_gap_days(&items);
        let class = items.first().map_or("", |t| t.class);
        let stream = Stream { source, items, gap_days };
        if class == "direct-credit" && stream.items.len() >= 3 {
            regular.push(stream);
        } else if class == "transfer" && stream.items.len() >= 2 {
            irregular.push(stream);
        } else {
            other.push(stream);
        }
    }
    (regular, irregular, other)
}

/// Sum of amounts per `YYYY-MM`, oldest month first.
pub(crate) fn monthly<'a>(txns: impl Iterator<Item = &'a Txn>) -> Vec<(String, i64)> {
    let mut map: BTreeMap<String, i64> = BTreeMap::new();
    for t in txns {
        *map.entry(dates::fmt_month(posted(t))).or_default() += t.amount;
    }
    map.into_iter().collect()
}

/// Number of months covered by a window (at least 1).
pub(crate) fn months(from: i64, to: i64) -> i64 {
    ((to - from) / (30 * DAY)).max(1)
}

/// Median of values (0 when empty).
pub(crate) fn median(mut v: Vec<i64>) -> i64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    v[v.len() / 2]
}

/// The ANZSIC division (code, title) for a class code.
pub(crate) fn division(code: &str) -> (&'static str, &'static str) {
    match code.get(..2).unwrap_or("") {
        "40" | "41" | "42" | "43" | "44" => ("G", "Retail Trade"),
        "45" => ("H", "Accommodation and Food Services"),
        "46" | "47" | "48" | "49" | "50" | "51" | "52" | "53" => ("I", "Transport, Postal and Warehousing"),
        "54" | "55" | "56" | "57" | "58" | "59" | "60" => ("J", "Information Media and Telecommunications"),
        "26" | "27" | "28" | "29" => ("D", "Electricity, Gas, Water and Waste Services"),
        "62" | "63" | "64" => ("K", "Financial and Insurance Services"),
        "69" | "70" => ("M", "Professional, Scientific and Technical Services"),
        "89" | "90" | "91" | "92" => ("R", "Arts and Recreation Services"),
        _ => ("S", "Other Services"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn t(desc: &str, class: &'static str, amount: i64, day: i64) -> Txn {
        let a: Arc<str> = Arc::from("a");
        Txn {
            id: format!("{desc}{day}"),
            account: a.clone(),
            connection: a.clone(),
            institution: a,
            pending: false,
            description: desc.into(),
            amount,
            balance: None,
            class,
            sub_class: None,
            post: Some(day * DAY),
            date: None,
        }
    }

    #[test]
    fn finds_regular_income() {
        let txns: Vec<Txn> = (0..6)
            .map(|k| t("SALARY", "direct-credit", 100_000, 1000 - k * 14))
            .chain([
                t("MUM", "transfer", 5_000, 990),
                t("MUM", "transfer", 5_000, 960),
                t("INTEREST", "interest", 100, 980),
            ])
            .collect();
        let refs: Vec<&Txn> = txns.iter().collect();
        let (regular, irregular, other) = credit_streams(&refs);
        assert_eq!(regular.len(), 1);
        assert_eq!(regular[0].frequency(), "bi-weekly");
        assert_eq!(regular[0].average(), 100_000);
        assert_eq!(irregular.len(), 1);
        assert_eq!(other.len(), 1);
        assert_eq!(median(vec![3, 1, 2]), 2);
        assert_eq!(division("4110").0, "G");
    }
}

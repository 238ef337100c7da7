//! The checks behind the CDR Insights endpoints, computed from a user's stored data: account
//! number and type matches, balance and income range checks, identity matches against connection
//! profiles, and the expense-to-income ratio bucket.

use super::data::{Account, Txn};
use super::dates::DAY;
use super::state::User;

/// A match cell: whether the input matched and how confident the sandbox is (0..=1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Verdict {
    pub(crate) matched: bool,
    pub(crate) confidence: f64,
}

impl Verdict {
    /// A certain yes or no.
    pub(crate) fn certain(matched: bool) -> Self {
        Verdict { matched, confidence: if matched { 1.0 } else { 0.0 } }
    }
}

/// Parse a decimal money string (`"1"`, `"-12.5"`, `"9999.99"`) into cents; at most two decimals
/// and 13 integer digits, so the result cannot overflow.
pub(crate) fn parse_cents(s: &str) -> Option<i64> {
    let s = s.trim();
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, frac) = match digits.split_once('.') {
        Some((w, f)) => (w, f),
        None => (digits, ""),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 13 || !all_digits(whole) || frac.len() > 2 || !all_digits(frac) {
        return None;
    }
    if digits.contains('.') && frac.is_empty() {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac_cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    let cents = whole * 100 + frac_cents;
    Some(if negative { -cents } else { cents })
}

/// Whether `value` lies in `min..=max` (no upper bound when `max` is `None`).
pub(crate) fn in_range(value: i64, min: i64, max: Option<i64>) -> bool {
    value >= min && max.is_none_or(|m| value <= m)
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Whether an account number (with or without its BSB in front) is this account's.
pub(crate) fn account_number_matches(acc: &Account, input: &str) -> bool {
    let d = digits(input);
    !d.is_empty() && (d == acc.number || d == acc.account_no())
}

/// A canonical account type word: `"Savings"` and `"saving"` both read as `saving`.
fn account_type_word(s: &str) -> String {
    let w: String = s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    let w = match w.as_str() {
        "everyday" | "cheque" | "checking" | "transactions" => "transaction".to_owned(),
        "card" | "creditcards" => "creditcard".to_owned(),
        "homeloan" | "homeloans" | "mortgages" => "mortgage".to_owned(),
        "termdeposits" => "termdeposit".to_owned(),
        "loans" | "personalloan" => "loan".to_owned(),
        _ => w,
    };
    w.strip_suffix('s').map(str::to_owned).unwrap_or(w)
}

/// Whether an account type word names this account's class.
pub(crate) fn account_type_matches(acc: &Account, input: &str) -> bool {
    let w = account_type_word(input);
    !w.is_empty() && w == account_type_word(acc.class)
}

/// Whether a posted credit counts as income: direct credits (salaries, benefits, rent received),
/// interest, and transfers into an everyday account. Repayments and transfers landing on savings,
/// card or loan accounts are the user's own money moving and do not count.
pub(crate) fn is_income(t: &Txn, accounts: &[Account]) -> bool {
    if t.pending || t.amount <= 0 {
        return false;
    }
    let class = accounts.iter().find(|a| *a.id == *t.account).map_or("", |a| a.class);
    match t.class {
        "direct-credit" | "interest" => matches!(class, "transaction" | "savings" | "term-deposit"),
        "transfer" => class == "transaction",
        _ => false,
    }
}

/// Average monthly income in cents over the last twelve months before `now` (the months the
/// history covers, at least one); `None` when the user has no posted transactions at all.
pub(crate) fn monthly_income(user: &User, now: i64) -> Option<i64> {
    let posted = user.txns.iter().filter(|t| !t.pending);
    let oldest = posted.clone().filter_map(|t| t.post).min()?;
    let since = now - 365 * DAY;
    let total: i64 =
        posted.filter(|t| t.post.is_some_and(|p| p >= since) && is_income(t, &user.accounts)).map(|t| t.amount).sum();
    let span = now - oldest.max(since);
    let months = (span + 30 * DAY - 1).div_euclid(30 * DAY).clamp(1, 12);
    Some(total / months)
}

/// The ten-point bucket that `expense / income` falls in, or `Income Exceeded` above 100 %.
pub(crate) fn expense_ratio_range(expense: i64, income: i64) -> &'static str {
    const RANGES: [&str; 10] = [
        "0% to 10%",
        "10% to 20%",
        "20% to 30%",
        "30% to 40%",
        "40% to 50%",
        "50% to 60%",
        "60% to 70%",
        "70% to 80%",
        "80% to 90%",
        "90% to 100%",
    ];
    if income <= 0 || expense > income {
        return "Income Exceeded";
    }
    // Integer arithmetic in i128: expense and income are bounded cents, so this cannot overflow.
    let tenths = (i128::from(expense) * 10 / i128::from(income)) as usize;
    RANGES[tenths.min(9)]
}

/// What the sandbox knows about who a user is: names, contacts and addresses from the user
/// record and from every connection profile.
#[derive(Debug, Default)]
pub(crate) struct Known {
    names: Vec<Vec<String>>,
    phones: Vec<String>,
    emails: Vec<String>,
    addresses: Vec<Vec<String>>,
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// A phone number as national digits (`+61 410 000 001` and `0410000001` agree).
fn phone_key(s: &str) -> String {
    let d = digits(s);
    match d.strip_prefix("61") {
        Some(rest) if d.len() == 11 => format!("0{rest}"),
        _ => d,
    }
}

impl Known {
    /// Gather the identity facts of a user.
    pub(crate) fn of(user: &User) -> Known {
        let mut k = Known::default();
        let record_name =
            format!("{} {}", user.first_name.as_deref().unwrap_or(""), user.last_name.as_deref().unwrap_or(""));
        if !words(&record_name).is_empty() {
            k.names.push(words(&record_name));
        }
        k.emails.extend(user.email.iter().map(|e| e.trim().to_lowercase()));
        k.phones.extend(user.mobile.iter().map(|m| phone_key(m)));
        for p in user.connections.iter().filter_map(|c| c.profile.as_ref()) {
            k.names.push(words(&p.full_name()));
            k.names.push(words(&format!("{} {}", p.first, p.last)));
            k.emails.push(p.email.to_lowercase());
            k.phones.push(phone_key(p.phone));
            k.addresses.push(words(&p.formatted_address()));
        }
        k
    }

    /// A name matches when its words are exactly a known name's words (any order, any case);
    /// otherwise the confidence is the share of words in common with the closest known name.
    pub(crate) fn name(&self, input: &str) -> Verdict {
        let mut given = words(input);
        given.sort();
        let mut best = 0.0f64;
        for known in &self.names {
            let mut k = known.clone();
            k.sort();
            if k == given {
                return Verdict::certain(true);
            }
            let common = given.iter().filter(|w| k.contains(w)).count();
            let share = common as f64 / given.len().max(k.len()).max(1) as f64;
            best = best.max(share);
        }
        Verdict { matched: false, confidence: (best * 100.0).round() / 100.0 }
    }

    /// A phone number matches a known one in national form.
    pub(crate) fn phone(&self, input: &str) -> Verdict {
        let key = phone_key(input);
        Verdict::certain(self.phones.contains(&key))
    }

    /// An email matches a known one, ignoring case.
    pub(crate) fn email(&self, input: &str) -> Verdict {
        let key = input.trim().to_lowercase();
        Verdict::certain(self.emails.contains(&key))
    }

    /// An address matches when every word of it appears in a known address; the confidence is
    /// the share of its words found in the closest one.
    pub(crate) fn address(&self, input: &str) -> Verdict {
        let given = words(input);
        if given.is_empty() {
            return Verdict::certain(false);
        }
        let best = self
            .addresses
            .iter()
            .map(|known| given.iter().filter(|w| known.contains(w)).count() as f64 / given.len() as f64)
            .fold(0.0f64, f64::max);
        Verdict { matched: best >= 1.0, confidence: (best * 100.0).round() / 100.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_strings() {
        assert_eq!(parse_cents("1"), Some(100));
        assert_eq!(parse_cents("1.44"), Some(144));
        assert_eq!(parse_cents("9999.9"), Some(999_990));
        assert_eq!(parse_cents("-12.50"), Some(-1250));
        for bad in ["", "ash", "1.", ".5", "1.234", "1e5", "--1", "99999999999999"] {
            assert_eq!(parse_cents(bad), None, "{bad}");
        }
        assert!(in_range(500, 100, None));
        assert!(in_range(500, 500, Some(500)));
        assert!(!in_range(500, 1000, Some(500)));
    }

    #[test]
    fn ratio_buckets() {
        assert_eq!(expense_ratio_range(0, 1000), "0% to 10%");
        assert_eq!(expense_ratio_range(99, 1000), "0% to 10%");
        assert_eq!(expense_ratio_range(100, 1000), "10% to 20%");
        assert_eq!(expense_ratio_range(550, 1000), "50% to 60%");
        assert_eq!(expense_ratio_range(1000, 1000), "90% to 100%");
        assert_eq!(expense_ratio_range(1001, 1000), "Income Exceeded");
        assert_eq!(expense_ratio_range(1, 0), "Income Exceeded");
    }

    #[test]
    fn identity_matching() {
        let k = Known {
            names: vec![words("Gavin Belson")],
            phones: vec![phone_key("+61410000001")],
            emails: vec!["gavin@hooli.com".into()],
            addresses: vec![words("1 Hooli Way, Sydney NSW 2000, Australia")],
        };
        assert_eq!(k.name("belson  GAVIN"), Verdict::certain(true));
        assert_eq!(k.name("Gavin Smith"), Verdict { matched: false, confidence: 0.5 });
        assert!(k.phone("0410 000 001").matched);
        assert!(!k.phone("0410000002").matched);
        assert!(k.email(" Gavin@Hooli.com ").matched);
        assert!(k.address("1 hooli way sydney").matched);
        let partial = k.address("1 hooli way melbourne");
        assert!(!partial.matched);
        assert!((partial.confidence - 0.75).abs() < 1e-9);
    }

    #[test]
    fn account_types() {
        assert_eq!(account_type_word("Savings"), "saving");
        assert_eq!(account_type_word("saving"), account_type_word("savings"));
        assert_eq!(account_type_word("credit card"), account_type_word("credit-card"));
        assert_ne!(account_type_word("loan"), account_type_word("savings"));
    }
}

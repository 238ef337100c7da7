//! Payees derived from a user's transactions: everyone the user sends money to from an everyday or
//! savings account, except the user's own accounts. Transfers become domestic account payees, bill
//! and external loan payments become billers. Ids and bank details are stable for a seed.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::data::Txn;
use super::dates;
use super::seeded::Mix;
use super::state::User;

/// The payee types the sandbox derives (no persona pays abroad, so `international` never occurs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayeeKind {
    Domestic,
    Biller,
    DigitalWallet,
}

impl PayeeKind {
    /// The wire name, also the key of the detail object.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PayeeKind::Domestic => "domestic",
            PayeeKind::Biller => "biller",
            PayeeKind::DigitalWallet => "digitalWallet",
        }
    }

    /// Every wire name Basiq defines (filters may name any of them).
    pub(crate) const NAMES: [&'static str; 4] = ["domestic", "biller", "international", "digitalWallet"];
}

/// A payee of a user.
#[derive(Debug, Clone)]
pub(crate) struct Payee {
    pub(crate) id: String,
    pub(crate) kind: PayeeKind,
    pub(crate) nickname: String,
    pub(crate) description: String,
    pub(crate) connection_id: String,
    /// Unix seconds of the first payment to it.
    pub(crate) created: i64,
    /// The detail object for the payee's type.
    pub(crate) detail: Value,
}

/// Category codes of household bills (electricity, telephone, insurance) paid to billers.
const BILL_CODES: &[&str] = &["2630", "5801", "6322"];
/// Words that mark a transfer between the user's own accounts.
const OWN_ACCOUNT_WORDS: &[&str] = &["CREDIT CARD", "LOAN", "SAVER", "MORTGAGE"];

/// The payee type a debit suggests, or `None` when it is spending or the user's own money moving.
fn kind_of(t: &Txn, own_names: &[String]) -> Option<PayeeKind> {
    let desc = t.description.to_uppercase();
    if desc.contains("PAYPAL") {
        return Some(PayeeKind::DigitalWallet);
    }
    match t.class {
        "transfer" => {
            let own = OWN_ACCOUNT_WORDS.iter().any(|w| desc.contains(w)) || own_names.iter().any(|n| desc.contains(n));
            (!own).then_some(PayeeKind::Domestic)
        }
        "loan-repayment" => Some(PayeeKind::Biller),
        "payment" => match t.sub_class {
            None => Some(PayeeKind::Biller),
            Some((code, _)) if BILL_CODES.contains(&code) => Some(PayeeKind::Biller),
            Some(_) => None,
        },
        _ => None,
    }
}

/// `RENT - RAY WHITE` → `Ray White`.
fn nickname(desc: &str) -> String {
    let name = ["TRANSFER TO ", "PAYMENT TO ", "RENT - ", "PAYROLL - "]
        .iter()
        .find_map(|p| desc.strip_prefix(p))
        .unwrap_or(desc);
    name.split_whitespace()
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn digits(mix: &mut Mix, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + (mix.next_u64() % 10) as u8)).collect()
}

fn detail(kind: PayeeKind, mix: &mut Mix, name: &str) -> Value {
    match kind {
        PayeeKind::Domestic => json!({
            "payeeAccountUType": "account",
            "account": { "bsb": digits(mix, 6), "accountNumber": digits(mix, 9), "accountName": name },
        }),
        PayeeKind::Biller => json!({ "billerCode": digits(mix, 6), "crn": digits(mix, 10), "billerName": name }),
        PayeeKind::DigitalWallet => json!({
            "name": name,
            "identifier": format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
            "type": "EMAIL",
            "provider": "PayPal",
        }),
    }
}

/// The user's payees, oldest first (by the first payment to them).
pub(crate) fn derive(seed: u64, user: &User) -> Vec<Payee> {
    let own_names: Vec<String> = user.accounts.iter().map(|a| a.name.to_uppercase()).collect();
    let everyday: Vec<&str> =
        user.accounts.iter().filter(|a| matches!(a.class, "transaction" | "savings")).map(|a| a.id.as_str()).collect();
    let mut groups: BTreeMap<&str, (PayeeKind, &Txn)> = BTreeMap::new();
    for t in user.txns.iter().filter(|t| !t.pending && t.amount < 0 && everyday.contains(&&*t.account)) {
        let Some(kind) = kind_of(t, &own_names) else {
            continue;
        };
        let entry = groups.entry(t.description.as_str()).or_insert((kind, t));
        if t.post < entry.1.post {
            entry.1 = t;
        }
    }
    let mut payees: Vec<Payee> = groups
        .into_iter()
        .map(|(desc, (kind, first))| {
            let mut mix = Mix::new(seed, &[&user.id, desc, "payee"]);
            let name = nickname(desc);
            Payee {
                id: mix.uuid(),
                kind,
                detail: detail(kind, &mut mix, &name),
                nickname: name,
                description: desc.to_owned(),
                connection_id: first.connection.to_string(),
                created: first.post.unwrap_or(0),
            }
        })
        .collect();
    payees.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
    payees
}

impl Payee {
    /// The list entry.
    pub(crate) fn summary(&self, user_id: &str, base: &str) -> Value {
        json!({
            "type": "payee",
            "id": self.id,
            "nickname": self.nickname,
            "description": self.description,
            "payeeType": self.kind.as_str(),
            "connectionId": self.connection_id,
            "createdDate": dates::fmt_datetime(self.created),
            "links": { "self": format!("{base}/users/{user_id}/payees/{}", self.id) },
        })
    }

    /// The full payee: the list entry plus the detail object named after its type.
    pub(crate) fn details(&self, user_id: &str, base: &str) -> Value {
        let mut out = self.summary(user_id, base);
        out[self.kind.as_str()] = self.detail.clone();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicknames() {
        assert_eq!(nickname("RENT - RAY WHITE"), "Ray White");
        assert_eq!(nickname("TRANSFER TO JARED DUNN"), "Jared Dunn");
        assert_eq!(nickname("AGL ENERGY"), "Agl Energy");
    }

    #[test]
    fn kinds() {
        let a: std::sync::Arc<str> = std::sync::Arc::from("a");
        let t = |desc: &str, class: &'static str, sub: Option<(&'static str, &'static str)>| Txn {
            id: desc.into(),
            account: a.clone(),
            connection: a.clone(),
            institution: a.clone(),
            pending: false,
            description: desc.into(),
            amount: -100,
            balance: None,
            class,
            sub_class: sub,
            post: Some(0),
            date: None,
        };
        let own = vec!["ONLINE SAVER".to_owned()];
        assert_eq!(kind_of(&t("RENT - RAY WHITE", "transfer", None), &own), Some(PayeeKind::Domestic));
        assert_eq!(kind_of(&t("TRANSFER TO ONLINE SAVER", "transfer", None), &own), None);
        assert_eq!(kind_of(&t("PAYMENT TO CREDIT CARD", "transfer", None), &own), None);
        assert_eq!(kind_of(&t("AGL ENERGY", "payment", Some(("2630", "x"))), &own), Some(PayeeKind::Biller));
        assert_eq!(kind_of(&t("WOOLWORTHS", "payment", Some(("4110", "x"))), &own), None);
        assert_eq!(kind_of(&t("PAYPAL *FRIEND", "payment", Some(("4110", "x"))), &own), Some(PayeeKind::DigitalWallet));
    }
}

//! The bank data a connection yields: accounts, transactions (with their running balances) and
//! the holder's profile.

use std::sync::Arc;

/// A bank account produced for a connection.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) bsb: String,
    pub(crate) number: String,
    pub(crate) class: &'static str,
    pub(crate) product: String,
    /// Current balance in cents (negative for debts).
    pub(crate) balance: i64,
    /// Available funds in cents.
    pub(crate) available: i64,
    /// Credit limit in cents, for cards.
    pub(crate) credit_limit: Option<i64>,
    pub(crate) ownership: &'static str,
    pub(crate) holder: String,
    pub(crate) connection: Arc<str>,
    pub(crate) institution: Arc<str>,
    /// Unix seconds of the last refresh.
    pub(crate) last_updated: i64,
    /// Unix seconds of the opening date.
    pub(crate) opened: i64,
    /// First and last day (unix seconds) covered by transactions.
    pub(crate) interval: (i64, i64),
}

impl Account {
    /// BSB followed by the account number, Basiq's `accountNo` shape.
    pub(crate) fn account_no(&self) -> String {
        format!("{}{}", self.bsb, self.number)
    }

    /// Last four digits masked the way Basiq shows them.
    pub(crate) fn masked(&self) -> String {
        let tail = &self.number[self.number.len().saturating_sub(4)..];
        format!("xxxxxx{tail}")
    }
}

/// A transaction.
#[derive(Debug, Clone)]
pub(crate) struct Txn {
    pub(crate) id: String,
    pub(crate) account: Arc<str>,
    pub(crate) connection: Arc<str>,
    pub(crate) institution: Arc<str>,
    pub(crate) pending: bool,
    pub(crate) description: String,
    /// Amount in cents; negative = money out.
    pub(crate) amount: i64,
    /// Running balance after this transaction, in cents (posted only).
    pub(crate) balance: Option<i64>,
    pub(crate) class: &'static str,
    pub(crate) sub_class: Option<(&'static str, &'static str)>,
    /// Posting time (unix seconds), `None` while pending.
    pub(crate) post: Option<i64>,
    /// Transaction time (unix seconds), set for pending transactions.
    pub(crate) date: Option<i64>,
}

impl Txn {
    /// Sort key: newest first uses the descending order of this value.
    pub(crate) fn when(&self) -> i64 {
        self.post.or(self.date).unwrap_or(i64::MAX)
    }

    /// `debit` or `credit`.
    pub(crate) fn direction(&self) -> &'static str {
        if self.amount < 0 { "debit" } else { "credit" }
    }

    /// `pending` or `posted`.
    pub(crate) fn status(&self) -> &'static str {
        if self.pending { "pending" } else { "posted" }
    }
}

/// Sort transactions newest first (stable, ties by id).
pub(crate) fn sort_newest_first(txns: &mut [Txn]) {
    txns.sort_by(|a, b| b.when().cmp(&a.when()).then_with(|| a.id.cmp(&b.id)));
}

/// Personal details a connection reports about its holder.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Profile {
    pub(crate) first: &'static str,
    pub(crate) middle: &'static str,
    pub(crate) last: &'static str,
    pub(crate) email: &'static str,
    pub(crate) phone: &'static str,
    pub(crate) street: &'static str,
    pub(crate) city: &'static str,
    pub(crate) state: &'static str,
    pub(crate) postcode: &'static str,
    /// Business name and ABN for business personas.
    pub(crate) business: Option<(&'static str, &'static str)>,
}

impl Profile {
    /// First and last name joined.
    pub(crate) fn full_name(&self) -> String {
        if self.middle.is_empty() {
            format!("{} {}", self.first, self.last)
        } else {
            format!("{} {} {}", self.first, self.middle, self.last)
        }
    }

    /// One-line address.
    pub(crate) fn formatted_address(&self) -> String {
        format!("{}, {} {} {}, Australia", self.street, self.city, self.state, self.postcode)
    }
}

/// Set each posted transaction's running balance, walking back from the account balance.
pub(crate) fn apply_running_balances(accounts: &mut [Account], txns: &mut [Txn]) {
    for acc in accounts.iter_mut() {
        let mut bal = acc.balance;
        let mut pending_out = 0;
        for t in txns.iter_mut().filter(|t| *t.account == *acc.id) {
            if t.pending {
                pending_out += t.amount.min(0);
                continue;
            }
            t.balance = Some(bal);
            bal -= t.amount;
        }
        if acc.credit_limit.is_none() && acc.balance > 0 {
            acc.available = (acc.balance + pending_out).max(0);
        }
    }
}

//! The account object as the API shows it (the accounts routes list it, reports embed it).

use serde_json::{Value, json};

use crate::data::Account;
use crate::dates::{self, DAY};
use crate::filter;
use crate::money;

/// The account object.
pub(crate) fn account_json(a: &Account, user_id: &str, base: &str) -> Value {
    let money = |c: i64| Value::from(money::decimal(c));
    let mut out = json!({
        "type": "account",
        "id": a.id,
        "name": a.name,
        "accountNo": a.account_no(),
        "maskedNumber": a.masked(),
        "bsb": a.bsb,
        "unmaskedAccNum": a.number,
        "accountHolder": a.holder,
        "isOwned": true,
        "accountOwnership": a.ownership,
        "balance": money(a.balance),
        "availableFunds": money(a.available),
        "creditLimit": a.credit_limit.map_or(Value::Null, money),
        "currency": "AUD",
        "class": { "type": a.class, "product": a.product },
        "status": "available",
        "connection": &*a.connection,
        "institution": &*a.institution,
        "lastUpdated": dates::fmt_datetime(a.last_updated),
        "creationDate": dates::fmt_date(a.opened),
        "transactionIntervals": [{ "from": dates::fmt_date(a.interval.0), "to": dates::fmt_date(a.interval.1) }],
        "links": {
            "self": format!("{base}/users/{user_id}/accounts/{}", a.id),
            "transactions": filter::eq_link(&format!("{base}/users/{user_id}/transactions"), "account.id", &a.id),
            "connection": format!("{base}/users/{user_id}/connections/{}", a.connection),
            "institution": format!("{base}/institutions/{}", a.institution),
        },
    });
    if a.class == "credit-card" {
        let due = (-a.balance).max(0);
        out["meta"] = json!({
            "creditCard": {
                "minPaymentAmount": money::decimal(due / 50),
                "paymentDueAmount": money::decimal(due),
                "paymentCurrency": "AUD",
                "paymentDueDate": dates::fmt_date(a.last_updated + 14 * DAY),
            }
        });
    }
    out
}

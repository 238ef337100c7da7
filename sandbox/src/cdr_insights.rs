//! Stored CDR insights: the five insight types, their reference definitions, and a bounded store
//! of the insights users asked for.

use std::collections::VecDeque;

use serde_json::{Value, json};

use super::dates;

/// At most this many insights are kept; the oldest is forgotten when another is stored.
pub(crate) const MAX_INSIGHTS: usize = 2_000;

/// The five insight types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InsightKind {
    Account,
    Balance,
    Identity,
    Income,
    ExpenseRatio,
}

impl InsightKind {
    /// Every type, in the order `GET /insights/types` lists them.
    pub(crate) const ALL: [InsightKind; 5] = [
        InsightKind::Account,
        InsightKind::Balance,
        InsightKind::Identity,
        InsightKind::Income,
        InsightKind::ExpenseRatio,
    ];

    /// The type id createInsight takes (`ACCOUNT_VERIFICATION`).
    pub(crate) fn type_id(self) -> &'static str {
        match self {
            InsightKind::Account => "ACCOUNT_VERIFICATION",
            InsightKind::Balance => "BALANCE_VERIFICATION",
            InsightKind::Identity => "IDENTITY_VERIFICATION",
            InsightKind::Income => "INCOME_VERIFICATION",
            InsightKind::ExpenseRatio => "EXPENSE_RATIO_VERIFICATION",
        }
    }

    /// The `insightType` responses carry (`account`), also the per-user path segment.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            InsightKind::Account => "account",
            InsightKind::Balance => "balance",
            InsightKind::Identity => "identity",
            InsightKind::Income => "income",
            InsightKind::ExpenseRatio => "expense-ratio",
        }
    }

    /// The type with this type id.
    pub(crate) fn from_type_id(id: &str) -> Option<InsightKind> {
        Self::ALL.into_iter().find(|k| k.type_id() == id)
    }

    /// The type with this `insightType` value.
    pub(crate) fn from_slug(slug: &str) -> Option<InsightKind> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// Whether one insight may cover several users (only the expense ratio).
    pub(crate) fn multiple_users(self) -> bool {
        self == InsightKind::ExpenseRatio
    }

    /// The reference definition `GET /insights/types` lists.
    pub(crate) fn definition(self) -> Value {
        let (name, description, schema) = match self {
            InsightKind::Account => (
                "Account Verification",
                "Tells whether the user holds an account with this number, and of this type.",
                json!({ "accountNumber": "string", "accountType": "string" }),
            ),
            InsightKind::Balance => (
                "Balance Verification",
                "Tells, per account, whether the current balance lies between a minimum and a maximum.",
                json!({ "balance": { "min": "string", "max": "string" } }),
            ),
            InsightKind::Identity => (
                "Identity Verification",
                "Compares a name, phone, email and address with what the user's banks report.",
                json!({ "name": "string", "email": "string", "phone": "string", "address": "string" }),
            ),
            InsightKind::Income => (
                "Income Verification",
                "Tells whether the average monthly income lies between a minimum and a maximum.",
                json!({ "income": { "min": "string", "max": "string" } }),
            ),
            InsightKind::ExpenseRatio => (
                "Expense Ratio Verification",
                "Places a monthly expense against the users' monthly income, in ten-point buckets.",
                json!({ "expense": "string" }),
            ),
        };
        json!({
            "type": "insightType",
            "id": self.type_id(),
            "supportMultipleUsers": self.multiple_users(),
            "name": name,
            "description": description,
            "dataSchema": schema,
        })
    }
}

/// One stored insight.
#[derive(Debug, Clone)]
pub(crate) struct StoredInsight {
    pub(crate) id: String,
    /// Unix seconds.
    pub(crate) created: i64,
    /// The users it covers; the first one names `links.self`.
    pub(crate) users: Vec<String>,
    /// Made through `POST /insights`, so the response lists `users`.
    pub(crate) show_users: bool,
    pub(crate) kind: InsightKind,
    pub(crate) data: Vec<Value>,
}

impl StoredInsight {
    /// The insight resource.
    pub(crate) fn to_json(&self, base: &str) -> Value {
        let first = self.users.first().map_or("", String::as_str);
        let mut out = json!({
            "type": "insight",
            "id": self.id,
            "created": dates::fmt_datetime(self.created),
            "insightType": self.kind.slug(),
            "data": self.data,
            "links": { "self": format!("{base}/users/{first}/insights/{}", self.id) },
        });
        if self.show_users {
            out["users"] = json!(self.users);
        }
        out
    }
}

/// The insights asked for so far, oldest first, at most [`MAX_INSIGHTS`].
#[derive(Debug, Default)]
pub(crate) struct InsightStore {
    items: VecDeque<StoredInsight>,
}

impl InsightStore {
    /// Store an insight, forgetting the oldest beyond the cap.
    pub(crate) fn add(&mut self, insight: StoredInsight) {
        self.items.push_back(insight);
        while self.items.len() > MAX_INSIGHTS {
            self.items.pop_front();
        }
    }

    /// A user's insights, newest first.
    pub(crate) fn for_user<'a>(&'a self, user_id: &'a str) -> impl Iterator<Item = &'a StoredInsight> + 'a {
        self.items.iter().rev().filter(move |i| i.users.iter().any(|u| u == user_id))
    }

    /// How many insights are stored.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insight(n: usize, user: &str) -> StoredInsight {
        StoredInsight {
            id: format!("i{n}"),
            created: 0,
            users: vec![user.to_owned()],
            show_users: false,
            kind: InsightKind::Income,
            data: Vec::new(),
        }
    }

    #[test]
    fn store_is_bounded_and_newest_first() {
        let mut store = InsightStore::default();
        for n in 0..MAX_INSIGHTS + 5 {
            store.add(insight(n, if n % 2 == 0 { "a" } else { "b" }));
        }
        assert_eq!(store.len(), MAX_INSIGHTS);
        let newest = store.for_user("a").next().map(|i| i.id.clone());
        assert_eq!(newest.as_deref(), Some(format!("i{}", MAX_INSIGHTS + 4).as_str()));
        assert!(store.for_user("a").all(|i| i.id != "i0"), "the oldest was forgotten");
        assert!(store.for_user("b").count() > 0);
    }

    #[test]
    fn type_names_round_trip() {
        for k in InsightKind::ALL {
            assert_eq!(InsightKind::from_type_id(k.type_id()), Some(k));
            assert_eq!(InsightKind::from_slug(k.slug()), Some(k));
        }
        assert_eq!(InsightKind::from_slug("not-supported"), None);
        assert_eq!(InsightKind::ALL.iter().filter(|k| k.multiple_users()).count(), 1);
    }
}

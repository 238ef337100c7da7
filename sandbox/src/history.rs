//! Generating a connection's data deterministically from `(seed, institution, login)` (ids also
//! from the connection, so no two users share them): persona histories laid out backwards from the
//! anchor day (one year, newest first), and the large synthetic histories benchmarks ask for.

use std::sync::Arc;

use crate::data::{Account, Txn, apply_running_balances, sort_newest_first};
use crate::dates::{self, DAY};
use crate::personas::{EVERYDAY, Flow, Freq, Persona};
use crate::seeded::{self, Mix};

/// Deterministic id of the connection a user's login gets at an institution (the user is part
/// of the key: two users connecting the same persona never share ids).
pub(crate) fn connection_id(seed: u64, user_id: &str, institution: &str, login: &str) -> String {
    Mix::new(seed, &[institution, login, "connection", user_id]).uuid()
}

/// A persona-level id made unique to one connection (accounts and transactions of two
/// connections of the same persona never share ids; the persona's data stays the same).
fn scoped_id(seed: u64, connection: &str, persona_id: &str) -> String {
    Mix::new(seed, &[connection, persona_id]).uuid()
}

/// The data one persona's connection yields.
#[derive(Debug, Default)]
pub(crate) struct PersonaData {
    pub(crate) accounts: Vec<Account>,
    /// Newest first.
    pub(crate) txns: Vec<Txn>,
}

fn days_ago_of(anchor: i64, secs: i64) -> i64 {
    (anchor - secs).div_euclid(DAY)
}

/// Occurrence dates (unix seconds, midnight) of a flow within its active window.
fn occurrences(seed: u64, key: &[&str], f: &Flow, anchor: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let within = |days_ago: i64| days_ago >= f.to.max(1) && days_ago <= f.from;
    match f.freq {
        Freq::Weekly | Freq::Fortnightly => {
            let period = if matches!(f.freq, Freq::Weekly) { 7 } else { 14 };
            let phase = (seeded::hash_parts(seed, key) % period as u64) as i64;
            let mut d = f.to.max(1) + phase;
            while d <= f.from {
                out.push(anchor - d * DAY);
                d += period;
            }
        }
        Freq::Monthly(dom) | Freq::Quarterly(dom) => {
            let step = if matches!(f.freq, Freq::Monthly(_)) { 1 } else { 3 };
            let (y, mo, _) = dates::civil_from_days(anchor / DAY);
            let mut idx = y * 12 + i64::from(mo) - 1;
            for _ in 0..=14 {
                let (yy, mm) = (idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u32);
                let day = dom.min(dates::days_in_month(yy, mm));
                let when = dates::days_from_civil(yy, mm, day) * DAY;
                if within(days_ago_of(anchor, when)) {
                    out.push(when);
                }
                idx -= step;
            }
        }
        Freq::Once(d) => {
            if within(d) {
                out.push(anchor - d * DAY);
            }
        }
    }
    out
}

/// A BSB and an account number drawn from `mix`.
fn bank_numbers(mix: &mut Mix) -> (String, String) {
    let bsb = format!("{:06}", 62_000 + mix.range(0, 9_999));
    (bsb, format!("{:09}", mix.range(10_000_000, 999_999_999)))
}

/// Build a persona's accounts and transactions for a connection.
pub(crate) fn generate(
    seed: u64,
    institution: &str,
    connection: &str,
    p: &Persona,
    anchor: i64,
    now: i64,
) -> PersonaData {
    let conn: Arc<str> = Arc::from(connection);
    let inst: Arc<str> = Arc::from(institution);
    let login = p.login;
    let holder = p.profile.full_name();
    let mut accounts: Vec<Account> = p
        .accounts
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let idx = i.to_string();
            let mut mix = Mix::new(seed, &[institution, login, "account", &idx]);
            let id = scoped_id(seed, connection, &mix.uuid());
            let (bsb, number) = bank_numbers(&mut mix);
            let cents = spec.balance + spec.balance.abs() * mix.range(-5, 5) / 100;
            let available = match spec.credit_limit {
                Some(limit) => limit + cents,
                None if cents > 0 => cents,
                None => 0,
            };
            Account {
                id,
                name: spec.name.to_owned(),
                bsb,
                number,
                class: spec.class,
                product: spec.product.to_owned(),
                balance: cents,
                available,
                credit_limit: spec.credit_limit,
                ownership: spec.ownership,
                holder: holder.clone(),
                connection: conn.clone(),
                institution: inst.clone(),
                last_updated: now,
                opened: anchor - (700 + mix.range(0, 2000)) * DAY,
                interval: (anchor - 365 * DAY, anchor),
            }
        })
        .collect();
    let acc_ids: Vec<Arc<str>> = accounts.iter().map(|a| Arc::from(a.id.as_str())).collect();
    let mut txns = Vec::new();
    let mut push = |account: usize,
                    mix: &mut Mix,
                    desc: &str,
                    class: &'static str,
                    sub: Option<(&'static str, &'static str)>,
                    amount: i64,
                    when: i64,
                    pending: bool| {
        let Some(acc) = acc_ids.get(account) else {
            return;
        };
        txns.push(Txn {
            id: scoped_id(seed, &conn, &mix.uuid()),
            account: acc.clone(),
            connection: conn.clone(),
            institution: inst.clone(),
            pending,
            description: desc.to_owned(),
            amount,
            balance: None,
            class,
            sub_class: sub,
            post: if pending { None } else { Some(when) },
            date: if pending { Some(when) } else { None },
        });
    };
    for (fi, f) in p.flows.iter().enumerate() {
        let fi = fi.to_string();
        for (k, when) in occurrences(seed, &[institution, login, "flow", &fi], f, anchor).into_iter().enumerate() {
            let k = k.to_string();
            let mut mix = Mix::new(seed, &[institution, login, "flow", &fi, &k]);
            let days_ago = days_ago_of(anchor, when).clamp(0, 365);
            let mut amount = f.amount;
            if f.growth != 0 {
                amount += amount * f.growth * (365 - days_ago) / 365 / 100;
            }
            if f.jitter != 0 {
                amount += amount * mix.range(-f.jitter, f.jitter) / 100;
            }
            push(f.account, &mut mix, f.desc, f.class, f.sub, amount, when, false);
        }
    }
    for (si, s) in p.spend.iter().enumerate() {
        let si = si.to_string();
        for day in 0..365i64 {
            let d = day.to_string();
            let mut mix = Mix::new(seed, &[institution, login, "spend", &si, &d]);
            let mut budget = s.per_day + mix.range(0, 99);
            while budget >= 100 {
                budget -= 100;
                let merchant = s.merchants[mix.pick(s.merchants.len())];
                let amount = -mix.range(merchant.min, merchant.max);
                let pending = day == 0;
                let when = if pending { anchor } else { anchor - day * DAY };
                push(s.account, &mut mix, merchant.desc, merchant.class, Some(merchant.sub), amount, when, pending);
            }
        }
    }
    // Two pending card authorisations on the first account, dated today.
    for n in 0..2 {
        let k = n.to_string();
        let mut mix = Mix::new(seed, &[institution, login, "pending", &k]);
        let merchant = EVERYDAY[mix.pick(EVERYDAY.len())];
        let amount = -mix.range(merchant.min, merchant.max);
        push(0, &mut mix, merchant.desc, merchant.class, Some(merchant.sub), amount, anchor, true);
    }
    sort_newest_first(&mut txns);
    apply_running_balances(&mut accounts, &mut txns);
    PersonaData { accounts, txns }
}

/// A large synthetic history (`count` posted transactions, newest first) for benchmarks.
pub(crate) fn bench_history(seed: u64, user: &str, acc: &Account, count: usize, anchor: i64) -> Vec<Txn> {
    let account: Arc<str> = Arc::from(acc.id.as_str());
    let span_days = (count as i64 / 100).max(365);
    let mut out = Vec::with_capacity(count);
    for k in 0..count {
        let ks = k.to_string();
        let mut mix = Mix::new(seed, &[user, &acc.id, "bench", &ks]);
        let day = 1 + (k as i64 * span_days) / count.max(1) as i64;
        let (desc, class, sub, amount) = if k % 25 == 0 {
            ("SALARY HOOLI XYZ PTY LTD", "direct-credit", None, mix.range(150_000, 450_000))
        } else {
            let m = EVERYDAY[mix.pick(EVERYDAY.len())];
            (m.desc, m.class, Some(m.sub), -mix.range(m.min, m.max))
        };
        out.push(Txn {
            id: mix.uuid(),
            account: account.clone(),
            connection: acc.connection.clone(),
            institution: acc.institution.clone(),
            pending: false,
            description: desc.to_owned(),
            amount,
            balance: None,
            class,
            sub_class: sub,
            post: Some(anchor - day * DAY),
            date: None,
        });
    }
    sort_newest_first(&mut out);
    out
}

/// A bare account used when a benchmark history is requested for a user without accounts.
pub(crate) fn bench_account(
    seed: u64,
    user: &str,
    connection: &str,
    institution: &str,
    anchor: i64,
    now: i64,
) -> Account {
    let mut mix = Mix::new(seed, &[user, "bench-account"]);
    let id = mix.uuid();
    let (bsb, number) = bank_numbers(&mut mix);
    Account {
        id,
        name: "Benchmark Everyday".to_owned(),
        bsb,
        number,
        class: "transaction",
        product: "Everyday Account".to_owned(),
        balance: 1_000_000,
        available: 1_000_000,
        credit_limit: None,
        ownership: "ONE_PARTY",
        holder: "Benchmark User".to_owned(),
        connection: Arc::from(connection),
        institution: Arc::from(institution),
        last_updated: now,
        opened: anchor - 3_000 * DAY,
        interval: (anchor - 365 * DAY, anchor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personas::{PERSONAS, persona};

    const ANCHOR: i64 = 20_000 * DAY;

    #[test]
    fn same_seed_same_data() {
        let p = persona("gavinBelson").unwrap();
        let a = generate(42, "AU00000", "c1", p, ANCHOR, ANCHOR);
        let b = generate(42, "AU00000", "c1", p, ANCHOR, ANCHOR + 3600);
        assert_eq!(a.accounts.len(), 3);
        assert_eq!(a.txns.len(), b.txns.len());
        for (x, y) in a.txns.iter().zip(&b.txns) {
            assert_eq!((&x.id, x.amount), (&y.id, y.amount));
        }
        let c = generate(43, "AU00000", "c1", p, ANCHOR, ANCHOR);
        assert_ne!(a.accounts[0].id, c.accounts[0].id);
    }

    #[test]
    fn histories_are_sorted_and_sized() {
        for p in PERSONAS {
            let d = generate(7, "AU00000", "c", p, ANCHOR, ANCHOR);
            assert!(!d.accounts.is_empty() && d.accounts.len() <= 4, "{}", p.login);
            assert!(d.txns.windows(2).all(|w| w[0].when() >= w[1].when()), "{}", p.login);
            assert!(d.txns.iter().all(|t| t.amount != 0), "{}", p.login);
        }
        let gavin = generate(7, "AU00000", "c", persona("gavinBelson").unwrap(), ANCHOR, ANCHOR);
        assert!(gavin.txns.len() > 500, "needs more than one page: {}", gavin.txns.len());
        assert!(gavin.txns.iter().filter(|t| t.pending).count() >= 2);
        assert!(gavin.txns.iter().all(|t| t.pending == t.post.is_none()));
    }
}

//! Analytics: how many users and connections the sandbox has, bucketed by day, week (from
//! Monday), month, quarter or year. Users and connections still present are counted from the
//! state; user deletions from the `user.deleted` events.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::State;
use axum::http::Uri;
use serde_json::{Value, json};

use crate::dates::{self, DAY};
use crate::errors::{ApiError, ApiResult};
use crate::form;
use crate::http::{ok, query};
use crate::state::{Connection, Inner, Shared};

/// At most this many buckets per answer (a longer window is refused).
const MAX_BUCKETS: usize = 1_000;
/// The connection methods analytics distinguish, in wire spelling.
const METHODS: [&str; 4] = ["CDR", "WEB", "PDF", "CSV"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Interval {
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    Annually,
}

impl Interval {
    fn parse(s: &str) -> Option<Interval> {
        Some(match s {
            "daily" => Interval::Daily,
            "weekly" => Interval::Weekly,
            "monthly" => Interval::Monthly,
            "quarterly" => Interval::Quarterly,
            "annually" => Interval::Annually,
            _ => return None,
        })
    }

    /// The wire spelling.
    fn name(self) -> &'static str {
        match self {
            Interval::Daily => "daily",
            Interval::Weekly => "weekly",
            Interval::Monthly => "monthly",
            Interval::Quarterly => "quarterly",
            Interval::Annually => "annually",
        }
    }

    /// First day (days since 1970-01-01) of the bucket holding `day`.
    fn start(self, day: i64) -> i64 {
        let (y, m, _) = dates::civil_from_days(day);
        match self {
            Interval::Daily => day,
            Interval::Weekly => day - (day + 3).rem_euclid(7),
            Interval::Monthly => dates::days_from_civil(y, m, 1),
            Interval::Quarterly => dates::days_from_civil(y, (m - 1) / 3 * 3 + 1, 1),
            Interval::Annually => dates::days_from_civil(y, 1, 1),
        }
    }

    /// First day of the bucket after the one starting on `start`.
    fn next(self, start: i64) -> i64 {
        let months = match self {
            Interval::Daily => return start + 1,
            Interval::Weekly => return start + 7,
            Interval::Monthly => 1,
            Interval::Quarterly => 3,
            Interval::Annually => 12,
        };
        let (y, m, _) = dates::civil_from_days(start);
        let idx = y * 12 + i64::from(m) - 1 + months;
        dates::days_from_civil(idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u32, 1)
    }
}

/// The parsed window: interval, the dates echoed back, and bucket bounds in unix seconds.
struct Window {
    interval: &'static str,
    from: String,
    to: String,
    /// `[start, end)` of each bucket, oldest first.
    buckets: Vec<(i64, i64)>,
}

fn window(s: &Shared, q: &[(String, String)]) -> ApiResult<Window> {
    let raw = form::field(q, "interval")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::missing_param("interval", "interval is required."))?;
    let interval = Interval::parse(raw).ok_or_else(|| {
        ApiError::invalid_param("interval", "interval must be daily, weekly, monthly, quarterly or annually.")
    })?;
    let date = |name: &str| -> ApiResult<Option<i64>> {
        match form::field(q, name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => dates::parse_date(v)
                .map(|secs| Some(secs / DAY))
                .ok_or_else(|| ApiError::invalid_param(name, format!("{name} must be a YYYY-MM-DD date."))),
        }
    };
    let to = date("toDate")?.unwrap_or_else(|| s.cfg.clock.now_wall().div_euclid(DAY));
    let from = date("fromDate")?.unwrap_or_else(|| interval.start(s.cfg.clock.anchor_day() / DAY).min(to));
    if from > to {
        return Err(ApiError::invalid_param("fromDate", "fromDate must not be after toDate."));
    }
    let mut buckets = Vec::new();
    let mut start = interval.start(from);
    while start <= to {
        if buckets.len() == MAX_BUCKETS {
            return Err(ApiError::invalid_param(
                "fromDate",
                format!("The window holds more than {MAX_BUCKETS} {raw} buckets; narrow it."),
            ));
        }
        let end = interval.next(start);
        buckets.push((start * DAY, end * DAY));
        start = end;
    }
    Ok(Window { interval: interval.name(), from: dates::fmt_date(from * DAY), to: dates::fmt_date(to * DAY), buckets })
}

fn method_key(c: &Connection) -> &'static str {
    match c.method {
        "web" => "WEB",
        "pdf" => "PDF",
        "csv" => "CSV",
        _ => "CDR",
    }
}

/// The `connectionType` list: lowercase `all, cdr, pdf, web, csv`, comma-separated or repeated.
fn connection_types(q: &[(String, String)]) -> ApiResult<Vec<&'static str>> {
    let mut wanted = Vec::new();
    for (_, raw) in q.iter().filter(|(k, _)| k == "connectionType") {
        for v in raw.split(',').map(str::trim).filter(|v| !v.is_empty()) {
            match v {
                "all" => wanted.extend(METHODS),
                "cdr" => wanted.push("CDR"),
                "web" => wanted.push("WEB"),
                "pdf" => wanted.push("PDF"),
                "csv" => wanted.push("CSV"),
                other => {
                    return Err(ApiError::invalid_param(
                        "connectionType",
                        format!("connectionType {other} is not one of all, cdr, pdf, web, csv."),
                    ));
                }
            }
        }
    }
    Ok(if wanted.is_empty() { METHODS.to_vec() } else { wanted })
}

fn meta(w: &Window) -> Value {
    json!({ "totalRecords": w.buckets.len(), "page": 1, "pageSize": w.buckets.len() })
}

/// Creation times of every user the sandbox has had (live users, and deleted users whose
/// `user.created` event is still recorded) and deletion times, in unix seconds.
fn user_history(inner: &Inner) -> (Vec<i64>, Vec<i64>) {
    let user_events =
        |kind: &'static str| inner.events.iter().filter(move |e| e.entity == "user" && e.event_type == kind);
    let deleted: HashSet<&str> = user_events("deleted").map(|e| e.user_id.as_str()).collect();
    let mut created: Vec<i64> = inner.users.values().map(|u| u.created).collect();
    created.extend(user_events("created").filter(|e| deleted.contains(e.user_id.as_str())).map(|e| e.created));
    (created, user_events("deleted").map(|e| e.created).collect())
}

/// `GET /analytics/users` (getUserAnalytics).
pub(crate) async fn user_analytics(State(s): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    let q = query(&uri);
    let w = window(&s, &q)?;
    let types = connection_types(&q)?;
    let mut inner = s.write();
    inner.settle_all(&s.cfg);
    let (created, deleted) = user_history(&inner);
    let count = |times: &[i64], lo: i64, hi: i64| times.iter().filter(|t| (lo..hi).contains(*t)).count();
    let first = w.buckets.first().map_or(0, |b| b.0);
    let data: Vec<Value> = w
        .buckets
        .iter()
        .map(|&(start, end)| {
            let mut distribution = json!({ "CDR": 0, "WEB": 0, "PDF": 0, "CSV": 0 });
            let mut connected = 0;
            for u in inner.users.values().filter(|u| u.created < end) {
                let methods: Vec<&str> = u
                    .connections
                    .iter()
                    .filter(|c| c.created < end)
                    .map(method_key)
                    .filter(|m| types.contains(m))
                    .collect();
                if !methods.is_empty() {
                    connected += 1;
                }
                for m in METHODS.iter().filter(|m| methods.contains(m)) {
                    distribution[*m] = json!(distribution[*m].as_u64().unwrap_or(0) + 1);
                }
            }
            let alive = count(&created, i64::MIN, end).saturating_sub(count(&deleted, i64::MIN, end));
            json!({
                "date": dates::fmt_date(start),
                "created": count(&created, start, end),
                "deleted": count(&deleted, start, end),
                "active": { "total": alive, "connected": { "total": connected, "distribution": distribution } },
            })
        })
        .collect();
    ok(json!({
        "interval": w.interval,
        "fromDate": w.from,
        "toDate": w.to,
        "meta": meta(&w),
        "initial": { "created": count(&created, i64::MIN, first), "deleted": count(&deleted, i64::MIN, first) },
        "data": data,
    }))
}

/// `{CDR, WEB, PDF, CSV}` counts of connections.
fn by_method<'a>(conns: impl Iterator<Item = &'a Connection>) -> Value {
    let mut out = json!({ "CDR": 0, "WEB": 0, "PDF": 0, "CSV": 0 });
    for c in conns {
        let k = method_key(c);
        out[k] = json!(out[k].as_u64().unwrap_or(0) + 1);
    }
    out
}

/// `{successful, pending, failed}` counts of connections by their current status.
fn by_status<'a>(conns: impl Iterator<Item = &'a Connection>) -> (Value, usize, usize) {
    let (mut ok, mut pending, mut failed) = (0usize, 0usize, 0usize);
    for c in conns {
        match c.status {
            "active" => ok += 1,
            "pending" => pending += 1,
            _ => failed += 1,
        }
    }
    (json!({ "successful": ok, "pending": pending, "failed": failed }), ok + pending + failed, failed)
}

/// `GET /analytics/connections` (getConnectionAnalytics).
pub(crate) async fn connection_analytics(State(s): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    let q = query(&uri);
    let w = window(&s, &q)?;
    let mut inner = s.write();
    inner.settle_all(&s.cfg);
    let all: Vec<&Connection> = inner.users.values().flat_map(|u| u.connections.iter()).collect();
    let first = w.buckets.first().map_or(0, |b| b.0);
    let before = |t: i64| all.iter().copied().filter(move |c| c.created < t);
    let data: Vec<Value> = w
        .buckets
        .iter()
        .map(|&(start, end)| {
            let created: Vec<&Connection> = all.iter().copied().filter(|c| (start..end).contains(&c.created)).collect();
            let (status, total, failed) = by_status(before(end));
            let mut methods = json!({});
            for m in METHODS {
                methods[m] = by_status(before(end).filter(|c| method_key(c) == m)).0;
            }
            let rate = if total == 0 { 0.0 } else { failed as f64 * 100.0 / total as f64 };
            json!({
                "date": dates::fmt_date(start),
                "disruptionRate": format!("{rate:.1}"),
                "created": { "count": created.len(), "methodDistribution": by_method(created.into_iter()) },
                "nonDeleted": { "count": total, "statusDistribution": status, "methodDistribution": methods },
            })
        })
        .collect();
    ok(json!({
        "interval": w.interval,
        "fromDate": w.from,
        "toDate": w.to,
        "meta": meta(&w),
        "initial": { "created": { "count": before(first).count(), "methodDistribution": by_method(before(first)) } },
        "data": data,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i64 {
        dates::parse_date(s).map_or(0, |t| t / DAY)
    }

    #[test]
    fn bucket_starts() {
        let d = day("2025-05-15");
        assert_eq!(Interval::Weekly.start(d), day("2025-05-12"), "weeks start on Monday");
        assert_eq!(Interval::Monthly.start(d), day("2025-05-01"));
        assert_eq!(Interval::Quarterly.start(d), day("2025-04-01"));
        assert_eq!(Interval::Annually.start(d), day("2025-01-01"));
        assert_eq!(Interval::Monthly.next(day("2025-12-01")), day("2026-01-01"));
        assert_eq!(Interval::Quarterly.next(day("2025-10-01")), day("2026-01-01"));
        assert_eq!(Interval::Weekly.next(day("2025-05-12")), day("2025-05-19"));
    }
}

//! Statement uploads: `POST /users/{userId}/statements` (multipart) creates a connection job.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};

use crate::data::{self, Account, Txn};
use crate::dates::{self, DAY};
use crate::errors::{ApiError, ApiResult};
use crate::history::{self, PersonaData};
use crate::http::{json, read_body};
use crate::institutions;
use crate::jobs::{self, Job, job_reference};
use crate::personas::{self, Failure, Outcome};
use crate::seeded::{self, Mix};
use crate::state::{Connection, Shared};

/// Largest statement accepted (bytes).
const MAX_STATEMENT: usize = 20 * 1024 * 1024;

/// One part of a multipart body.
#[derive(Debug)]
pub(crate) struct Part {
    pub(crate) name: String,
    pub(crate) filename: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) data: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

fn disposition_param(header: &str, key: &str) -> Option<String> {
    header.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Parse a `multipart/form-data` body; `None` when malformed.
pub(crate) fn parse_multipart(body: &[u8], boundary: &str) -> Option<Vec<Part>> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let mut pos = find(body, delim, 0)? + delim.len();
    let mut parts = Vec::new();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            return Some(parts);
        }
        if body.get(pos..pos + 2) == Some(b"\r\n") {
            pos += 2;
        }
        let head_end = find(body, b"\r\n\r\n", pos)?;
        let head = std::str::from_utf8(&body[pos..head_end]).ok()?;
        let data_start = head_end + 4;
        let mut next_delim = Vec::with_capacity(delim.len() + 2);
        next_delim.extend_from_slice(b"\r\n");
        next_delim.extend_from_slice(delim);
        let data_end = find(body, &next_delim, data_start)?;
        let mut name = None;
        let mut filename = None;
        let mut content_type = None;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                name = disposition_param(v, "name");
                filename = disposition_param(v, "filename");
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_owned());
            }
        }
        parts.push(Part { name: name?, filename, content_type, data: body[data_start..data_end].to_vec() });
        pos = data_end + next_delim.len();
    }
}

fn parse_amount(s: &str) -> Option<i64> {
    let s = s.trim().trim_matches('"').replace(['$', ' '], "");
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, s),
    };
    let (whole, frac) = s.split_once('.').unwrap_or((&s, "0"));
    let whole: i64 = whole.parse().ok()?;
    let mut frac = frac.to_owned();
    frac.truncate(2);
    while frac.len() < 2 {
        frac.push('0');
    }
    let cents = whole * 100 + frac.parse::<i64>().ok()?;
    Some(if neg { -cents } else { cents })
}

fn parse_any_date(s: &str) -> Option<i64> {
    let s = s.trim().trim_matches('"');
    dates::parse_date(s).or_else(|| {
        let mut it = s.split('/');
        let (d, m, y) = (it.next()?, it.next()?, it.next()?);
        dates::parse_date(&format!("{y:0>4}-{m:0>2}-{d:0>2}"))
    })
}

/// Rows of a `date,description,amount` CSV (header and unreadable lines skipped).
fn parse_csv(text: &str) -> Vec<(i64, String, i64)> {
    text.lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            if cols.len() < 3 {
                return None;
            }
            let date = parse_any_date(cols[0])?;
            let amount = parse_amount(cols[2])?;
            Some((date, cols[1].trim().trim_matches('"').to_owned(), amount))
        })
        .collect()
}

/// `POST /users/{userId}/statements` (createStatement).
pub(crate) async fn create_statement(
    State(s): State<Arc<Shared>>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let ctype = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let boundary = ctype
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_owned())
        .filter(|_| ctype.to_ascii_lowercase().starts_with("multipart/form-data"))
        .ok_or_else(|| ApiError::invalid_content("The statement must be uploaded as multipart/form-data."))?;
    let body = read_body(body, MAX_STATEMENT).await?;
    let parts = parse_multipart(&body, &boundary)
        .ok_or_else(|| ApiError::invalid_content("The multipart body could not be read."))?;
    let institution_id = parts
        .iter()
        .find(|p| p.name == "institutionId")
        .map(|p| String::from_utf8_lossy(&p.data).trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::missing_param("institutionId", "Institution ID not supplied"))?;
    let file = parts
        .iter()
        .find(|p| p.name == "statement")
        .ok_or_else(|| ApiError::missing_param("statement", "Statement file not supplied"))?;
    let inst = institutions::institution(&institution_id).filter(|i| i.statements).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "institution-not-supported",
            "Institution not supported",
            format!("Institution {institution_id} is not supported on this endpoint"),
        )
        .param("institutionId")
    })?;
    let name = file.filename.clone().unwrap_or_default().to_ascii_lowercase();
    let is_csv = name.ends_with(".csv") || file.content_type.as_deref().is_some_and(|c| c.contains("csv"));
    let is_pdf = name.ends_with(".pdf") || file.data.starts_with(b"%PDF");
    let digest = format!("{:016x}", seeded::hash_parts(s.cfg.seed, &[&String::from_utf8_lossy(&file.data)]));

    let mut inner = s.write();
    inner.user(&user_id)?;
    let now = s.cfg.clock.now_wall();
    let anchor = s.cfg.clock.anchor_day();
    let conn_id = Mix::new(s.cfg.seed, &[&user_id, "statement", &digest]).uuid();
    let failure = if file.data.is_empty() {
        Some(Failure {
            code: "empty-file",
            title: "Statement file is empty.",
            detail: "The uploaded statement file contains no data.",
        })
    } else if !is_csv && !is_pdf {
        Some(Failure {
            code: "bank-statement-not-supported",
            title: "Statement not supported.",
            detail: "Only PDF and CSV statements can be read.",
        })
    } else {
        None
    };
    let conn_arc: Arc<str> = Arc::from(conn_id.as_str());
    let inst_arc: Arc<str> = Arc::from(inst.id);
    let mut mix = Mix::new(s.cfg.seed, &[&user_id, "statement-account", &digest]);
    let mut account = history::bench_account(s.cfg.seed, &digest, &conn_id, inst.id, anchor, now);
    account.id = mix.uuid();
    account.name = "Uploaded statement account".to_owned();
    let acc_arc: Arc<str> = Arc::from(account.id.as_str());
    let rows = if is_csv { parse_csv(&String::from_utf8_lossy(&file.data)) } else { Vec::new() };
    let rows = if rows.is_empty() {
        (0..40)
            .map(|k| {
                let m = personas::EVERYDAY[mix.pick(personas::EVERYDAY.len())];
                (anchor - (1 + k * 2) * DAY, m.desc.to_owned(), -mix.range(m.min, m.max))
            })
            .collect()
    } else {
        rows
    };
    let mut txns: Vec<Txn> = rows
        .into_iter()
        .map(|(date, desc, amount)| Txn {
            id: mix.uuid(),
            account: acc_arc.clone(),
            connection: conn_arc.clone(),
            institution: inst_arc.clone(),
            pending: false,
            description: desc,
            amount,
            balance: None,
            class: if amount < 0 { "payment" } else { "transfer" },
            sub_class: None,
            post: Some(date),
            date: None,
        })
        .collect();
    data::sort_newest_first(&mut txns);
    if let (Some(first), Some(last)) = (txns.last(), txns.first()) {
        account.interval = (first.post.unwrap_or(anchor), last.post.unwrap_or(anchor));
    }
    let mut accounts: Vec<Account> = vec![account];
    data::apply_running_balances(&mut accounts, &mut txns);

    let outcome = failure.map_or(Outcome::Success, Outcome::FailVerify);
    let steps = jobs::connection_steps(&user_id, &conn_id, inst.id, outcome, None);
    let connection_id = failure.is_none().then(|| conn_id.clone());
    let job =
        Job::connection(inner.new_id(), user_id.clone(), s.cfg.clock.now(), steps, connection_id, inst.id.to_owned());
    let job_id = inner.add_job(job);
    if failure.is_none() {
        let user = inner.user_mut(&user_id)?;
        user.connections.retain(|c| c.id != conn_id);
        let method = if is_csv { "csv" } else { "pdf" };
        let data = PersonaData { accounts, txns };
        user.connections.push(Connection::pending(conn_id, inst.id.to_owned(), method, job_id.clone(), now, data));
    }
    Ok(json(StatusCode::ACCEPTED, job_reference(&job_id, &s.cfg.base_url)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_and_csv() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"institutionId\"\r\n\r\nAU00002\r\n--XyZ\r\nContent-Disposition: form-data; name=\"statement\"; filename=\"s.csv\"\r\nContent-Type: text/csv\r\n\r\ndate,description,amount\r\n2024-01-02,COFFEE,-4.50\n03/01/2024,PAY,100\r\n--XyZ--\r\n";
        let parts = parse_multipart(body, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].data, b"AU00002");
        assert_eq!(parts[1].filename.as_deref(), Some("s.csv"));
        let rows = parse_csv(&String::from_utf8_lossy(&parts[1].data));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].2, -450);
        assert_eq!(rows[1].0, dates::parse_date("2024-01-03").unwrap());
        assert!(parse_multipart(b"garbage", "XyZ").is_none());
    }
}

//! Reading a payments submit body (`{"payrequests":[…]}` or `{"payouts":[…]}`) into checked
//! entries, and the multi-item 400 envelope Basiq answers when any entry is wrong: each item names
//! the entry's `requestId` as `id` and points at the offending field (`/payouts[1]/amount`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::ids;
use super::insight_checks::parse_cents;
use super::payments::Direction;

/// Most entries one submit may carry.
pub(crate) const MAX_ENTRIES: usize = 100;
/// Largest accepted amount, in cents (guards the arithmetic; real limits fail the job instead).
const MAX_AMOUNT: i64 = 100_000_000_000;

/// One error item of a payments 400.
#[derive(Debug, Clone)]
pub(crate) struct EntryError {
    pub(crate) id: Option<String>,
    pub(crate) code: &'static str,
    pub(crate) title: &'static str,
    pub(crate) detail: String,
    pub(crate) pointer: Option<String>,
}

impl EntryError {
    /// A `parameter-not-valid` item pointing at a field.
    pub(crate) fn invalid(id: Option<&str>, pointer: String, detail: impl Into<String>) -> Self {
        EntryError {
            id: id.map(str::to_owned),
            code: "parameter-not-valid",
            title: "Parameter not valid.",
            detail: detail.into(),
            pointer: Some(pointer),
        }
    }

    /// A `resource-already-exists` item for a reused request id.
    pub(crate) fn duplicate(id: &str, pointer: String) -> Self {
        EntryError {
            id: Some(id.to_owned()),
            code: "resource-already-exists",
            title: "Resource already exists.",
            detail: format!("The requestId {id} was used already."),
            pointer: Some(pointer),
        }
    }

    fn body_level(code: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        EntryError { id: None, code, title, detail: detail.into(), pointer: None }
    }
}

/// A rejected submit: every error found, answered as one 400 envelope.
#[derive(Debug, Clone)]
pub(crate) struct Rejection(pub(crate) Vec<EntryError>);

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let data: Vec<Value> = self
            .0
            .into_iter()
            .map(|e| {
                let mut item = json!({
                    "type": "error",
                    "code": e.code,
                    "title": e.title,
                    "detail": e.detail,
                });
                if let Some(pointer) = e.pointer {
                    item["source"] = json!({ "pointer": pointer });
                }
                if let Some(id) = e.id {
                    item["id"] = json!(id);
                }
                item
            })
            .collect();
        let body = json!({
            "type": "list",
            "correlationId": ids::random_uuid(&mut rand::rng()),
            "data": data,
        });
        (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
    }
}

/// A checked entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) request_id: String,
    pub(crate) user_id: String,
    pub(crate) bsb: Option<String>,
    pub(crate) account_number: Option<String>,
    pub(crate) description: String,
    /// Cents.
    pub(crate) amount: i64,
    /// The method that will be used (`batch` or `fast`).
    pub(crate) method: &'static str,
    /// The method asked for, when one was.
    pub(crate) requested_method: Option<String>,
    pub(crate) collect_to_float: Option<bool>,
    pub(crate) check_balance: Option<bool>,
}

/// A BSB as six digits (`730002` or `730-002`).
fn bsb(s: &str) -> Option<String> {
    let d: String = s.chars().filter(|c| *c != '-').collect();
    let dashes = s.matches('-').count();
    let well_placed = dashes == 0 || (dashes == 1 && s.find('-') == Some(3));
    (d.len() == 6 && well_placed && d.bytes().all(|b| b.is_ascii_digit())).then_some(d)
}

/// Cents from a JSON number or numeric string of at most two decimals, at least 0.01.
fn amount(v: &Value) -> Option<i64> {
    let cents = match v {
        Value::String(s) => parse_cents(s)?,
        Value::Number(n) => {
            let x = n.as_f64()?;
            let scaled = x * 100.0;
            if !x.is_finite() || (scaled - scaled.round()).abs() > 1e-6 || scaled.abs() > MAX_AMOUNT as f64 {
                return None;
            }
            scaled.round() as i64
        }
        _ => return None,
    };
    (1..=MAX_AMOUNT).contains(&cents).then_some(cents)
}

fn text<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// Check one entry; errors are appended to `errors`.
fn entry(dir: Direction, i: usize, v: &Value, errors: &mut Vec<EntryError>) -> Option<Entry> {
    let at = |field: &str| format!("/{}[{i}]/{field}", dir.plural());
    let Some(obj) = v.as_object() else {
        errors.push(EntryError::invalid(None, format!("/{}[{i}]", dir.plural()), "Each entry must be an object."));
        return None;
    };
    let before = errors.len();
    let request_id = text(obj, "requestId").filter(|r| r.len() <= 100);
    let id = request_id;
    if request_id.is_none() {
        errors.push(EntryError::invalid(id, at("requestId"), "requestId is required (at most 100 characters)."));
    }
    let p = dir.party();
    let party = obj.get(p).and_then(Value::as_object);
    if party.is_none() {
        errors.push(EntryError::invalid(id, at(p), format!("{p} is required.")));
    }
    let empty = Map::new();
    let party = party.unwrap_or(&empty);
    let user_key = format!("{p}UserId");
    let user_id = text(party, &user_key);
    if user_id.is_none() && obj.get(p).is_some() {
        errors.push(EntryError::invalid(id, at(&user_key), format!("{user_key} is required.")));
    }
    let bsb_key = format!("{p}BankBranchCode");
    let number_key = format!("{p}AccountNumber");
    let raw_bsb = text(party, &bsb_key);
    let raw_number = text(party, &number_key);
    let bsb = raw_bsb.and_then(bsb);
    if raw_bsb.is_some() && bsb.is_none() {
        errors.push(EntryError::invalid(id, at(&bsb_key), format!("{bsb_key} must be a six-digit BSB.")));
    }
    let number = raw_number.filter(|n| (5..=10).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()));
    if raw_number.is_some() && number.is_none() {
        errors.push(EntryError::invalid(id, at(&number_key), format!("{number_key} must be 5 to 10 digits.")));
    }
    if raw_bsb.is_some() != raw_number.is_some() {
        let missing = if raw_bsb.is_none() { &bsb_key } else { &number_key };
        errors.push(EntryError::invalid(
            id,
            at(missing),
            format!("{bsb_key} and {number_key} must be given together."),
        ));
    }
    let description = text(obj, "description").filter(|d| d.len() <= 280);
    if description.is_none() {
        errors.push(EntryError::invalid(id, at("description"), "description is required (at most 280 characters)."));
    }
    let cents = obj.get("amount").and_then(amount);
    if cents.is_none() {
        errors.push(EntryError::invalid(
            id,
            at("amount"),
            "amount must be a number of at least 0.01 with at most two decimals.",
        ));
    }
    let (method, requested_method) = match (dir, obj.get("method")) {
        (Direction::Payout, Some(Value::String(m))) => match m.as_str() {
            "batch" => ("batch", Some(m.clone())),
            "fast" | "fast/batch" => ("fast", Some(m.clone())),
            _ => {
                errors.push(EntryError::invalid(id, at("method"), "method must be batch, fast or fast/batch."));
                ("batch", None)
            }
        },
        (Direction::Payout, Some(Value::Null) | None) | (Direction::Payrequest, _) => ("batch", None),
        (Direction::Payout, Some(_)) => {
            errors.push(EntryError::invalid(id, at("method"), "method must be batch, fast or fast/batch."));
            ("batch", None)
        }
    };
    let mut flag = |key: &str| match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errors.push(EntryError::invalid(id, at(key), format!("{key} must be true, false or null.")));
            None
        }
    };
    let collect_to_float = flag("collectFundsToFloat");
    let check_balance = flag("checkAccountBalance");
    if errors.len() != before {
        return None;
    }
    Some(Entry {
        request_id: request_id?.to_owned(),
        user_id: user_id?.to_owned(),
        bsb,
        account_number: number.map(str::to_owned),
        description: description?.to_owned(),
        amount: cents?,
        method,
        requested_method,
        collect_to_float,
        check_balance,
    })
}

/// Read a submit body: every entry checked, request ids unique within the body.
pub(crate) fn parse(dir: Direction, body: &[u8]) -> Result<Vec<Entry>, Rejection> {
    let invalid_content =
        |detail: &str| Rejection(vec![EntryError::body_level("invalid-content", "Invalid request content.", detail)]);
    let v: Value = serde_json::from_slice(body).map_err(|_| invalid_content("The body is not valid JSON."))?;
    let key = dir.plural();
    let items = v
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| invalid_content(&format!("The body must be an object with a {key} list.")))?;
    if items.is_empty() {
        return Err(invalid_content(&format!("The {key} list is empty.")));
    }
    if items.len() > MAX_ENTRIES {
        return Err(Rejection(vec![EntryError::body_level(
            "maximum-count-exceeded",
            "Maximum count exceeded.",
            format!("At most {MAX_ENTRIES} {key} may be submitted at once; got {}.", items.len()),
        )]));
    }
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(e) = entry(dir, i, item, &mut errors) {
            if entries.iter().any(|x: &Entry| x.request_id == e.request_id) {
                errors.push(EntryError::duplicate(&e.request_id, format!("/{key}[{i}]/requestId")));
            }
            entries.push(e);
        }
    }
    if errors.is_empty() { Ok(entries) } else { Err(Rejection(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payout(request_id: &str, amount: Value, bsb: &str) -> Value {
        json!({
            "requestId": request_id,
            "payee": { "payeeUserId": "u1", "payeeBankBranchCode": bsb, "payeeAccountNumber": "123456789" },
            "description": "Dividends",
            "amount": amount,
        })
    }

    fn codes(r: &Rejection) -> Vec<(&str, Option<&str>, Option<&str>)> {
        r.0.iter().map(|e| (e.code, e.pointer.as_deref(), e.id.as_deref())).collect()
    }

    #[test]
    fn reads_amounts_and_bsbs() {
        assert_eq!(amount(&json!(173.45)), Some(17_345));
        assert_eq!(amount(&json!("173.45")), Some(17_345));
        assert_eq!(amount(&json!(0.01)), Some(1));
        for bad in [json!(0), json!(-5), json!(1.234), json!("abc"), json!(true), json!(1e300)] {
            assert_eq!(amount(&bad), None, "{bad}");
        }
        assert_eq!(bsb("730-002").as_deref(), Some("730002"));
        assert_eq!(bsb("73000"), None);
        assert_eq!(bsb("7300-02"), None);
    }

    #[test]
    fn collects_every_error_with_pointers_and_ids() {
        let body = json!({ "payouts": [
            payout("a", json!(10), "730002"),
            payout("b", json!(-1), "12"),
            payout("a", json!(5), "730002"),
        ]});
        let r = parse(Direction::Payout, body.to_string().as_bytes()).unwrap_err();
        assert_eq!(
            codes(&r),
            [
                ("parameter-not-valid", Some("/payouts[1]/payeeBankBranchCode"), Some("b")),
                ("parameter-not-valid", Some("/payouts[1]/amount"), Some("b")),
                ("resource-already-exists", Some("/payouts[2]/requestId"), Some("a")),
            ]
        );
        let ok =
            parse(Direction::Payout, json!({ "payouts": [payout("a", json!(10), "730002")] }).to_string().as_bytes());
        assert_eq!(ok.map(|e| e[0].amount).ok(), Some(1_000));
    }

    #[test]
    fn body_level_errors() {
        let many: Vec<Value> = (0..=MAX_ENTRIES).map(|n| payout(&n.to_string(), json!(1), "730002")).collect();
        let r = parse(Direction::Payout, json!({ "payouts": many }).to_string().as_bytes()).unwrap_err();
        assert_eq!(codes(&r), [("maximum-count-exceeded", None, None)]);
        let r = parse(Direction::Payout, b"{oops").unwrap_err();
        assert_eq!(codes(&r), [("invalid-content", None, None)]);
        let r = parse(Direction::Payrequest, br#"{"payouts":[]}"#).unwrap_err();
        assert_eq!(codes(&r), [("invalid-content", None, None)]);
    }
}

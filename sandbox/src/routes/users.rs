//! Users, consents and auth links.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use serde_json::{Map, Value, json};

use super::paging;
use crate::dates::{self, DAY};
use crate::errors::{ApiError, ApiResult, parse_json_or_empty};
use crate::http::{json, no_content, ok, query, read_body, read_json, self_url};
use crate::state::{AuthLink, Config, Inner, LinkState, Shared, User};
use crate::validate;

/// The user object Basiq returns from create/get/update.
pub(crate) fn user_json(u: &User, base: &str) -> Value {
    let uid = &u.id;
    let refs = |kind: &str, ids: Vec<&str>, path: &str| {
        json!({
            "type": "list",
            "count": ids.len(),
            "data": ids.iter().map(|id| json!({
                "type": kind,
                "id": id,
                "links": { "self": format!("{base}/users/{uid}/{path}/{id}") },
            })).collect::<Vec<_>>(),
        })
    };
    let first = u.first_name.clone().unwrap_or_default();
    let last = u.last_name.clone().unwrap_or_default();
    let name = format!("{first} {last}").trim().to_owned();
    let mut out = json!({
        "type": "user",
        "id": uid,
        "email": u.email.clone().unwrap_or_default(),
        "mobile": u.mobile.clone().unwrap_or_default(),
        "name": name,
        "firstName": first,
        "middleName": u.middle_name.clone().unwrap_or_default(),
        "lastName": last,
        "connections": refs("connection", u.connections.iter().map(|c| c.id.as_str()).collect(), "connections"),
        "accounts": refs("account", u.accounts.iter().map(|a| a.id.as_str()).collect(), "accounts"),
        "links": {
            "self": format!("{base}/users/{uid}"),
            "accounts": format!("{base}/users/{uid}/accounts"),
            "connections": format!("{base}/users/{uid}/connections"),
            "transactions": format!("{base}/users/{uid}/transactions"),
            "auth_link": format!("{base}/users/{uid}/auth_link"),
        },
    });
    let business = [
        ("businessName", u.business_name.clone().map(Value::from)),
        ("businessIdNo", u.business_id_no.clone().map(Value::from)),
        ("businessIdNoType", u.business_id_no_type.clone().map(Value::from)),
        ("businessAddress", u.business_address.clone()),
        ("verificationStatus", u.verification_status.map(Value::from)),
        ("verificationDate", u.verification_date.clone().map(Value::from)),
    ];
    for (k, v) in business {
        if let Some(v) = v {
            out[k] = v;
        }
    }
    out
}

fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s.contains(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|p| !p.is_empty())
}

fn valid_mobile(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| *c != ' ').collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits);
    (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A string field: `Ok(None)` when absent, 400 when `null` or of another JSON type.
fn str_field(obj: &Map<String, Value>, key: &str) -> ApiResult<Option<String>> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(Value::Number(n)) if key == "mobile" => Ok(Some(n.to_string())),
        Some(_) => Err(ApiError::invalid_param(key, format!("Provided {key} is in bad format.")).pointer(key)),
    }
}

/// Validate and apply body fields onto a user.
fn apply_fields(user: &mut User, body: &Value, creating: bool) -> ApiResult<()> {
    let obj = body.as_object().ok_or_else(|| ApiError::invalid_content("Posted user is not in valid format."))?;
    let email = str_field(obj, "email")?.filter(|s| !s.is_empty());
    let mobile = str_field(obj, "mobile")?.filter(|s| !s.is_empty());
    if creating && email.is_none() && mobile.is_none() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "parameter-not-supplied",
            "Required parameter not supplied",
            "One of 'email' or 'mobile' is required.",
        )
        .pointer("email"));
    }
    if email.as_deref().is_some_and(|e| !valid_email(e)) {
        return Err(ApiError::invalid_param("email", "Provided email is in bad format.").pointer("email"));
    }
    if mobile.as_deref().is_some_and(|m| !valid_mobile(m)) {
        return Err(ApiError::invalid_param("mobile", "Provided mobile is in bad format.").pointer("mobile"));
    }
    let business_name = str_field(obj, "businessName")?;
    let business_id_no = str_field(obj, "businessIdNo")?;
    let id_type = str_field(obj, "businessIdNoType")?.filter(|s| !s.is_empty());
    let has_name = business_name.as_deref().is_some_and(|s| !s.is_empty())
        || user.business_name.as_deref().is_some_and(|s| !s.is_empty());
    if business_id_no.as_deref().is_some_and(|s| !s.is_empty()) && !has_name {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "parameter-not-supplied",
            "Required parameter not supplied",
            "Business name is required when business number is provided.",
        )
        .pointer("businessName"));
    }
    if let Some(t) = &id_type
        && t != "ABN"
        && t != "ACN"
    {
        return Err(ApiError::invalid_param("businessIdNoType", "Business id number type must be ABN or ACN.")
            .pointer("businessIdNoType"));
    }
    let address = validate::business_address(obj, "businessAddress")?;
    let verification = match obj.get("verificationStatus") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            return Err(ApiError::invalid_param("verificationStatus", "Verification status must be a boolean.")
                .pointer("verificationStatus"));
        }
    };
    let set = |slot: &mut Option<String>, v: Option<String>| {
        if v.is_some() {
            *slot = v;
        }
    };
    set(&mut user.email, email);
    set(&mut user.mobile, mobile);
    set(&mut user.first_name, validate::optional_text(obj, "firstName")?);
    set(&mut user.middle_name, validate::optional_text(obj, "middleName")?);
    set(&mut user.last_name, validate::optional_text(obj, "lastName")?);
    set(&mut user.business_name, business_name);
    set(&mut user.business_id_no, business_id_no);
    set(&mut user.business_id_no_type, id_type);
    set(&mut user.verification_date, validate::optional_text(obj, "verificationDate")?);
    if address.is_some() {
        user.business_address = address;
    }
    if verification.is_some() {
        user.verification_status = verification;
    }
    Ok(())
}

fn user_event(cfg: &Config, u: &User) -> (String, Value) {
    (format!("{}/users/{}", cfg.base_url, u.id), user_json(u, &cfg.base_url))
}

/// Give a new user its id and creation time, store it and record `user.created`; returns the id
/// and the user object.
pub(crate) fn add_user(inner: &mut Inner, cfg: &Config, mut user: User) -> (String, Value) {
    user.id = inner.new_id();
    user.created = cfg.clock.now_wall();
    let (data_ref, data) = user_event(cfg, &user);
    let id = user.id.clone();
    inner.users.insert(id.clone(), user);
    inner.record_event(cfg, "user", "created", &id, data_ref, data.clone());
    (id, data)
}

/// `POST /users` (createUser).
pub(crate) async fn create_user(State(s): State<Arc<Shared>>, body: Body) -> ApiResult {
    let v = read_json(body, 256 * 1024, "Posted user").await?;
    let mut user = User::default();
    apply_fields(&mut user, &v, true)?;
    let (_, out) = add_user(&mut s.write(), &s.cfg, user);
    Ok(json(StatusCode::CREATED, out))
}

/// `GET /users/{userId}` (getUser).
pub(crate) async fn get_user(State(s): State<Arc<Shared>>, Path(user_id): Path<String>) -> ApiResult {
    let inner = s.settled(&user_id);
    ok(user_json(inner.user(&user_id)?, &s.cfg.base_url))
}

/// `POST /users/{userId}` (updateUser).
pub(crate) async fn update_user(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, body: Body) -> ApiResult {
    let v = read_json(body, 256 * 1024, "Posted user").await?;
    let mut inner = s.settled_mut(&user_id);
    let user = inner.user_mut(&user_id)?;
    let mut updated = user.clone();
    apply_fields(&mut updated, &v, false)?;
    *user = updated;
    let (data_ref, data) = user_event(&s.cfg, user);
    let out = data.clone();
    inner.record_event(&s.cfg, "user", "updated", &user_id, data_ref, data);
    ok(out)
}

/// `DELETE /users/{userId}` (deleteUser): removes the user and everything it owns.
pub(crate) async fn delete_user(State(s): State<Arc<Shared>>, Path(user_id): Path<String>) -> ApiResult {
    let mut inner = s.write();
    let user = inner.users.remove(&user_id).ok_or_else(ApiError::user_not_found)?;
    inner.jobs.retain(|_, j| j.user_id != user_id);
    inner.snapshots.retain(|snap| snap.user_id != user_id);
    let data = json!({ "type": "user", "id": user.id });
    inner.record_event(&s.cfg, "user", "deleted", &user_id, format!("{}/users/{user_id}", s.cfg.base_url), data);
    no_content()
}

fn consent_json(c: &crate::state::Consent, user_id: &str, base: &str) -> Value {
    let perm = |scope: &str, entity: &str, name: &str, desc: &str, attrs: &[&str]| {
        json!({
            "scope": scope,
            "required": true,
            "consented": true,
            "entity": entity,
            "information": { "name": name, "description": desc, "attributeList": attrs },
            "purpose": { "title": name, "description": "Needed to provide the service you signed up for." },
        })
    };
    let mut out = json!({
        "type": "consent",
        "id": c.id,
        "created": dates::fmt_datetime(c.created),
        "updated": dates::fmt_datetime(c.updated),
        "expiryDate": dates::fmt_datetime(c.expiry),
        "origin": "user",
        "status": c.status,
        "purpose": {
            "primary": {
                "title": "Sandbox data sharing",
                "description": "Lets the sandbox application read your accounts and transactions.",
            },
            "other": null,
        },
        "data": {
            "retainData": false,
            "initialRetrievalDays": 365,
            "organisation": null,
            "permissions": [
                perm("account.basic", "account", "Account name, type and balance", "Which accounts you hold and their balances.", &["Name of account", "Type of account", "Account balance"]),
                perm("account.detail", "account", "Account numbers and features", "Account numbers, interest rates and fees.", &["Account number", "Interest rates", "Fees"]),
                perm("transaction.detail", "transaction", "Transaction details", "Incoming and outgoing transactions.", &["Amounts", "Dates", "Descriptions"]),
                perm("customer.person.detail", "connection", "Name and contact details", "Your name, phone numbers and addresses.", &["Name", "Phone", "Email address", "Mailing address"]),
            ],
        },
        "links": {
            "self": format!("{base}/users/{user_id}/consents/{}", c.id),
            "consentPolicy": format!("{base}/policies/{}", c.policy),
            "latestConsentPolicy": format!("{base}/policies/{}", c.policy),
        },
    });
    if let Some(r) = c.revoked {
        out["revoked"] = json!(dates::fmt_datetime(r));
    }
    out
}

/// `GET /users/{userId}/consents` (getConsents).
pub(crate) async fn get_consents(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, uri: Uri) -> ApiResult {
    let cursor = paging::cursor(&query(&uri))?;
    let inner = s.read();
    let user = inner.user(&user_id)?;
    let base = &s.cfg.base_url;
    let data: Vec<Value> = user
        .consents
        .iter()
        .skip(paging::skip(&cursor))
        .take(paging::take(&cursor))
        .map(|c| consent_json(c, &user_id, base))
        .collect();
    let list_url = format!("{base}/users/{user_id}/consents");
    ok(paging::finish(data, &cursor, self_url(&s, &uri), &list_url))
}

/// `DELETE /users/{userId}/consents/{consentId}` (deleteConsent): revokes it and removes the
/// user's connections with their accounts and transactions.
pub(crate) async fn delete_consent(
    State(s): State<Arc<Shared>>,
    Path((user_id, consent_id)): Path<(String, String)>,
) -> ApiResult {
    let now = s.cfg.clock.now_wall();
    let mut inner = s.write();
    let user = inner.user_mut(&user_id)?;
    let consent = user
        .consents
        .iter_mut()
        .find(|c| c.id == consent_id && c.status == "active")
        .ok_or_else(|| ApiError::not_found("Requested consent does not exist.").pointer("consents/consentId"))?;
    consent.status = "revoked";
    consent.revoked = Some(now);
    consent.updated = now;
    user.connections.clear();
    user.accounts.clear();
    user.touch_accounts();
    user.txns.clear();
    let data = json!({ "type": "consent", "id": consent_id, "status": "revoked" });
    inner.record_event(
        &s.cfg,
        "consent",
        "revoked",
        &user_id,
        format!("{}/users/{user_id}/consents/{consent_id}", s.cfg.base_url),
        data,
    );
    no_content()
}

fn auth_link_json(link: &AuthLink, user_id: &str, base: &str) -> Value {
    json!({
        "type": "auth_link",
        "id": link.id,
        "userId": user_id,
        "mobile": link.mobile,
        "expiresAt": dates::fmt_datetime(link.expires),
        "links": {
            "public": format!("{base}/connect/{}", link.id),
            "self": format!("{base}/users/{user_id}/auth_link"),
        },
    })
}

/// `POST /users/{userId}/auth_link` (postAuthLink): replaces any previous link.
pub(crate) async fn post_auth_link(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, body: Body) -> ApiResult {
    let v = parse_json_or_empty(&read_body(body, 64 * 1024).await?, "Posted auth link")?;
    let obj = v.as_object().ok_or_else(|| ApiError::invalid_content("Posted auth link is not in valid format."))?;
    let body_mobile = validate::optional_text(obj, "mobile")?;
    if body_mobile.as_deref().is_some_and(|m| !valid_mobile(m)) {
        return Err(ApiError::invalid_param("mobile", "Provided mobile is in bad format.").pointer("mobile"));
    }
    let now = s.cfg.clock.now_wall();
    let mut inner = s.write();
    let id = inner.new_id().replace('-', "")[..12].to_owned();
    let user = inner.user_mut(&user_id)?;
    let mobile = body_mobile.or_else(|| user.mobile.clone()).ok_or_else(|| {
        ApiError::missing_param("mobile", "Mobile is required to create an auth link.").pointer("mobile")
    })?;
    let link = AuthLink { id, mobile, expires: now + 7 * DAY, state: LinkState::Active };
    let out = auth_link_json(&link, &user_id, &s.cfg.base_url);
    user.auth_link = Some(link);
    Ok(json(StatusCode::CREATED, out))
}

/// `GET /users/{userId}/auth_link` (getAuthLink): 410 once deleted, used or expired.
pub(crate) async fn get_auth_link(State(s): State<Arc<Shared>>, Path(user_id): Path<String>) -> ApiResult {
    let inner = s.read();
    let user = inner.user(&user_id)?;
    let link = user.auth_link.as_ref().ok_or_else(|| ApiError::not_found("The user has no auth link."))?;
    if link.state == LinkState::Gone || link.expires <= s.cfg.clock.now_wall() {
        return Err(ApiError::new(
            StatusCode::GONE,
            "resource-no-longer-available",
            "Resource no longer available",
            "The auth link has been used, deleted or has expired.",
        ));
    }
    ok(auth_link_json(link, &user_id, &s.cfg.base_url))
}

/// `DELETE /users/{userId}/auth_link` (deleteAuthLink).
pub(crate) async fn delete_auth_link(State(s): State<Arc<Shared>>, Path(user_id): Path<String>) -> ApiResult {
    let mut inner = s.write();
    let user = inner.user_mut(&user_id)?;
    match user.auth_link.as_mut() {
        Some(link) if link.state == LinkState::Active => {
            link.state = LinkState::Gone;
            no_content()
        }
        _ => Err(ApiError::not_found("The user has no active auth link.")),
    }
}

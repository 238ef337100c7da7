//! Webhook subscriptions and their messages. Messages are recorded for every matching event;
//! the sandbox never calls out to the subscribed URL (it is fully offline), so `attempts` is empty.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use rand::Rng;
use serde_json::{Value, json};

use super::event_types::EVENT_TYPES;
use super::list_params::paging_params;
use super::paging;
use crate::dates;
use crate::encoding;
use crate::errors::{ApiError, ApiResult};
use crate::filter::{EQ_NE_IN, FieldSpec, Kind};
use crate::http::{json, no_content, ok, query, read_json, self_url};
use crate::ids;
use crate::state::{self, Inner, Message, Shared, Webhook};
use crate::validate;

const MESSAGE_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "eventTypeId", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "eventId", kind: Kind::Text, ops: EQ_NE_IN },
    FieldSpec { name: "webhookId", kind: Kind::Text, ops: EQ_NE_IN },
];

fn webhook_json(w: &Webhook, base: &str) -> Value {
    let mut out = json!({
        "type": "webhook",
        "id": w.id,
        "url": w.url,
        "status": "active",
        "secret": w.secret,
        "subscribedEvents": w.events,
        "links": { "self": format!("{base}/notifications/webhooks/{}", w.id) },
    });
    // Optional strings are left out rather than sent as null.
    for (key, value) in [("name", &w.name), ("description", &w.description)] {
        if let Some(v) = value {
            out[key] = json!(v);
        }
    }
    out
}

fn message_json(m: &Message, base: &str) -> Value {
    json!({
        "id": m.id,
        "webhookId": m.webhook_id,
        "event": m.event_type_id,
        "eventTypeId": m.event_type_id,
        "eventId": m.event_id,
        "payload": {
            "eventTypeId": m.event_type_id,
            "eventId": m.event_id,
            "links": {
                "event": format!("{base}/events/{}", m.event_id),
                "eventEntity": m.entity_url,
            },
        },
        "attempts": [],
        "createdDate": dates::fmt_datetime(m.created),
        "links": {
            "self": format!("{base}/notifications/webhooks/{}/messages/{}", m.webhook_id, m.id),
            "webhook": format!("{base}/notifications/webhooks/{}", m.webhook_id),
            "event": format!("{base}/events/{}", m.event_id),
        },
    })
}

struct WebhookInput {
    name: Option<String>,
    description: Option<String>,
    url: String,
    events: Vec<String>,
}

/// Read and check a posted webhook.
async fn read_input(body: Body) -> ApiResult<WebhookInput> {
    let v = read_json(body, 64 * 1024, "Posted webhook").await?;
    let obj = v.as_object().ok_or_else(|| ApiError::invalid_content("Posted webhook is not in valid format."))?;
    let text = |k: &str| -> ApiResult<Option<String>> {
        match obj.get(k) {
            None => Ok(None),
            // Optional strings are absent or strings, as Basiq reads them: `null` is refused.
            Some(Value::Null) => Err(validate::invalid(k, format!("{k} must not be null."))),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::invalid_content(format!("Field {k} must be a string.")).pointer(k)),
        }
    };
    let url = text("url")?
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ApiError::invalid_content("The url field is required.").pointer("url"))?;
    let parsed = url::Url::parse(url.trim())
        .map_err(|_| ApiError::invalid_content("The url is not a valid URL.").pointer("url"))?;
    if parsed.scheme() != "http" && parsed.scheme() != "https" {
        return Err(ApiError::invalid_content("The url must use http or https.").pointer("url"));
    }
    let events = validate::optional_text_list(obj, "subscribedEvents")?
        .unwrap_or_else(|| EVENT_TYPES.iter().map(|(id, _)| (*id).to_owned()).collect());
    if let Some(bad) = events.iter().find(|e| !EVENT_TYPES.iter().any(|(id, _)| id == e)) {
        return Err(
            ApiError::invalid_content(format!("Event type {bad} is not supported.")).pointer("subscribedEvents")
        );
    }
    let mut uniq: Vec<String> = Vec::new();
    for e in events {
        if !uniq.contains(&e) {
            uniq.push(e);
        }
    }
    Ok(WebhookInput {
        name: text("name")?,
        description: text("description")?,
        url: url.trim().to_owned(),
        events: uniq,
    })
}

fn duplicate_url(inner: &Inner, url: &str, except: Option<&str>) -> bool {
    inner.webhooks.iter().any(|w| w.url == url && Some(w.id.as_str()) != except)
}

fn conflict() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "resource-already-exists",
        "Resource already exists",
        "A webhook with this URL already exists.",
    )
    .pointer("url")
}

fn webhook_not_found() -> ApiError {
    ApiError::not_found("Requested webhook does not exist.").param("webhookId")
}

/// `POST /notifications/webhooks` (addWebhook).
pub(crate) async fn add_webhook(State(s): State<Arc<Shared>>, body: Body) -> ApiResult {
    let input = read_input(body).await?;
    let mut inner = s.write();
    if duplicate_url(&inner, &input.url, None) {
        return Err(conflict());
    }
    let id = inner.new_id();
    let key: [u8; 24] = inner.rng.random();
    let hook = Webhook {
        id,
        name: input.name,
        description: input.description,
        url: input.url,
        secret: format!("whsec_{}", encoding::base64_encode(&key)),
        events: input.events,
    };
    let out = webhook_json(&hook, &s.cfg.base_url);
    inner.webhooks.push(hook);
    Ok(json(StatusCode::CREATED, out))
}

/// `GET /notifications/webhooks` (listAppWebhooks).
pub(crate) async fn list_webhooks(State(s): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    let cursor = paging::cursor(&query(&uri))?;
    let base = &s.cfg.base_url;
    let inner = s.read();
    let data: Vec<Value> = inner
        .webhooks
        .iter()
        .skip(paging::skip(&cursor))
        .take(paging::take(&cursor))
        .map(|w| webhook_json(w, base))
        .collect();
    ok(paging::finish(data, &cursor, self_url(&s, &uri), &format!("{base}/notifications/webhooks")))
}

/// `GET /notifications/webhooks/{webhookId}` (getWebhook).
pub(crate) async fn get_webhook(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let inner = s.read();
    let w = inner.webhooks.iter().find(|w| w.id == id).ok_or_else(webhook_not_found)?;
    ok(webhook_json(w, &s.cfg.base_url))
}

/// `POST /notifications/webhooks/{webhookId}` (updateWebhook).
pub(crate) async fn update_webhook(State(s): State<Arc<Shared>>, Path(id): Path<String>, body: Body) -> ApiResult {
    let input = read_input(body).await?;
    let mut inner = s.write();
    if !inner.webhooks.iter().any(|w| w.id == id) {
        return Err(webhook_not_found());
    }
    if duplicate_url(&inner, &input.url, Some(&id)) {
        return Err(conflict());
    }
    let w = inner.webhooks.iter_mut().find(|w| w.id == id).ok_or_else(webhook_not_found)?;
    w.url = input.url;
    w.events = input.events;
    if input.name.is_some() {
        w.name = input.name;
    }
    if input.description.is_some() {
        w.description = input.description;
    }
    ok(webhook_json(w, &s.cfg.base_url))
}

/// `DELETE /notifications/webhooks/{webhookId}` (deleteWebhook).
pub(crate) async fn delete_webhook(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let mut inner = s.write();
    if !state::remove_where(&mut inner.webhooks, |w| w.id == id) {
        return Err(webhook_not_found());
    }
    inner.messages.retain(|m| m.webhook_id != id);
    no_content()
}

/// `GET /notifications/webhooks/{webhookId}/messages` (listMessages), newest first.
pub(crate) async fn list_messages(State(s): State<Arc<Shared>>, Path(id): Path<String>, uri: Uri) -> ApiResult {
    let (cursor, f) = paging_params(&query(&uri), MESSAGE_FIELDS)?;
    let base = &s.cfg.base_url;
    // Job steps are folded in (recording their messages) under the write lock only when some
    // connection job is unfinished; the listing reads.
    let unsettled = s.read().users.values().any(|u| u.connections.iter().any(|c| c.pending));
    if unsettled {
        s.write().settle_all(&s.cfg);
    }
    let inner = s.read();
    if !inner.webhooks.iter().any(|w| w.id == id) {
        return Err(webhook_not_found());
    }
    let data: Vec<Value> = inner
        .messages
        .iter()
        .rev()
        .filter(|m| m.webhook_id == id)
        .filter(|m| {
            f.matches_text(|field| {
                Some(match field {
                    "eventtypeid" => &m.event_type_id,
                    "eventid" => &m.event_id,
                    "webhookid" => &m.webhook_id,
                    _ => return None,
                })
            })
        })
        .skip(paging::skip(&cursor))
        .take(paging::take(&cursor))
        .map(|m| message_json(m, base))
        .collect();
    ok(paging::finish(data, &cursor, self_url(&s, &uri), &format!("{base}/notifications/webhooks/{id}/messages")))
}

/// `GET /notifications/webhooks/{webhookId}/messages/{messageId}` (getWebhookMessage).
pub(crate) async fn get_message(
    State(s): State<Arc<Shared>>,
    Path((id, message_id)): Path<(String, String)>,
) -> ApiResult {
    let inner = s.read();
    if !inner.webhooks.iter().any(|w| w.id == id) {
        return Err(webhook_not_found());
    }
    let m = inner
        .messages
        .iter()
        .find(|m| m.webhook_id == id && m.id == message_id)
        .ok_or_else(|| ApiError::not_found("Requested message does not exist.").param("messageId"))?;
    ok(message_json(m, &s.cfg.base_url))
}

/// `POST /notifications/messages/test` (testMessage): records a test message for every webhook
/// subscribed to the event type; 400 `no-webhooks-found` when there is none.
pub(crate) async fn test_message(State(s): State<Arc<Shared>>, body: Body) -> ApiResult {
    let v = read_json(body, 64 * 1024, "Posted test message").await?;
    if let Some(obj) = v.as_object() {
        validate::optional_text(obj, "Text")?;
    }
    let type_id = v
        .get("eventTypeId")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::invalid_content("The eventTypeId field is required.").pointer("eventTypeId"))?
        .to_owned();
    if !EVENT_TYPES.iter().any(|(id, _)| *id == type_id) {
        return Err(ApiError::invalid_content(format!("Event type {type_id} is not supported.")).pointer("eventTypeId"));
    }
    let mut inner = s.write();
    if !inner.webhooks.iter().any(|w| w.subscribes(&type_id)) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "no-webhooks-found",
            "No webhooks found",
            "No webhook is subscribed to this event type.",
        ));
    }
    let event_id = ids::hex64(&mut inner.rng);
    let entity_url = format!("{}/events/{event_id}", s.cfg.base_url);
    inner.queue_messages(&type_id, &event_id, &entity_url, s.cfg.clock.now_wall());
    Ok(StatusCode::CREATED.into_response())
}

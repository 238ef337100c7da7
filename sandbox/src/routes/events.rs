//! Events and event types.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::Uri;
use serde_json::{Value, json};

use super::envelopes::sized_list;
use super::event_types::EVENT_TYPES;
use super::list_params::{page_links, paging_params};
use crate::dates;
use crate::errors::{ApiError, ApiResult};
use crate::filter::{EQ_NE, FieldSpec, Kind};
use crate::http::{ok, query, self_url};
use crate::state::{Event, Shared};

const EVENT_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "user.id", kind: Kind::Text, ops: EQ_NE },
    FieldSpec { name: "event.entity", kind: Kind::Text, ops: EQ_NE },
    FieldSpec { name: "event.type", kind: Kind::Text, ops: EQ_NE },
];

fn event_json(e: &Event, base: &str) -> Value {
    json!({
        "type": "event",
        "id": e.id,
        "createdDate": dates::fmt_datetime(e.created),
        "entity": e.entity,
        "eventType": e.event_type,
        "userId": e.user_id,
        "dataRef": e.data_ref,
        "data": e.data,
        "links": { "self": format!("{base}/events/{}", e.id) },
    })
}

fn event_type_json(id: &str, description: &str, base: &str) -> Value {
    json!({
        "type": "eventType",
        "id": id,
        "description": description,
        "links": { "self": format!("{base}/events/types/{id}") },
    })
}

/// `GET /events` (getEvents), newest first, paged (`limit` 1–500, default 500, `links.next`).
/// Only events within the retention period are listed. The cursor counts from the first event
/// ever recorded, so new events and pruned old ones never shift a page. Job steps are folded in
/// under the write lock only when some connection job is unfinished; the listing reads.
pub(crate) async fn get_events(State(s): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    let (cursor, f) = paging_params(&query(&uri), EVENT_FIELDS)?;
    let unsettled = s.read().users.values().any(|u| u.connections.iter().any(|c| c.pending));
    if unsettled {
        s.write().settle_all(&s.cfg);
    }
    let inner = s.read();
    let base = &s.cfg.base_url;
    let cutoff = s.cfg.limits.event_cutoff(s.cfg.clock.now_wall());
    let dropped = inner.pruned.events;
    let total = dropped + inner.events.len();
    // `pos` is one past the absolute index of the next event to list (0 = start at the newest).
    let top = if cursor.pos == 0 { total } else { cursor.pos.min(total) };
    let end = top.saturating_sub(dropped);
    let mut matching =
        inner.events[..end].iter().enumerate().rev().filter(|(_, e)| e.created >= cutoff).filter(|(_, e)| {
            f.matches_text(|field| {
                Some(match field {
                    "user.id" => &e.user_id,
                    "event.entity" => e.entity,
                    "event.type" => e.event_type,
                    _ => return None,
                })
            })
        });
    let data: Vec<Value> = matching.by_ref().take(cursor.limit).map(|(_, e)| event_json(e, base)).collect();
    let next = matching.next().map(|(i, _)| dropped + i + 1);
    let links = page_links(self_url(&s, &uri), &format!("{base}/events"), &cursor, next);
    ok(json!({ "type": "list", "data": data, "links": links }))
}

/// `GET /events/{id}` (getTypeById — Basiq's name for fetching one event).
pub(crate) async fn get_event(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let mut inner = s.write();
    inner.settle_all(&s.cfg);
    let e = inner
        .events
        .iter()
        .find(|e| e.id == id)
        .ok_or_else(|| ApiError::not_found("Requested event does not exist.").param("id"))?;
    ok(event_json(e, &s.cfg.base_url))
}

/// `GET /events/types` (listEventTypes).
pub(crate) async fn list_event_types(State(s): State<Arc<Shared>>) -> ApiResult {
    let base = &s.cfg.base_url;
    let data: Vec<Value> = EVENT_TYPES.iter().map(|(id, d)| event_type_json(id, d, base)).collect();
    ok(sized_list(data, format!("{base}/events/types")))
}

/// `GET /events/types/{id}` (getEventTypeById).
pub(crate) async fn get_event_type(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> ApiResult {
    let (tid, d) = EVENT_TYPES
        .iter()
        .find(|(t, _)| *t == id)
        .ok_or_else(|| ApiError::not_found("Requested event type does not exist.").param("id"))?;
    ok(event_type_json(tid, d, &s.cfg.base_url))
}

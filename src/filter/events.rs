//! Filters for events (`GET /events`) and a webhook's messages
//! (`GET /notifications/webhooks/{webhookId}/messages`); every field takes `eq`.

use super::typed::EqOnly;
use crate::open::{EventEntity, EventType, EventTypeId};

endpoint! {
    /// The events list.
    Events, "get_events", TwoValues;
    /// A filter for [`Client::get_events`](crate::Client::get_events).
    EventFilter;
    /// `user.id`: the events of one user.
    user_id: "user.id", String, EqOnly;
    /// `event.entity`, e.g. connection.
    entity: "event.entity", EventEntity, EqOnly;
    /// `event.type`, e.g. created.
    event_type: "event.type", EventType, EqOnly;
}

endpoint! {
    /// A webhook's messages list.
    WebhookMessages, "list_messages", TwoValues;
    /// A filter for [`Client::list_messages`](crate::Client::list_messages) and [`Client::webhook_messages`](crate::Client::webhook_messages).
    WebhookMessageFilter;
    /// `eventTypeId`, e.g. `connection.created`.
    event_type_id: "eventTypeId", EventTypeId, EqOnly;
    /// `eventId`.
    event_id: "eventId", String, EqOnly;
    /// `webhookId`.
    webhook_id: "webhookId", String, EqOnly;
}

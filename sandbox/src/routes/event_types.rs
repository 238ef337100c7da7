//! The event types the sandbox records and webhooks subscribe to, with their descriptions.

/// The event types webhooks can subscribe to.
pub(crate) const EVENT_TYPES: &[(&str, &str)] = &[
    ("account.updated", "An account's details or balance changed."),
    ("connection.created", "A user connected an institution."),
    ("connection.deleted", "A connection was removed."),
    ("connection.invalidated", "A connection stopped working and needs the user's attention."),
    ("connection.activated", "A connection finished retrieving data and is usable."),
    ("consent.archived", "A consent was archived after it ended."),
    ("consent.created", "A user granted consent."),
    ("consent.expired", "A consent reached its expiry date."),
    ("consent.reminder", "A consent has not been reviewed for a long time."),
    ("consent.revoked", "A consent was withdrawn."),
    ("consent.updated", "A consent was changed or extended."),
    ("consent.warning", "A consent expires within a week."),
    ("transactions.updated", "New transactions were retrieved for a connection."),
    ("user.created", "A user was created."),
    ("user.deleted", "A user was deleted."),
    ("user.updated", "A user's details changed."),
];

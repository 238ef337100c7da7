//! Webhooks and their messages.

use basiq::filter::WebhookMessageFilter;
use basiq::open::EventTypeId;
use basiq::{Call, types};

use super::{ENCODED_SLASH, SPACE_PLUS_AMP, assert_segment};
use crate::support::ops::WEBHOOK;
use crate::support::spec::request_fixture;

request_test!(list_app_webhooks, "listAppWebhooks", |client| client.list_app_webhooks().call());

request_test!(add_webhook, "addWebhook", |client| client
    .add_webhook()
    .body(request_fixture::<types::WebhookRequest>("addWebhook"))
    .call());

request_test!(get_webhook, "getWebhook", |client| client.get_webhook().webhook_id(ENCODED_SLASH).call(), |request| {
    assert_segment(&request, "getWebhook", "webhookId", ENCODED_SLASH, "%252F");
});

request_test!(update_webhook, "updateWebhook", |client| client
    .update_webhook()
    .webhook_id(WEBHOOK)
    .body(request_fixture::<types::WebhookRequest>("updateWebhook"))
    .call());

request_test!(delete_webhook, "deleteWebhook", |client| client.delete_webhook().webhook_id(WEBHOOK).call());

request_test!(list_messages, "listMessages", |client| client
    .list_messages()
    .webhook_id(WEBHOOK)
    .filter(WebhookMessageFilter::event_type_id().eq(EventTypeId::ConnectionCreated))
    .limit(50)
    .call());

request_test!(
    get_webhook_message,
    "getWebhookMessage",
    |client| client.get_webhook_message().webhook_id(WEBHOOK).message_id(SPACE_PLUS_AMP).call(),
    |request| {
        assert_segment(&request, "getWebhookMessage", "messageId", SPACE_PLUS_AMP, "x%20y+z&w=1");
        assert_segment(&request, "getWebhookMessage", "webhookId", WEBHOOK, WEBHOOK);
    }
);

request_test!(test_message, "testMessage", |client| client
    .test_message()
    .body(request_fixture::<types::TestMessageRequest>("testMessage"))
    .call());

//! The journey's HTML: one plain, accessible layout (no scripts, no external assets) and the
//! small pieces every step is built from.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem;\
color:#1b1b1b;line-height:1.45}header{border-bottom:1px solid #ccc;margin-bottom:1rem;font-size:.9rem;color:#555}\
h1{font-size:1.5rem}label{display:block;margin:.8rem 0 .2rem;font-weight:600}\
input[type=text],input[type=password],input[type=search]{width:100%;padding:.45rem;box-sizing:border-box;font-size:1rem}\
button{margin:1rem .5rem 0 0;padding:.5rem 1.2rem;font-size:1rem;cursor:pointer}\
button.primary{background:#1c3f94;color:#fff;border:1px solid #1c3f94}\
button.secondary{background:#fff;color:#1c3f94;border:1px solid #1c3f94}\
.error{color:#a00;border-left:4px solid #a00;padding-left:.6rem}.note{color:#555;font-size:.9rem}\
ul.banks{list-style:none;padding:0}ul.banks li{margin:.3rem 0}ul.banks button{width:100%;text-align:left;margin:0}\
ol.steps li{margin:.2rem 0}dt{font-weight:600}dd{margin:0 0 .6rem 0}form.inline{display:inline}";

/// A whole page: the layout around `body`, titled `title` (text, escaped here).
pub(crate) fn render(status: StatusCode, title: &str, body: &str) -> Response {
    render_with_head(status, title, "", body)
}

/// A whole page with extra `<head>` markup (such as a refresh while a job runs).
pub(crate) fn render_with_head(status: StatusCode, title: &str, head: &str, body: &str) -> Response {
    let t = escape(title);
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{head}<title>{t}</title>\
<style>{STYLE}</style></head><body><header>Basiq sandbox &middot; Consent</header>\
<main><h1>{t}</h1>{body}</main></body></html>"
    );
    let mut resp = (status, Html(html)).into_response();
    resp.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    resp
}

/// A page that ends a request early (boxed: responses are large to carry in a `Result`).
pub(crate) type Refusal = Box<Response>;

/// Escape text for HTML content and attribute values (the sandbox's one HTML escaper).
pub(crate) use crate::encoding::html_escape as escape;

/// A hidden form field.
pub(crate) fn hidden(name: &str, value: &str) -> String {
    format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(name), escape(value))
}

/// An error paragraph announced to screen readers, or nothing.
pub(crate) fn error_box(message: Option<&str>) -> String {
    message.map(|m| format!("<p class=\"error\" role=\"alert\" id=\"error\">{}</p>", escape(m))).unwrap_or_default()
}

/// A 303 to `location`.
pub(crate) fn see_other(location: &str) -> Response {
    match axum::http::HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, v)]).into_response(),
        Err(_) => bad_request("The redirect address is not valid."),
    }
}

/// 401 page for a missing, unknown or non-client token.
pub(crate) fn invalid_link() -> Response {
    render(
        StatusCode::UNAUTHORIZED,
        "Link not valid",
        "<p class=\"error\" role=\"alert\" id=\"error\">This consent link is not valid. \
Please go back to the application and start again.</p>",
    )
}

/// 401 page for an expired or revoked token.
pub(crate) fn expired_link() -> Response {
    render(
        StatusCode::UNAUTHORIZED,
        "Link expired",
        "<p class=\"error\" role=\"alert\" id=\"error\">This consent link has expired. \
Please go back to the application and start again.</p>",
    )
}

/// 400 page for a request the journey cannot read.
pub(crate) fn bad_request(detail: &str) -> Response {
    render(StatusCode::BAD_REQUEST, "Something is missing", &error_box(Some(detail)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(
            hidden("state", "\"><script>"),
            "<input type=\"hidden\" name=\"state\" value=\"&quot;&gt;&lt;script&gt;\">"
        );
    }
}

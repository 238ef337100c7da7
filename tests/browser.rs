//! The consent journey in headless Chromium, end to end: each path a person can take through the
//! sandbox's Consent UI, checked on the final redirect (`jobIds`, `state`) and on the API state
//! (the job, the connection, the accounts), plus the online quickstart through MFA.
//!
//! Needs Chromium and chromedriver (Debian: `apt-get install chromium chromium-driver`); without
//! them the tests pass and the run prints one skip line, unless `BASIQ_BROWSER_TESTS=require` (or
//! `CI=true`) makes a missing browser a failure.
//! `BASIQ_SCREENSHOTS=docs/consent-journey` saves the README's screenshots.

#[path = "browser/harness.rs"]
mod harness;

#[path = "../examples/quickstart.rs"]
#[allow(dead_code)]
mod quickstart;

use std::time::Duration;

use basiq::consent::{ConsentAction, ConsentRedirect, ConsentUrl};
use basiq::{Call, Client};
use basiq_sandbox::{Sandbox, SandboxBuilder};
use harness::Browser;
use serde_json::Value;

/// A sandbox, an API client for it and a user with a CLIENT_ACCESS token.
struct World {
    sandbox: Sandbox,
    api: Client,
    user: String,
    token: String,
}

impl World {
    async fn new(builder: SandboxBuilder) -> World {
        let sandbox = builder.job_step_delay(Duration::from_millis(300)).start().await.unwrap();
        let api = Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().unwrap();
        let user = sandbox.create_user("richard@piedpiper.example");
        let token = sandbox.client_token(&user).unwrap();
        World { sandbox, api, user, token }
    }

    /// The consent link, as an app builds it, with `state` and any tweaks.
    fn link(&self, tweak: impl FnOnce(ConsentUrl) -> ConsentUrl) -> String {
        let url = ConsentUrl::new(self.token.clone()).with_base(self.sandbox.consent_url_base()).state("app-state/1 ✓");
        tweak(url).build().unwrap()
    }

    fn done_page(&self) -> String {
        format!("{}/consent/done?", self.sandbox.base_url())
    }

    async fn job(&self, id: &str) -> Value {
        serde_json::to_value(self.api.get_jobs().job_id(id).call().await.unwrap()).unwrap()
    }

    /// Wait until the job finished; its steps as (title, status).
    async fn finished_steps(&self, id: &str) -> Vec<(String, String)> {
        for _ in 0..200 {
            let job = self.job(id).await;
            let steps: Vec<(String, String)> = job["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (s["title"].as_str().unwrap_or("").to_owned(), s["status"].as_str().unwrap_or("").to_owned()))
                .collect();
            if steps.iter().any(|(_, st)| st == "failed") || steps.iter().all(|(_, st)| st == "success") {
                return steps;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("job {id} did not finish");
    }

    async fn connections(&self) -> Vec<Value> {
        let list = self.api.get_connections().user_id(&self.user).call().await.unwrap();
        serde_json::to_value(list).unwrap()["data"].as_array().cloned().unwrap_or_default()
    }

    async fn accounts(&self) -> Vec<Value> {
        let list = self.api.get_accounts().user_id(&self.user).call().await.unwrap();
        serde_json::to_value(list).unwrap()["data"].as_array().cloned().unwrap_or_default()
    }

    async fn consents(&self) -> Vec<Value> {
        let list = self.api.get_consents().user_id(&self.user).call().await.unwrap();
        serde_json::to_value(list).unwrap()["data"].as_array().cloned().unwrap_or_default()
    }
}

fn all_succeeded(steps: &[(String, String)]) -> bool {
    !steps.is_empty() && steps.iter().all(|(_, st)| st == "success")
}

/// Log in on the login page and return the redirect once the journey ends.
async fn log_in(b: &Browser, login: &str, password: &str) {
    b.fill("loginId", login).await;
    b.fill("password", password).await;
    b.click("login").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_consent_search_login_progress_redirect() {
    let Some(b) = harness::open("happy_path_consent_search_login_progress_redirect").await else { return };
    let w = World::new(Sandbox::builder()).await;
    b.goto(&w.link(|u| u)).await;
    let consent = b.wait_text("Share your financial data").await;
    assert!(consent.contains("Transactions") && consent.contains("12 months"), "{consent}");
    b.shot("01-consent").await;
    b.click("agree").await;

    b.search("hoo").await;
    b.wait_id("inst-AU00004").await;
    assert!(!b.has_id("inst-AU00002").await, "the search filters Pied Piper out");
    b.shot("02-institution").await;
    b.click("inst-AU00000").await;

    assert_eq!(b.text("institution").await, "Hooli Bank");
    b.fill("loginId", "gavinBelson").await;
    b.fill("password", "hooli2016").await;
    b.shot("03-login").await;
    b.click("login").await;
    b.wait_id("steps").await;
    b.shot("04-progress").await;

    let back = ConsentRedirect::parse(&b.wait_url(&w.done_page()).await).unwrap();
    b.wait_id("jobIds").await;
    b.shot("06-done").await;
    assert_eq!(back.state.as_deref(), Some("app-state/1 ✓"));
    assert_eq!(back.job_ids.len(), 1);
    assert!(all_succeeded(&w.finished_steps(&back.job_ids[0]).await));
    let connections = w.connections().await;
    assert_eq!(connections.len(), 1);
    assert_eq!(connections[0]["status"], "active");
    assert_eq!(connections[0]["institution"]["id"], "AU00000");
    assert_eq!(w.accounts().await.len(), 3, "gavinBelson has three accounts");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pied_piper_asks_for_the_mfa_answer_in_the_page() {
    let Some(b) = harness::open("pied_piper_asks_for_the_mfa_answer_in_the_page").await else { return };
    let w = World::new(Sandbox::builder()).await;
    b.goto(&w.link(|u| u.institution_id("AU00002"))).await;
    b.click("agree").await;
    assert_eq!(b.text("institution").await, "Pied Piper Bank", "institutionId skips the picker");
    log_in(&b, "Whistler", "ShowBox").await;
    let mfa = b.wait_text("favourite company").await;
    assert!(mfa.contains("ID of this institution"), "{mfa}");
    b.fill("answer0", "Basiq").await;
    b.fill("answer1", "AU00000").await;
    b.shot("05-mfa").await;
    b.click("verify").await;

    let back = ConsentRedirect::parse(&b.wait_url(&w.done_page()).await).unwrap();
    let steps = w.finished_steps(&back.job_ids[0]).await;
    assert!(all_succeeded(&steps), "{steps:?}");
    assert!(steps.iter().any(|(t, _)| t == "mfa-challenge"), "{steps:?}");
    assert_eq!(w.connections().await[0]["status"], "active");
    assert_eq!(w.accounts().await.len(), 2, "Whistler has two accounts");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_shows_the_bank_message_then_the_right_one_connects() {
    let Some(b) = harness::open("a_wrong_password_shows_the_bank_message_then_the_right_one_connects").await else {
        return;
    };
    let w = World::new(Sandbox::builder()).await;
    b.goto(&w.link(|u| u.institution_id("AU00004"))).await;
    b.click("agree").await;
    log_in(&b, "jared", "wrong").await;
    let error = b.text("error").await;
    assert!(error.contains("check credentials"), "{error}");
    b.shot("07-wrong-password").await;
    log_in(&b, "jared", "django").await;

    let back = ConsentRedirect::parse(&b.wait_url(&w.done_page()).await).unwrap();
    assert!(all_succeeded(&w.finished_steps(&back.job_ids[0]).await));
    let jobs = serde_json::to_value(w.api.get_user_jobs().user_id(&w.user).call().await.unwrap()).unwrap();
    assert_eq!(jobs["data"].as_array().unwrap().len(), 2, "the refused login left its failed job: {jobs}");
    assert_eq!(w.connections().await.len(), 1);
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_persona_gets_the_error_screen_and_a_locked_account_the_login_page() {
    let Some(b) = harness::open("a_failing_persona_gets_the_error_screen_and_a_locked_account_the_login_page").await
    else {
        return;
    };
    let w = World::new(Sandbox::builder()).await;
    b.goto(&w.link(|u| u.institution_id("AU00000"))).await;
    b.click("agree").await;
    log_in(&b, "bighead", "password").await;
    assert_eq!(b.text("error").await, "Account is locked");

    log_in(&b, "erlich", "aviato").await;
    b.wait_id("retry").await;
    assert_eq!(b.text("code").await, "account-not-accessible-requires-user-action");
    assert!(b.text("error").await.contains("action is required"));
    b.shot("08-error").await;
    b.click("back").await;
    let back = ConsentRedirect::parse(&b.wait_url(&w.done_page()).await).unwrap();
    assert_eq!(back.state.as_deref(), Some("app-state/1 ✓"));
    let steps = w.finished_steps(&back.job_ids[0]).await;
    assert_eq!(steps[1], ("retrieve-accounts".to_owned(), "failed".to_owned()));
    assert_eq!(w.connections().await[0]["status"], "invalid");
    assert!(w.accounts().await.is_empty());
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_error_screen_redirects_with_the_failed_job() {
    let Some(b) = harness::open("skip_error_screen_redirects_with_the_failed_job").await else { return };
    let w = World::new(Sandbox::builder().skip_error_screen(true)).await;
    b.goto(&w.link(|u| u.institution_id("AU00000"))).await;
    b.click("agree").await;
    log_in(&b, "jianYang", "nothotdog").await;
    let back = ConsentRedirect::parse(&b.wait_url(&w.done_page()).await).unwrap();
    assert_eq!(back.state.as_deref(), Some("app-state/1 ✓"));
    assert_eq!(back.job_ids.len(), 1);
    assert!(!b.has_id("retry").await, "no error screen on the way back");
    let job = w.job(&back.job_ids[0]).await;
    assert_eq!(job["steps"][2]["status"], "failed", "{job}");
    assert_eq!(job["steps"][2]["result"]["code"], "service-unavailable");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_returns_to_the_app_with_state_and_nothing_connected() {
    let Some(b) = harness::open("cancel_returns_to_the_app_with_state_and_nothing_connected").await else { return };
    let w = World::new(Sandbox::builder()).await;
    b.goto(&w.link(|u| u)).await;
    b.click("agree").await;
    b.click("cancel").await;
    let back = ConsentRedirect::parse(&b.wait_url(&w.done_page()).await).unwrap();
    assert_eq!(back.state.as_deref(), Some("app-state/1 ✓"));
    assert_eq!(back.error.as_deref(), Some("cancelled"));
    assert!(back.job_ids.is_empty());
    assert!(w.connections().await.is_empty());
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_and_expired_tokens_get_a_plain_page() {
    let Some(b) = harness::open("wrong_and_expired_tokens_get_a_plain_page").await else { return };
    let w = World::new(Sandbox::builder().token_lifetime(Duration::from_secs(2))).await;
    b.goto(&format!("{}?token=not-a-token", w.sandbox.consent_url_base())).await;
    assert!(b.text("error").await.contains("not valid"));

    b.goto(&w.link(|u| u)).await;
    b.wait_id("agree").await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    b.click("agree").await;
    let text = b.wait_text("Link expired").await;
    assert!(text.contains("has expired") && !text.contains("panicked"), "{text}");
    b.shot("09-expired").await;
    assert!(!b.url().await.starts_with(&w.done_page()), "no redirect to the app with a dead token");
    let jobs = serde_json::to_value(w.api.get_user_jobs().user_id(&w.user).call().await.unwrap()).unwrap();
    assert!(jobs["data"].as_array().unwrap().is_empty(), "nothing started: {jobs}");
    assert!(w.connections().await.is_empty());
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consent_actions_do_what_basiq_documents() {
    let Some(b) = harness::open("the_consent_actions_do_what_basiq_documents").await else { return };
    let w = World::new(Sandbox::builder()).await;

    // extend and update need an active consent.
    for action in [ConsentAction::Extend, ConsentAction::Update] {
        b.goto(&w.link(|u| u.action(action))).await;
        let error = b.text("error").await;
        assert!(error.contains(&format!("no active consent to {action}")), "{error}");
        assert!(!b.url().await.starts_with(&w.done_page()), "an error page, not a redirect");
    }
    assert!(w.consents().await.is_empty(), "extend and update created no consent");
    // reauthorise (open banking) is not modelled, and says so.
    b.goto(&w.link(|u| u.action(ConsentAction::Reauthorise))).await;
    assert!(b.text("not-modelled").await.contains("not modelled"));

    // connect without a consent asks for it first; with institutionId it skips the picker.
    b.goto(&w.link(|u| u.action(ConsentAction::Connect).institution_id("AU00004"))).await;
    b.click("agree").await;
    log_in(&b, "ashMann", "hooli2024").await;
    let first = ConsentRedirect::parse(&b.wait_url(&w.done_page()).await).unwrap();
    assert!(all_succeeded(&w.finished_steps(&first.job_ids[0]).await));
    // now connect goes straight to the picker.
    b.goto(&w.link(|u| u.action(ConsentAction::Connect))).await;
    b.wait_id("inst-AU00000").await;

    // extend moves the expiry on and returns with the state.
    let before = w.consents().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    b.goto(&w.link(|u| u.action(ConsentAction::Extend))).await;
    b.click("agree").await;
    let back = ConsentRedirect::parse(&b.wait_url(&w.done_page()).await).unwrap();
    assert_eq!(back.state.as_deref(), Some("app-state/1 ✓"));
    let after = w.consents().await;
    assert_eq!(after[0]["status"], "active");
    assert_ne!(after[0]["updated"], before[0]["updated"]);
    // update with an unchanged policy extends too, and says so.
    b.goto(&w.link(|u| u.action(ConsentAction::Update))).await;
    assert!(b.text("update-note").await.contains("extends"));

    // connectionId: update the connection's credentials.
    let conn = w.connections().await[0]["id"].as_str().unwrap().to_owned();
    b.goto(&w.link(|u| u.connection_id(conn.clone()))).await;
    let login = b.wait_id("loginId").await;
    assert_eq!(login.prop("value").await.unwrap().as_deref(), Some("ashMann"));
    b.fill("password", "hooli2024").await;
    b.click("login").await;
    let refreshed = ConsentRedirect::parse(&b.wait_url(&w.done_page()).await).unwrap();
    assert_ne!(refreshed.job_ids, first.job_ids);
    let job = w.job(&refreshed.job_ids[0]).await;
    assert!(job["links"]["source"].as_str().unwrap_or("").ends_with(&conn), "the job refreshes {conn}: {job}");

    // manage: see the connection, delete it, revoke the consent.
    b.goto(&w.link(|u| u.action(ConsentAction::Manage))).await;
    assert!(b.text("connections").await.contains("ashMann"));
    b.shot("10-manage").await;
    b.click(&format!("delete-{conn}")).await;
    b.wait_id("no-connections").await;
    assert!(w.connections().await.is_empty());
    b.click("revoke").await;
    b.wait_text("revoked").await;
    assert_eq!(w.consents().await[0]["status"], "revoked");
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_online_quickstart_finishes_through_mfa_answered_in_the_browser() {
    let Some(b) = harness::open("the_online_quickstart_finishes_through_mfa_answered_in_the_browser").await else {
        return;
    };
    // A standalone sandbox, as `cargo run -p basiq-sandbox` would start; the quickstart only
    // knows its base URL and key, as with BASIQ_BASE_URL and BASIQ_API_KEY.
    let sandbox = Sandbox::builder().job_step_delay(Duration::from_millis(200)).start().await.unwrap();
    let client = Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // Online runs create a real user and so need an email (as `--email` on the command line).
    let options = quickstart::Options { email: Some("gavin@hooli.example".into()), ..Default::default() };
    let person = async {
        let url: String = rx.recv().await.expect("the quickstart hands over its consent URL");
        assert!(url.starts_with(&sandbox.consent_url_base()), "the link follows the server: {url}");
        b.goto(&url).await;
        b.click("agree").await;
        b.search("pied").await;
        b.click("inst-AU00002").await;
        log_in(&b, "gavinBelson", "hooli2016").await;
        b.wait_text("first company").await;
        b.fill("answer0", "Hooli").await;
        b.click("verify").await;
        b.wait_url(&format!("{}/consent/done?", sandbox.base_url())).await
    };
    let (accounts, redirect) =
        tokio::join!(quickstart::run(&client, &options, quickstart::Consent::Browser(tx)), person);
    let accounts = accounts.unwrap();
    assert_eq!(accounts.len(), 3, "gavinBelson's accounts at Pied Piper");
    assert!(ConsentRedirect::parse(&redirect).unwrap().state.as_deref() == Some("quickstart"));
    b.close().await;
}

/// A page whose button and text field are replaced every 250 ms, as a page is replaced right after
/// a form submit; it counts every press on whichever button is there, and every key it receives.
const SWAPPING_PAGE: &str = r#"<!doctype html><main><p id="presses">0</p><p id="keys">0</p><div id="slot"></div></main>
<script>
let presses = 0, keys = 0;
const slot = document.getElementById("slot");
slot.addEventListener("pointerdown", () => { presses += 1; document.getElementById("presses").textContent = presses; });
document.addEventListener("keydown", () => { keys += 1; document.getElementById("keys").textContent = keys; });
const swap = () => { slot.innerHTML = '<button id="press">press</button> <input id="field">'; };
swap();
setInterval(swap, 250);
</script>"#;

/// The harness finds an element again when the page replaced it between finding and acting
/// (found in CI: a click right after the search submit hit the old page's institution button).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_or_a_key_finds_its_element_again_when_the_page_replaced_it() {
    use base64::Engine as _;
    let Some(b) = harness::open("a_click_or_a_key_finds_its_element_again_when_the_page_replaced_it").await else {
        return;
    };
    let page = base64::engine::general_purpose::STANDARD.encode(SWAPPING_PAGE);
    b.goto(&format!("data:text/html;base64,{page}")).await;
    for _ in 0..30 {
        b.click("press").await;
        b.fill("field", "k").await;
    }
    assert_eq!(b.text("presses").await, "30", "every click landed on the button there at the time");
    assert_eq!(b.text("keys").await, "30", "every key was typed once");
    b.close().await;
}

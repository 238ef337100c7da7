//! Headless Chromium for the browser tests, driven over WebDriver (`chromedriver`) with
//! `fantoccini`.
//!
//! Each test starts its own `chromedriver` on a free local port and a fresh Chromium profile, and
//! both go away when the [`Browser`] is dropped. Tests take turns (one browser at a time) so a
//! two-core machine is not swamped. Without Chromium or chromedriver the tests pass and the binary
//! prints one skip line, unless `BASIQ_BROWSER_TESTS=require` (or `CI=true` without
//! `BASIQ_BROWSER_TESTS`) makes that a failure; `BASIQ_BROWSER_TESTS=skip` skips them even where a
//! browser is installed. `BASIQ_SCREENSHOTS=<dir>` saves a PNG of each named step there.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::sync::{Mutex, MutexGuard};

/// `require`: fail, rather than skip, when no browser is installed; `skip`: never start one.
pub const ENV_REQUIRE: &str = "BASIQ_BROWSER_TESTS";
/// A directory to save step screenshots into.
pub const ENV_SCREENSHOTS: &str = "BASIQ_SCREENSHOTS";

/// One browser at a time.
static TURN: Mutex<()> = Mutex::const_new(());

/// The skip line is printed once per run, not once per test.
static SKIP_LINE: Once = Once::new();

/// Print why the browser tests are skipped, once. Written straight to stderr so the line shows
/// even though the test harness captures output.
fn skip(reason: &str) {
    SKIP_LINE.call_once(|| {
        let _ = writeln!(std::io::stderr(), "skipped the browser tests: {reason}");
    });
}

/// Whether a missing browser is a failure: `BASIQ_BROWSER_TESTS=require`, or CI without a choice.
fn browser_required() -> bool {
    match std::env::var(ENV_REQUIRE) {
        Ok(v) => v == "require",
        Err(_) => std::env::var("CI").is_ok_and(|v| v == "true"),
    }
}

/// How long any single wait in a test may take.
pub const WAIT: Duration = Duration::from_secs(20);

fn find(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env).map(PathBuf::from).filter(|p| p.is_file()) {
        return Some(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).chain([PathBuf::from("/usr/bin")]).collect();
    names.iter().flat_map(|n| dirs.iter().map(move |d| d.join(n))).find(|p| p.is_file())
}

/// Kills chromedriver and the browsers it started (its whole process group, so that a test that
/// panics before closing its session leaves no Chromium running) and removes the profile.
struct Driver {
    child: Child,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        #[cfg(unix)]
        let _ =
            Command::new("kill").args(["-KILL", "--", &format!("-{}", self.child.id())]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A headless Chromium session.
pub struct Browser {
    pub client: Client,
    shots: Option<PathBuf>,
    _driver: Driver,
    _turn: MutexGuard<'static, ()>,
}

/// Start a browser for `test`, or print why it is skipped and return `None`.
pub async fn open(test: &str) -> Option<Browser> {
    if std::env::var(ENV_REQUIRE).is_ok_and(|v| v == "skip") {
        skip(&format!("{ENV_REQUIRE}=skip"));
        return None;
    }
    let chrome = find("CHROME_BIN", &["chromium", "chromium-browser", "google-chrome"]);
    let driver = find("CHROMEDRIVER", &["chromedriver"]);
    let (Some(chrome), Some(driver)) = (chrome, driver) else {
        assert!(
            !browser_required(),
            "{test}: Chromium or chromedriver is missing, and {ENV_REQUIRE}=require or CI=true asks for them"
        );
        skip("Chromium or chromedriver not found (apt-get install chromium chromium-driver)");
        return None;
    };
    let turn = TURN.lock().await;
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
    let profile = std::env::temp_dir().join(format!("basiq-browser-{}-{port}", std::process::id()));
    let mut command = Command::new(&driver);
    command.arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null());
    // Its own process group: dropping the driver kills the group, browsers included.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let child = command.spawn().expect("chromedriver starts");
    let driver_guard = Driver { child, profile: profile.clone() };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < WAIT, "chromedriver did not listen on port {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let args = [
        "--headless".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--window-size=720,860".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".to_owned(), json!({ "binary": chrome, "args": args }));
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session");
    let shots = std::env::var_os(ENV_SCREENSHOTS).map(PathBuf::from);
    if let Some(dir) = &shots {
        std::fs::create_dir_all(dir).expect("screenshot folder");
    }
    Some(Browser { client, shots, _driver: driver_guard, _turn: turn })
}

impl Browser {
    /// Go to a URL.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Wait for the element with this id to appear.
    pub async fn wait_id(&self, id: &str) -> fantoccini::elements::Element {
        let found = self.client.wait().at_most(WAIT).for_element(Locator::Id(id)).await;
        match found {
            Ok(el) => el,
            Err(e) => panic!("no #{id} on {}: {e}\n{}", self.url().await, self.main_text().await),
        }
    }

    /// Whether an element with this id is on the page now.
    pub async fn has_id(&self, id: &str) -> bool {
        self.client.find(Locator::Id(id)).await.is_ok()
    }

    /// Click the element with this id (found again if the page replaced it, see `on_element`).
    pub async fn click(&self, id: &str) {
        self.on_element(id, "click", |el| async move { el.click().await.map(|_| ()) }).await;
    }

    /// Type into the field with this id (found again if the page replaced it, see `on_element`).
    pub async fn fill(&self, id: &str, text: &str) {
        self.on_element(id, "type into", move |el| async move { el.send_keys(text).await }).await;
    }

    /// Find the element with this id and `act` on it. Right after a form submit the id can still
    /// name the old page's element, gone by the time of the act: then it is found again on the
    /// new page, until the usual wait runs out.
    async fn on_element<F, Fut>(&self, id: &str, what: &str, act: F)
    where
        F: Fn(Element) -> Fut,
        Fut: Future<Output = Result<(), CmdError>>,
    {
        let started = Instant::now();
        loop {
            match act(self.wait_id(id).await).await {
                Ok(()) => return,
                Err(e) if replaced(&e) && started.elapsed() < WAIT => {
                    tokio::time::sleep(Duration::from_millis(20)).await
                }
                Err(e) => panic!("{what} #{id}: {e}"),
            }
        }
    }

    /// The text of the element with this id.
    pub async fn text(&self, id: &str) -> String {
        self.wait_id(id).await.text().await.unwrap_or_default()
    }

    /// The visible text of the page's main content.
    pub async fn main_text(&self) -> String {
        match self.client.find(Locator::Css("main")).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => self.client.source().await.unwrap_or_default(),
        }
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default()
    }

    /// Wait until the URL starts with `prefix`; returns it.
    pub async fn wait_url(&self, prefix: &str) -> String {
        self.wait_url_until(&format!("{prefix}…"), |url| url.starts_with(prefix)).await
    }

    /// Wait until the URL is one `done` accepts (`expected` describes it); returns it.
    async fn wait_url_until(&self, expected: &str, done: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let url = self.url().await;
            if done(&url) {
                return url;
            }
            assert!(started.elapsed() < WAIT, "still at {url}, expected {expected}\n{}", self.main_text().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Search the institution picker and wait for the results page (the one whose query carries
    /// the search), so that nothing after it reads the unfiltered list it replaced.
    pub async fn search(&self, text: &str) {
        self.fill("q", text).await;
        self.click("search").await;
        let searched =
            |url: &str| url::Url::parse(url).is_ok_and(|u| u.query_pairs().any(|(k, v)| k == "q" && v == text));
        self.wait_url_until(&format!("the results for {text:?}"), searched).await;
    }

    /// Wait until the page's main text contains `needle`.
    pub async fn wait_text(&self, needle: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.main_text().await;
            if text.contains(needle) {
                return text;
            }
            assert!(started.elapsed() < WAIT, "{needle:?} never shown at {}:\n{text}", self.url().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Save a screenshot named `name.png` when screenshots were asked for.
    pub async fn shot(&self, name: &str) {
        let Some(dir) = &self.shots else { return };
        let png = self.client.screenshot().await.expect("screenshot");
        save(&dir.join(format!("{name}.png")), &png);
    }

    /// End the session.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Whether a command failed because its element was replaced between finding and acting: the
/// element is gone (stale), another element now sits where it was (the click was intercepted), or
/// it was detached while being focused for typing (not interactable).
fn replaced(e: &CmdError) -> bool {
    e.is_stale_element_reference()
        || e.is_element_not_interactable()
        || matches!(e, CmdError::Standard(w) if w.error == ErrorStatus::ElementClickIntercepted)
}

fn save(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

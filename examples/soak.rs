//! Soak run: concurrent workers against the in-process sandbox with faults switched on (429 with
//! `Retry-After`, 503, latency, early token revocation, dropped connections) for a bounded time.
//! Prints calls, errors by kind, token requests and RSS at start and end, then checks that no
//! user was created twice and none was lost.
//!
//! ```sh
//! cargo run --example soak -- [workers, default 16] [seconds, default 30]
//! ```
//!
//! RSS is the whole process, sandbox included.

use std::collections::{BTreeMap, HashSet};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use basiq::{Call, Client, Error};
use basiq_sandbox::{Fault, FaultKind, Sandbox};
use futures::StreamExt;

/// What the workers saw.
#[derive(Default)]
struct Tally {
    calls: u64,
    errors: BTreeMap<String, u64>,
    created: Vec<String>,
    /// Creations whose outcome is unknown (the connection dropped after the request was sent).
    ambiguous: u64,
}

impl Tally {
    fn record<T>(&mut self, outcome: &Result<T, Error>) {
        self.calls += 1;
        if let Err(e) = outcome {
            *self.errors.entry(kind(e)).or_default() += 1;
        }
    }
}

/// A short name for an error: its variant and, for API errors, the status.
fn kind(error: &Error) -> String {
    match error {
        Error::Api(api) => format!(
            "api {} {} {}",
            api.status,
            api.operation.as_deref().unwrap_or("?"),
            api.items.first().and_then(|i| i.code.as_deref()).unwrap_or("-")
        ),
        Error::Token(t) => format!("token {:?}", t.kind),
        Error::Transport { operation, .. } => format!("transport {}", operation.as_deref().unwrap_or("?")),
        Error::Timeout { operation } => format!("timeout {}", operation.as_deref().unwrap_or("?")),
        Error::Decode(_) => "decode".into(),
        other => format!("other: {other}"),
    }
}

/// Resident set size of this process in kB, from /proc (0 where there is none).
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// One worker: create a user, read it back, mint its client token, list its accounts; repeat.
async fn worker(client: Client, id: usize, until: Instant, tally: Arc<Mutex<Tally>>) {
    let mut n = 0;
    while Instant::now() < until {
        n += 1;
        let request: basiq::types::UserCreateRequest =
            match serde_json::from_value(serde_json::json!({ "email": format!("soak-{id}-{n}@example.com") })) {
                Ok(request) => request,
                Err(_) => return,
            };
        let created = client.create_user().body(request).call().await;
        let user = {
            let mut t = tally.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            t.record(&created);
            match &created {
                Ok(user) => t.created.push(user.id.clone()),
                Err(e) if !e.is_retryable() && matches!(e, Error::Transport { .. } | Error::Timeout { .. }) => {
                    t.ambiguous += 1
                }
                Err(Error::Api(api)) if api.status >= 500 => t.ambiguous += 1,
                Err(_) => {}
            }
            created.ok()
        };
        let Some(user) = user else { continue };
        let read = client.get_user().user_id(&user.id).call().await;
        let token = client.client_token(&user.id).await;
        let accounts = client.get_accounts().user_id(&user.id).call().await;
        let mut t = tally.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        t.record(&read);
        t.record(&token);
        t.record(&accounts);
    }
}

/// Arms a random fault every 100 ms until `until`.
async fn chaos(sandbox: Arc<Sandbox>, until: Instant) {
    let operations = ["*", "createUser", "getUser", "getAccounts", "postToken"];
    let mut n: u64 = 0;
    while Instant::now() < until {
        n += 1;
        let kind = match n % 5 {
            0 => FaultKind::TooManyRequests { retry_after: Some(Duration::from_secs(1)) },
            1 => FaultKind::Unavailable,
            2 => FaultKind::Latency(Duration::from_millis(300)),
            3 => FaultKind::RevokeToken,
            _ => FaultKind::DropConnection,
        };
        let operation = operations[(n as usize / 5) % operations.len()];
        sandbox.inject(Fault::new(operation, kind, 1 + (n % 3) as u32));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sandbox.clear_faults();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u64>().ok());
    let workers = args.next().flatten().unwrap_or(16) as usize;
    let seconds = args.next().flatten().unwrap_or(30);
    let rss_start = rss_kb();
    // The sandbox's stores are bounded (10,000 events, 1,000 tokens by default). A soak creates
    // tens of thousands of users and tokens, so the bounds are raised for this bounded run: the
    // check below reads back every `user.created` event, and a live token must not be forgotten.
    let sandbox =
        Sandbox::builder().token_lifetime(Duration::from_secs(20)).max_events(1_000_000).max_entries(1_000_000);
    let sandbox = match sandbox.start().await {
        Ok(sandbox) => Arc::new(sandbox),
        Err(e) => {
            eprintln!("soak: could not start the sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    let client = match Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("soak: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("soak: {workers} workers for {seconds} s against {}, faults on", sandbox.base_url());
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let chaos = tokio::spawn(chaos(sandbox.clone(), until));
    let tasks: Vec<_> = (0..workers).map(|id| tokio::spawn(worker(client.clone(), id, until, tally.clone()))).collect();
    for task in tasks {
        let _ = task.await;
    }
    let _ = chaos.await;
    sandbox.clear_faults();
    let elapsed = started.elapsed();
    let rss_end = rss_kb();
    let tally = std::mem::take(&mut *tally.lock().unwrap_or_else(std::sync::PoisonError::into_inner));

    // Nothing lost: every user a worker was told about can be read back.
    let mut lost = 0;
    for id in &tally.created {
        if client.get_user().user_id(id).call().await.is_err() {
            lost += 1;
        }
    }
    // Nothing created twice: the sandbox recorded no more users than were confirmed, plus the
    // creations whose outcome the client could not know.
    // Every page of events (the sandbox sends 500 a page, as Basiq does).
    let mut events = Vec::new();
    let mut pages = basiq::pages::paginate(&client, client.get_events().call(), "get_events");
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => events.extend(page.data),
            Err(e) => {
                eprintln!("soak: could not read the events back: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let recorded: HashSet<&str> = events
        .iter()
        .filter(|e| e.entity.as_deref() == Some("user") && e.event_type.as_deref() == Some("created"))
        .filter_map(|e| e.user_id.as_deref())
        .collect();
    let confirmed: HashSet<&str> = tally.created.iter().map(String::as_str).collect();
    let unconfirmed = recorded.difference(&confirmed).count() as u64;
    let missing = confirmed.difference(&recorded).count();

    println!("duration            {:.1} s", elapsed.as_secs_f64());
    println!("calls               {} ({:.0}/s)", tally.calls, tally.calls as f64 / elapsed.as_secs_f64());
    println!("errors by kind      {:?}", tally.errors);
    println!("token requests      {}", sandbox.token_requests());
    println!(
        "client tokens held  {} (the cache's capacity is {})",
        client.cached_client_tokens(),
        basiq::DEFAULT_CLIENT_TOKEN_CAPACITY
    );
    println!("users created       {} confirmed, {} with unknown outcome", tally.created.len(), tally.ambiguous);
    println!("users recorded      {} (created but unconfirmed: {unconfirmed})", recorded.len());
    println!("users lost          {lost} unreadable, {missing} confirmed but not recorded");
    println!("duplicate ids       {}", tally.created.len() - confirmed.len());
    println!("RSS                 {rss_start} kB at start, {rss_end} kB at end");
    let healthy = lost == 0 && missing == 0 && unconfirmed <= tally.ambiguous && confirmed.len() == tally.created.len();
    println!("verdict             {}", if healthy { "nothing created twice, nothing lost" } else { "MISMATCH" });
    if healthy { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

//! The sandbox's speed, as ratios against baselines measured in the same run:
//!
//! * `GET /users/{id}/accounts` throughput against a minimal axum handler that returns the same
//!   bytes (so the ratio is the cost of the sandbox's auth, state lookup and serialisation);
//! * paging 100,000 transactions through the facade's stream: time, and peak heap growth
//!   against collecting the same transactions into a `Vec`.
//!
//! Run with `cargo bench --bench sandbox`; the last lines print the ratios.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::routing::get;
use basiq::Client;
use basiq_sandbox::Sandbox;
use criterion::{Criterion, criterion_group};
use futures::StreamExt;

/// Counts live heap bytes and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the peak heap growth (bytes) above the starting level.
async fn peak_growth<T>(f: impl std::future::Future<Output = T>) -> (T, usize) {
    let start = LIVE.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let out = f.await;
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(start))
}

const CONCURRENCY: usize = 32;
const HISTORY: usize = 100_000;

struct Setup {
    sandbox: Sandbox,
    client: Client,
    user: String,
    token: String,
    minimal_url: String,
    http: reqwest::Client,
}

fn setup(runtime: &tokio::runtime::Runtime) -> Setup {
    runtime.block_on(async {
        let sandbox = Sandbox::builder().job_step_delay(Duration::from_millis(1)).start().await.expect("sandbox");
        let client = Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().expect("client");
        let user = sandbox.create_user("bench@hooli.com");
        let outcome = sandbox.complete_consent(&user, "AU00000", "gavinBelson", "hooli2016").expect("consent");
        client.wait_for_job(&outcome.job_id).initial_interval(Duration::from_millis(5)).wait().await.expect("job");
        let token = sandbox.server_token();
        let http = reqwest::Client::new();
        let body = http
            .get(format!("{}/users/{user}/accounts", sandbox.base_url()))
            .bearer_auth(&token)
            .send()
            .await
            .expect("accounts")
            .bytes()
            .await
            .expect("body");
        let app = axum::Router::new().route(
            "/users/{id}/accounts",
            get(move || {
                let body = body.clone();
                async move { ([("content-type", "application/json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let minimal_url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Setup { sandbox, client, user, token, minimal_url, http }
    })
}

async fn batch(http: &reqwest::Client, url: &str, token: &str) {
    let calls = (0..CONCURRENCY).map(|_| async {
        let response = http.get(url).bearer_auth(token).send().await.expect("send");
        assert!(response.status().is_success());
        response.bytes().await.expect("body")
    });
    futures::future::join_all(calls).await;
}

fn accounts_throughput(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let s = setup(&runtime);
    let sandbox_url = format!("{}/users/{}/accounts", s.sandbox.base_url(), s.user);
    let minimal_url = format!("{}/users/{}/accounts", s.minimal_url, s.user);
    let mut group = c.benchmark_group("accounts");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("minimal_axum", |b| b.to_async(&runtime).iter(|| batch(&s.http, &minimal_url, &s.token)));
    group.bench_function("sandbox", |b| b.to_async(&runtime).iter(|| batch(&s.http, &sandbox_url, &s.token)));
    group.finish();

    // Paging 100,000 transactions: the facade's stream against collecting everything.
    runtime.block_on(async {
        s.sandbox.set_transaction_history(&s.user, None, HISTORY).expect("history");
        let started = Instant::now();
        let (count, streamed_peak) = peak_growth(async {
            let mut stream = s.client.transactions(s.user.clone()).limit(500).stream();
            let mut count = 0usize;
            while let Some(item) = stream.next().await {
                item.expect("transaction");
                count += 1;
            }
            count
        })
        .await;
        let streamed = started.elapsed();
        let started = Instant::now();
        let (all, collected_peak) = peak_growth(async {
            let mut stream = s.client.transactions(s.user.clone()).limit(500).stream();
            let mut all = Vec::new();
            while let Some(item) = stream.next().await {
                all.push(item.expect("transaction"));
            }
            all
        })
        .await;
        let collected = started.elapsed();
        println!(
            "paging {count} transactions (stream): {:.2} s, peak heap growth {:.1} MiB (client and in-process sandbox together)",
            streamed.as_secs_f64(),
            streamed_peak as f64 / 1048576.0
        );
        println!(
            "baseline, collecting all {} into a Vec: {:.2} s, peak heap growth {:.1} MiB; stream/collect memory ratio {:.3}",
            all.len(),
            collected.as_secs_f64(),
            collected_peak as f64 / 1048576.0,
            streamed_peak as f64 / collected_peak.max(1) as f64
        );
        assert!(count >= HISTORY && count == all.len(), "every transaction was streamed");
    });
}

/// Reads criterion's mean estimate (ns) for one benchmark of this run.
fn mean_ns(bench: &str) -> Option<f64> {
    let path = format!("target/criterion/accounts/{bench}/new/estimates.json");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

criterion_group!(benches, accounts_throughput);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if let (Some(minimal), Some(sandbox)) = (mean_ns("minimal_axum"), mean_ns("sandbox")) {
        let per_second = |ns: f64| CONCURRENCY as f64 / (ns / 1e9);
        println!(
            "GET /users/{{id}}/accounts: sandbox {:.0} req/s, minimal axum {:.0} req/s; sandbox/minimal throughput ratio {:.2}",
            per_second(sandbox),
            per_second(minimal),
            minimal / sandbox
        );
    }
}

//! Cost of the facade's hooks (token cache, retry loop, tracing span, error-body check) per call,
//! against a bare `reqwest::Client` doing the same GET and JSON decode on the same local server.
//!
//! Run with `cargo bench --bench overhead`; the last line prints the ratio facade / bare.

use std::time::Duration;

use axum::routing::{get, post};
use basiq::{Call, Client};
use criterion::{Criterion, criterion_group};

const USER: &str = r#"{"type":"user","id":"u1","email":"gavin@hooli.com","mobile":"+61410888999","firstName":"Gavin","lastName":"Belson","links":{"self":"http://x/users/u1"}}"#;

fn server(runtime: &tokio::runtime::Runtime) -> String {
    runtime.block_on(async {
        let app = axum::Router::new()
            .route(
                "/token",
                post(|| async {
                    (
                        [("content-type", "application/json")],
                        r#"{"access_token":"t","token_type":"Bearer","expires_in":3600}"#,
                    )
                }),
            )
            .route("/users/{id}", get(|| async { ([("content-type", "application/json")], USER) }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        url
    })
}

fn overhead(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let url = server(&runtime);
    let bare = reqwest::Client::new();
    let client = Client::builder().api_key("dGVzdDp0ZXN0").base_url(&url).build().expect("client");
    runtime.block_on(async { client.get_user().user_id("u1").call().await.expect("warm-up") });

    let mut group = c.benchmark_group("get_user");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("bare_reqwest", |b| {
        b.to_async(&runtime).iter(|| async {
            let response =
                bare.get(format!("{url}/users/u1")).header("authorization", "Bearer t").send().await.expect("send");
            response.json::<basiq::types::User>().await.expect("decode")
        })
    });
    group.bench_function("basiq_client", |b| {
        b.to_async(&runtime).iter(|| async { client.get_user().user_id("u1").call().await.expect("call") })
    });
    group.finish();
}

/// Reads criterion's mean estimate (ns) for one benchmark of this run.
fn mean_ns(bench: &str) -> Option<f64> {
    let path = format!("target/criterion/get_user/{bench}/new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

criterion_group!(benches, overhead);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if let (Some(bare), Some(facade)) = (mean_ns("bare_reqwest"), mean_ns("basiq_client")) {
        println!(
            "hooks overhead: basiq_client {:.1} µs / bare_reqwest {:.1} µs = {:.2}x",
            facade / 1000.0,
            bare / 1000.0,
            facade / bare
        );
    }
}

//! Measures what one cached CLIENT_ACCESS token costs: fills a client's per-user token cache
//! through the public API (an in-memory transport answers `/token` with a JWT-sized token) and
//! counts the heap bytes held, with a counting allocator.
//!
//! ```sh
//! cargo run --release --example token_memory -- 50000
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use basiq::transport::{Transport, TransportFuture};
use basiq::{Client, DEFAULT_CLIENT_TOKEN_CAPACITY};

/// The system allocator, counting the bytes currently allocated.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Length of the token handed out; Basiq's CLIENT_ACCESS JWTs are around a kilobyte.
const TOKEN_LENGTH: usize = 1_000;

/// Answers every `/token` request with a fresh token of [`TOKEN_LENGTH`] characters.
#[derive(Debug)]
struct Tokens;

impl Transport for Tokens {
    fn send(&self, _request: reqwest::Request) -> TransportFuture {
        Box::pin(async move {
            let token = "x".repeat(TOKEN_LENGTH);
            let body = format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#);
            Ok(reqwest::Response::from(http::Response::builder().status(200).body(body).expect("a response")))
        })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let users: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(50_000);
    let client = Client::builder()
        .api_key("dGVzdDp0ZXN0")
        .base_url("http://basiq.test")
        .transport(Tokens)
        .client_token_capacity(users)
        .build()
        .expect("a client");
    // Warm up the client (server paths, allocator pools) on one user, then measure the rest.
    client.client_token("warm-up").await.expect("a token");
    let before = LIVE.load(Ordering::Relaxed);
    for n in 0..users {
        let user = format!("{:08x}-5b7d-4e8a-9c21-6d4f0{:07x}", n, n);
        client.client_token(&user).await.expect("a token");
    }
    let after = LIVE.load(Ordering::Relaxed);
    let held = client.cached_client_tokens();
    let per_user = after.saturating_sub(before) as f64 / users as f64;
    println!("users cached            {held}");
    println!("token length            {TOKEN_LENGTH} characters, user id 36 characters");
    println!("heap per cached user    {per_user:.0} bytes");
    println!("one million users       {:.2} GB (if the capacity allowed it)", per_user * 1e6 / 1e9);
    println!(
        "default capacity        {DEFAULT_CLIENT_TOKEN_CAPACITY} users = {:.1} MB at most",
        per_user * DEFAULT_CLIENT_TOKEN_CAPACITY as f64 / 1e6
    );
}

//! Run the offline Basiq sandbox until Ctrl-C.
//!
//! `basiq-sandbox [--port N] [--seed N] [--redirect-url URL] [--step-delay-ms N] [--token-lifetime-secs N] [--skip-error-screen]`

use std::process::ExitCode;
use std::time::Duration;

use basiq_sandbox::Sandbox;

const USAGE: &str = "usage: basiq-sandbox [--port N] [--seed N] [--redirect-url URL] [--step-delay-ms N] [--token-lifetime-secs N] [--skip-error-screen]";

fn parse<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let v = value.ok_or_else(|| format!("{flag} needs a value"))?;
    v.parse().map_err(|_| format!("{flag}: invalid value {v:?}"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut builder = Sandbox::builder();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| args.next());
        let step = match flag.as_str() {
            "--port" => parse(&flag, value()).map(|p| builder.clone().port(p)),
            "--seed" => parse(&flag, value()).map(|s| builder.clone().seed(s)),
            "--redirect-url" => parse::<String>(&flag, value()).map(|u| builder.clone().redirect_url(u)),
            "--step-delay-ms" => {
                parse(&flag, value()).map(|ms| builder.clone().job_step_delay(Duration::from_millis(ms)))
            }
            "--skip-error-screen" => Ok(builder.clone().skip_error_screen(true)),
            "--token-lifetime-secs" => {
                parse(&flag, value()).map(|s| builder.clone().token_lifetime(Duration::from_secs(s)))
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => Err(format!("unknown argument {other:?}")),
        };
        match step {
            Ok(b) => builder = b,
            Err(e) => {
                eprintln!("basiq-sandbox: {e}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let sandbox = match builder.start().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("basiq-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("Basiq sandbox listening");
    println!("  base URL:     {}", sandbox.base_url());
    println!("  API key:      {}", sandbox.api_key());
    println!("  consent page: {}?token=<CLIENT_ACCESS token>", sandbox.consent_url_base());
    println!("  redirect URL: {}", sandbox.redirect_url());
    println!("  discovery:    {}/.well-known/basiq-sandbox", sandbox.base_url());
    println!("  seed:         {}", sandbox.seed());
    println!("Press Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("basiq-sandbox: cannot wait for Ctrl-C: {e}");
    }
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

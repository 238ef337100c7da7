//! The seed flow, end to end: server token → user → client token → consent URL → connection job
//! → accounts.
//!
//! ```sh
//! cargo run --example quickstart                        # offline, against the embedded sandbox
//! BASIQ_API_KEY=... cargo run --example quickstart -- \
//!     --email you@example.com --mobile +61400000000    # against Basiq (or BASIQ_BASE_URL)
//! ```
//!
//! Online, the consent link follows the server: Basiq's page for Basiq, the sandbox's own journey
//! when `BASIQ_BASE_URL` points at a standalone sandbox, or `BASIQ_CONSENT_URL` when set. If the
//! bank asks for a one-time code or a security answer, answer it on the consent page: the
//! quickstart keeps waiting and finishes with the accounts table.
//!
//! Flags: `--email` (required online to create the user), `--mobile`, `--user-id <id>` (use an
//! existing user instead of creating one), `--job-id <id>` (that user's connection job; needs
//! `--user-id`), `--help`.

use std::process::ExitCode;
use std::time::Duration;

use basiq::consent::ConsentUrl;
use basiq::filter::AccountFilter;
use basiq::jobs::{JobOutcome, MfaChallenge};
use basiq::{Call, Client, types};
use basiq_sandbox::Sandbox;

/// What the quickstart was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Email of the user to create (required online unless `user_id` is given).
    pub email: Option<String>,
    /// Mobile of the user to create, in international form.
    pub mobile: Option<String>,
    /// An existing user to use instead of creating one.
    pub user_id: Option<String>,
    /// The connection job to wait for, when the consent redirect already gave it (needs `user_id`).
    pub job_id: Option<String>,
}

impl Options {
    /// Refuses combinations that would act on the wrong user or invent personal details online.
    pub fn check(&self, online: bool) -> Result<(), String> {
        if self.job_id.is_some() && self.user_id.is_none() {
            return Err(
                "--job-id needs --user-id: the job belongs to an existing user, whose accounts are listed".into()
            );
        }
        if online && self.user_id.is_none() && self.email.as_deref().is_none_or(|e| e.trim().is_empty()) {
            return Err("online runs create a real Basiq user: give their --email (or an existing --user-id)".into());
        }
        Ok(())
    }
}

/// Where consent comes from: the sandbox completes it for us, or a person opens the URL.
pub enum Consent<'a> {
    /// Complete consent on the user's behalf in the embedded sandbox.
    Sandbox(&'a Sandbox),
    /// Print the URL and wait for a person to finish consent in a browser.
    Person,
    /// As [`Consent::Person`], and also hand the URL to a browser that a test drives.
    Browser(tokio::sync::mpsc::UnboundedSender<String>),
}

/// Runs the whole flow offline against a freshly started embedded sandbox.
pub async fn run_offline(options: Options) -> Result<Vec<types::Account>, String> {
    let sandbox = Sandbox::builder()
        .job_step_delay(Duration::from_millis(900))
        .start()
        .await
        .map_err(|e| format!("could not start the embedded sandbox: {e}"))?;
    println!("No BASIQ_API_KEY set: running against the embedded sandbox at {}", sandbox.base_url());
    // The sandbox's own example person; only ever used offline.
    let options = Options {
        email: options.email.or_else(|| Some("gavin@hooli.com".into())),
        mobile: options.mobile.or_else(|| Some("+61410888999".into())),
        ..options
    };
    let client =
        Client::builder().api_key(sandbox.api_key()).base_url(sandbox.base_url()).build().map_err(|e| e.to_string())?;
    run(&client, &options, Consent::Sandbox(&sandbox)).await
}

/// Runs the flow with `client`, getting consent as `consent` says.
pub async fn run(client: &Client, options: &Options, consent: Consent<'_>) -> Result<Vec<types::Account>, String> {
    options.check(matches!(consent, Consent::Person))?;
    client.server_token().await.map_err(|e| e.to_string())?;
    println!("1. Server token obtained (cached and refreshed by the client).");

    let user_id = match &options.user_id {
        Some(id) => {
            println!("2. Using existing user {id}");
            id.clone()
        }
        None => {
            let request: types::UserCreateRequest =
                serde_json::from_value(serde_json::json!({ "email": options.email, "mobile": options.mobile }))
                    .map_err(|e| format!("invalid --email or --mobile: {e}"))?;
            let user = client.create_user().body(request).call().await.map_err(|e| e.to_string())?;
            println!("2. Created user {} ({})", user.id, options.email.as_deref().unwrap_or_default());
            user.id
        }
    };

    let token = client.client_token(&user_id).await.map_err(|e| e.to_string())?;
    println!("3. Client token minted for the user.");

    let page = match &consent {
        Consent::Sandbox(sandbox) => sandbox.consent_url_base(),
        Consent::Person | Consent::Browser(_) => client.consent_page().await,
    };
    let url = ConsentUrl::new(token).state("quickstart").with_base(page).build().map_err(|e| e.to_string())?;
    println!("4. Consent URL: {url}");
    if let Consent::Browser(browser) = &consent {
        browser.send(url.clone()).map_err(|_| "the browser went away before consent".to_owned())?;
    }

    let job_id = match (&consent, &options.job_id) {
        (_, Some(id)) => id.clone(),
        (Consent::Sandbox(sandbox), None) => {
            println!("   (sandbox) completing consent on the user's behalf as gavinBelson at Hooli (AU00000)");
            let outcome = sandbox
                .complete_consent(&user_id, "AU00000", "gavinBelson", "hooli2016")
                .map_err(|e| format!("the sandbox refused the consent: {e}"))?;
            outcome.job_id
        }
        (Consent::Person | Consent::Browser(_), None) => {
            println!("   Open the URL above, connect a bank, and come back; watching the user's jobs...");
            client
                .wait_for_new_connection_job(&user_id, Vec::<String>::new())
                .deadline(Duration::from_secs(15 * 60))
                .wait()
                .await
                .map_err(|e| e.to_string())?
        }
    };
    println!("5. Waiting for connection job {job_id}");

    // A person answers multi-factor challenges on the consent page; keep waiting past each one
    // (a bounded number: a bank asks once or twice per login).
    let mut answered: Option<MfaChallenge> = None;
    let mut challenges = 0;
    let connection_id = loop {
        let mut wait =
            client.wait_for_job(&job_id).deadline(Duration::from_secs(5 * 60)).on_progress(|p| match &p.step {
                Some(step) => println!("   ... {step} ({}/{} steps done)", p.done, p.total),
                None => println!("   ... waiting for the job to start"),
            });
        if let Some(challenge) = &answered {
            wait = wait.answered(challenge);
        }
        match wait.wait().await.map_err(|e| e.to_string())? {
            JobOutcome::Succeeded(done) => break done.connection_id,
            JobOutcome::MfaRequired(challenge) if !matches!(consent, Consent::Sandbox(_)) && challenges < 5 => {
                println!("   The bank asks: {}", challenge.prompts.join(" / "));
                println!("   Answer it on the consent page; still waiting...");
                challenges += 1;
                answered = Some(challenge);
            }
            JobOutcome::MfaRequired(challenge) => {
                return Err(format!(
                    "job {} is waiting for a multi-factor answer ({}) that did not come",
                    challenge.job_id,
                    challenge.prompts.join(" / ")
                ));
            }
            other => return Err(format!("job {job_id} ended in an unexpected state: {other:?}")),
        }
    };
    println!("6. Connection {} is active.", connection_id.as_deref().unwrap_or("(id not reported)"));

    let mut accounts = client.get_accounts().user_id(&user_id);
    if let Some(id) = &connection_id {
        accounts = accounts.filter(AccountFilter::connection_id().eq(id));
    }
    let accounts = accounts.call().await.map_err(|e| e.to_string())?.data;
    println!("7. Accounts:\n");
    print_table(&accounts);
    Ok(accounts)
}

/// Prints accounts as an aligned table.
fn print_table(accounts: &[types::Account]) {
    let rows: Vec<[String; 5]> = accounts
        .iter()
        .map(|a| {
            [
                a.name.clone().unwrap_or_default(),
                masked(a),
                a.class.as_ref().and_then(|c| c.type_.as_ref()).map(|t| t.to_string()).unwrap_or_default(),
                a.balance.clone().unwrap_or_else(|| "-".into()),
                a.available_funds.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let header = ["Name", "Number", "Class", "Balance", "Available"].map(String::from);
    let widths: Vec<usize> =
        (0..5).map(|i| rows.iter().chain([&header]).map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let line = |r: &[String; 5]| {
        format!(
            "  {:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {:>w4$}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
            w4 = widths[4]
        )
    };
    println!("{}", line(&header));
    for row in &rows {
        println!("{}", line(row));
    }
}

/// The account number with all but the last four digits hidden.
fn masked(account: &types::Account) -> String {
    if let Some(m) = account.masked_number.as_ref().filter(|m| !m.is_empty()) {
        return m.clone();
    }
    let number = account.account_no.clone().unwrap_or_default();
    let keep = number.chars().count().saturating_sub(4);
    number.chars().enumerate().map(|(i, c)| if i < keep && c.is_ascii_alphanumeric() { 'x' } else { c }).collect()
}

fn parse_args() -> Result<Option<Options>, String> {
    let mut options = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--email" => options.email = Some(value("--email")?),
            "--mobile" => options.mobile = Some(value("--mobile")?),
            "--user-id" => options.user_id = Some(value("--user-id")?),
            "--job-id" => options.job_id = Some(value("--job-id")?),
            "-h" | "--help" => {
                println!("usage: quickstart [--email E] [--mobile +61...] [--user-id ID [--job-id ID]]");
                println!("Online (BASIQ_API_KEY set) it needs --email to create the user, or --user-id.");
                println!("Without BASIQ_API_KEY it runs offline against the embedded sandbox.");
                return Ok(None);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(Some(options))
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(Some(options)) => options,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("quickstart: {e}");
            return ExitCode::from(2);
        }
    };
    let online = std::env::var(basiq::ENV_API_KEY).is_ok_and(|k| !k.trim().is_empty());
    if let Err(e) = options.check(online) {
        eprintln!("quickstart: {e}");
        return ExitCode::from(2);
    }
    let result = if online {
        match Client::from_env() {
            Ok(client) => run(&client, &options, Consent::Person).await,
            Err(e) => Err(e.to_string()),
        }
    } else {
        run_offline(options).await
    };
    match result {
        Ok(accounts) => {
            println!("\nDone: {} account(s).", accounts.len());
            ExitCode::SUCCESS
        }
        Err(reason) => {
            eprintln!("quickstart failed: {reason}");
            ExitCode::FAILURE
        }
    }
}

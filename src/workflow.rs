//! The whole connect flow in one place: create a user, send them to the Consent UI, wait for
//! the connection job, read their accounts.
//!
//! Each step is one call to an existing piece (the generated `create_user` and `get_accounts`,
//! [`Client::client_token`](crate::Client::client_token), [`ConsentUrl`](crate::consent::ConsentUrl),
//! [`Client::wait_for_new_connection_job`](crate::Client::wait_for_new_connection_job),
//! [`Client::wait_for_job`](crate::Client::wait_for_job)), so the flow is written out here rather
//! than wrapped in another type.
//!
//! ```no_run
//! use basiq::consent::ConsentUrl;
//! use basiq::filter::AccountFilter;
//! use basiq::jobs::JobOutcome;
//! use basiq::{Call, Client, types};
//!
//! # async fn seed() -> Result<(), basiq::Error> {
//! let client = Client::from_env()?;
//! let new_user = types::UserCreateRequest { email: Some("gavin@hooli.com".into()), mobile: Some("+61410888999".into()), ..Default::default() };
//! let user = client.create_user().body(new_user).call().await?;
//!
//! let token = client.client_token(&user.id).await?;
//! println!("Connect a bank: {}", ConsentUrl::new(token).state("session-42").build()?);
//!
//! // A web app reads the job ids from the redirect (`ConsentRedirect::parse`); a CLI can watch for the job:
//! let job_id = client.wait_for_new_connection_job(&user.id, Vec::<String>::new()).await?;
//! let mut outcome = client.wait_for_job(&job_id).on_progress(|p| println!("{p}")).await?;
//! while let JobOutcome::MfaRequired(challenge) = outcome {
//!     let code = "123456".to_owned(); // ask the user: challenge.prompts
//!     client.answer_mfa(&job_id, vec![code]).await?;
//!     outcome = client.wait_for_job(&job_id).answered(&challenge).await?;
//! }
//! let JobOutcome::Succeeded(done) = outcome else { return Ok(()) };
//!
//! let mut accounts = client.get_accounts().user_id(&user.id);
//! if let Some(connection) = &done.connection_id {
//!     accounts = accounts.filter(AccountFilter::connection_id().eq(connection));
//! }
//! for account in accounts.call().await?.data {
//!     println!("{:?} {:?}", account.name, account.balance);
//! }
//! # Ok(()) }
//! ```

//! `Client::from_env` and `BASIQ_CONSENT_URL`, in a test binary of its own because it changes the process environment.

use basiq::{Client, ENV_API_KEY, ENV_BASE_URL, Error};

#[test]
fn from_env_requires_the_key_and_honours_the_base_url() {
    // SAFETY: this binary has this one test, so nothing else reads the environment meanwhile.
    unsafe {
        std::env::remove_var(ENV_API_KEY);
        std::env::remove_var(ENV_BASE_URL);
    }
    let missing = Client::from_env().unwrap_err();
    assert!(matches!(missing, Error::Config(_)));
    assert!(missing.to_string().contains("BASIQ_API_KEY"), "{missing}");

    unsafe { std::env::set_var(ENV_API_KEY, "   ") };
    let empty = Client::from_env().unwrap_err();
    assert!(empty.to_string().contains("BASIQ_API_KEY"), "{empty}");

    unsafe {
        std::env::set_var(ENV_API_KEY, "dGVzdDp0ZXN0");
        std::env::set_var(ENV_BASE_URL, "http://127.0.0.1:9/");
    }
    let client = Client::from_env().unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9");
    assert!(!format!("{client:?}").contains("dGVzdDp0ZXN0"));

    unsafe { std::env::set_var(ENV_BASE_URL, "not a url") };
    assert!(matches!(Client::from_env(), Err(Error::Config(_))));

    // BASIQ_CONSENT_URL names the consent page, trimmed; a blank one is ignored (the server at
    // port 9 does not answer discovery, so Basiq's page it is).
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    unsafe { std::env::set_var(basiq::consent::ENV_CONSENT_URL, "  https://consent.example/start  ") };
    assert_eq!(runtime.block_on(client.consent_page()), "https://consent.example/start");
    unsafe { std::env::set_var(basiq::consent::ENV_CONSENT_URL, "   ") };
    assert_eq!(runtime.block_on(client.consent_page()), basiq::consent::DEFAULT_CONSENT_URL);
}

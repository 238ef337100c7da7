//! The test institutions the sandbox knows, and how they ask for MFA.

use serde_json::{Value, json};

/// How often an institution asks for MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MfaPolicy {
    Never,
    Always,
    /// Half the time, decided per job by the sandbox's seeded generator.
    Sometimes,
}

/// A test institution the sandbox knows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Institution {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) short_name: &'static str,
    pub(crate) mfa: MfaPolicy,
    /// Whether PDF/CSV statement uploads are accepted.
    pub(crate) statements: bool,
    pub(crate) color: &'static str,
}

/// The sandbox institutions (FACTS §7).
pub(crate) const INSTITUTIONS: &[Institution] = &[
    Institution {
        id: "AU00000",
        name: "Hooli Bank",
        short_name: "Hooli",
        mfa: MfaPolicy::Never,
        statements: false,
        color: "#1C3F94",
    },
    Institution {
        id: "AU00002",
        name: "Pied Piper Bank",
        short_name: "Pied Piper",
        mfa: MfaPolicy::Always,
        statements: true,
        color: "#2E8B57",
    },
    Institution {
        id: "AU00003",
        name: "Nucleus Bank",
        short_name: "Nucleus",
        mfa: MfaPolicy::Sometimes,
        statements: true,
        color: "#8B1C1C",
    },
    Institution {
        id: "AU00004",
        name: "HooliGov Bank",
        short_name: "HooliGov",
        mfa: MfaPolicy::Never,
        statements: true,
        color: "#444444",
    },
];

/// Find an institution by id.
pub(crate) fn institution(id: &str) -> Option<&'static Institution> {
    INSTITUTIONS.iter().find(|i| i.id == id)
}

/// A `{type:"institution", id, links.self}` reference to an institution.
pub(crate) fn institution_ref(id: &str, base: &str) -> Value {
    json!({ "type": "institution", "id": id, "links": { "self": format!("{base}/institutions/{id}") } })
}

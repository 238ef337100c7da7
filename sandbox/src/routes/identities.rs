//! Identities: one per connection whose profile is known, built from that profile.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::Uri;
use serde_json::{Value, json};

use super::envelopes::extend_object;
use super::paging;
use super::profile_json::{address_json, person_json, unknown_identity_details};
use crate::dates;
use crate::errors::{ApiError, ApiResult};
use crate::http::{ok, query, self_url};
use crate::seeded::Mix;
use crate::state::{Connection, Shared};

fn identity_id(seed: u64, conn: &Connection) -> String {
    Mix::new(seed, &[&conn.id, "identity"]).uuid()
}

/// The organisation block of a personal identity: Basiq's shape, every field empty.
fn empty_organisation() -> Value {
    json!({
        "agentFirstName": "",
        "agentLastName": "",
        "agentRole": "",
        "businessName": "",
        "legalName": "",
        "shortName": "",
        "abn": "",
        "acn": "",
        "isACNCRegistered": false,
        "industryCode": "",
        "industryCodeVersion": "",
        "organisationType": "",
        "registeredCountry": "",
    })
}

fn identity_json(s: &Shared, user_id: &str, conn: &Connection) -> Option<Value> {
    let p = conn.profile.as_ref()?;
    let base = &s.cfg.base_url;
    let id = identity_id(s.cfg.seed, conn);
    // Basiq sends the organisation block for people too, with every field empty.
    let organisation = p.business.map_or_else(empty_organisation, |(name, abn)| {
        json!({
            "agentFirstName": p.first,
            "agentLastName": p.last,
            "agentRole": "Director",
            "businessName": name,
            "legalName": name,
            "shortName": name,
            "abn": abn,
            "acn": &abn[2..],
            "isACNCRegistered": false,
            "industryCode": "6240",
            "industryCodeVersion": "ANZSIC-2006",
            "organisationType": "COMPANY",
            "registeredCountry": "AUS",
        })
    });
    let mut address = address_json(p);
    address["type"] = json!("residential");
    let mut out = person_json(p);
    extend_object(&mut out, unknown_identity_details());
    extend_object(
        &mut out,
        json!({
            "type": "identity",
            "id": id,
            "created": dates::fmt_datetime(conn.created),
            "updated": dates::fmt_datetime(conn.last_used),
            "source": conn.method,
            "connectionID": conn.id,
            "institutionID": conn.institution,
            "physicalAddresses": [address],
            "organisation": organisation,
            "links": {
                "self": format!("{base}/users/{user_id}/identities/{id}"),
                "job": format!("{base}/jobs/{}", conn.job_id),
            },
        }),
    );
    Some(out)
}

/// `GET /users/{userId}/identities` (getUserIdentities): one identity per connection whose
/// credentials were verified.
pub(crate) async fn get_identities(State(s): State<Arc<Shared>>, Path(user_id): Path<String>, uri: Uri) -> ApiResult {
    let cursor = paging::cursor(&query(&uri))?;
    let inner = s.settled(&user_id);
    let user = inner.user(&user_id)?;
    let data: Vec<Value> = user
        .connections
        .iter()
        .filter(|c| c.profile.is_some())
        .skip(paging::skip(&cursor))
        .take(paging::take(&cursor))
        .filter_map(|c| identity_json(&s, &user_id, c))
        .collect();
    let list_url = format!("{}/users/{user_id}/identities", s.cfg.base_url);
    ok(paging::finish(data, &cursor, self_url(&s, &uri), &list_url))
}

/// `GET /users/{userId}/identities/{identityId}` (getUserIdentity).
pub(crate) async fn get_identity(
    State(s): State<Arc<Shared>>,
    Path((user_id, identity_id_param)): Path<(String, String)>,
) -> ApiResult {
    let inner = s.settled(&user_id);
    let user = inner.user(&user_id)?;
    user.connections
        .iter()
        .filter(|c| identity_id(s.cfg.seed, c) == identity_id_param)
        .find_map(|c| identity_json(&s, &user_id, c))
        .map_or_else(|| Err(ApiError::not_found("Requested identity does not exist.").param("identityId")), ok)
}

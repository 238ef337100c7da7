//! A connection profile as the API shows it: the holder's names and contacts, address, and the
//! identity details the sandbox has no data for (connections, identities and statement reports).

use serde_json::{Value, json};

use crate::data::Profile;

/// A profile holder's names and contacts, as connection profiles and identities show them.
pub(crate) fn person_json(p: &Profile) -> Value {
    json!({
        "firstName": p.first,
        "middleName": p.middle,
        "lastName": p.last,
        "fullName": p.full_name(),
        "emailAddresses": [p.email],
        "phoneNumbers": [p.phone],
    })
}

/// A profile's address, as connection profiles and identities show it.
pub(crate) fn address_json(p: &Profile) -> Value {
    json!({
        "addressLine1": p.street,
        "addressLine2": "",
        "addressLine3": "",
        "postcode": p.postcode,
        "city": p.city,
        "state": p.state,
        "country": "Australia",
        "countryCode": "AUS",
        "formattedAddress": p.formatted_address(),
    })
}

/// Identity details the sandbox has no data for, all empty.
pub(crate) fn unknown_identity_details() -> Value {
    json!({ "title": "", "DOB": "", "occupationCode": "", "occupationCodeVersion": "" })
}

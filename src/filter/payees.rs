//! Filters for a user's payees (`GET /users/{userId}/payees`): `type` and `connectionId` take
//! `eq`, `created` takes a day or an instant with `eq`, `gt`, `gteq`, `lt`, `lteq` and `between`.

use super::typed::{EqOnly, Ordered};
use super::values::DateOrTime;

endpoint! {
    /// A user's payees list.
    Payees, "get_payees", TwoValues;
    /// A filter for [`Client::get_payees`](crate::Client::get_payees) and [`Client::payees`](crate::Client::payees).
    PayeeFilter;
    /// `type`: domestic, biller, international or digitalWallet.
    payee_type: "type", String, EqOnly;
    /// `connectionId`: the payees found through one connection.
    connection_id: "connectionId", String, EqOnly;
    /// `created`: when the payee was saved.
    created: "created", DateOrTime, Ordered;
}

//! Filters for the application's payrequests (`GET /payments/payrequests`) and payouts
//! (`GET /payments/payouts`). Basiq names the fields (payer.user.id, status, date and amount)
//! without giving their grammar; these follow the v3 `field.op('value')` style: ids and status
//! take `eq`, `date` takes a day or an instant with `eq`, `gt`, `gteq`, `lt`, `lteq` and
//! `between`. Amounts are not modelled; send them with [`Filter::raw`](super::Filter::raw).

use super::typed::{EqOnly, Ordered};
use super::values::DateOrTime;

endpoint! {
    /// The payrequests list.
    Payrequests, "list_payrequests", TwoValues;
    /// A filter for [`Client::list_payrequests`](crate::Client::list_payrequests) and [`Client::payrequests`](crate::Client::payrequests).
    PayrequestFilter;
    /// `payer.user.id`: the payrequests collecting from one user.
    payer_user_id: "payer.user.id", String, EqOnly;
    /// `status`, e.g. in-progress, successful or failed.
    status: "status", String, EqOnly;
    /// `date`: when the payment was made.
    date: "date", DateOrTime, Ordered;
}

endpoint! {
    /// The payouts list.
    Payouts, "list_payouts", TwoValues;
    /// A filter for [`Client::list_payouts`](crate::Client::list_payouts) and [`Client::payouts`](crate::Client::payouts).
    PayoutFilter;
    /// `status`, e.g. in-progress, successful or failed.
    status: "status", String, EqOnly;
    /// `date`: when the payment was made.
    date: "date", DateOrTime, Ordered;
}

//! Filters for a user's accounts (`GET /users/{userId}/accounts`): ids only, `eq` and `ne`.

use super::typed::EqNe;

endpoint! {
    /// The accounts list.
    Accounts, "get_accounts", TwoValues;
    /// A filter for [`Client::get_accounts`](crate::Client::get_accounts).
    AccountFilter;
    /// `account.id`.
    account_id: "account.id", String, EqNe;
    /// `connection.id`: the accounts of one connection.
    connection_id: "connection.id", String, EqNe;
    /// `institution.id`, e.g. `AU00000`.
    institution_id: "institution.id", String, EqNe;
}

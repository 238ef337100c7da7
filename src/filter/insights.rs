//! Filters for a user's stored CDR insights (`GET /users/{userId}/insights`).
//!
//! `created` takes a day (`YYYY-MM-DD`, the only form Basiq documents there) with `eq`, `gt`,
//! `gteq`, `lt`, `lteq` and `between`; `insightType` takes `eq` with one of account, balance,
//! identity, income or expense-ratio.

use time::Date;

use super::typed::{EqOnly, Ordered};

endpoint! {
    /// A user's insights list.
    UserInsights, "list_user_insights", TwoValues;
    /// A filter for [`Client::list_user_insights`](crate::Client::list_user_insights) and [`Client::user_insights`](crate::Client::user_insights).
    InsightFilter;
    /// `created`: the day the insight was stored (a whole UTC day).
    created: "created", Date, Ordered;
    /// `insightType`: account, balance, identity, income or expense-ratio.
    insight_type: "insightType", String, EqOnly;
}

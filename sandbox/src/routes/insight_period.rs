//! The window and accounts an affordability, expenses or income snapshot covers, read strictly
//! from the POSTed body as Basiq does: `fromMonth`/`toMonth` absent or `YYYY-MM`, `accounts`
//! absent or a list of the user's account ids; `null`, `""` or another type is a 400 pointing at
//! the field.

use serde_json::Value;

use crate::analysis;
use crate::data::Txn;
use crate::dates::{self, DAY};
use crate::errors::{ApiError, ApiResult, parse_json_or_empty};
use crate::state::User;
use crate::validate;

/// The window and accounts a snapshot covers.
pub(crate) struct Period {
    pub(crate) accounts: Vec<String>,
    pub(crate) from: i64,
    pub(crate) to: i64,
}

/// Read the period of a snapshot request; the default is the last twelve months up to the end
/// of this month, over all the user's accounts.
pub(crate) fn parse_period(body: &[u8], user: &User, now: i64) -> ApiResult<Period> {
    let v = parse_json_or_empty(body, "Request body")?;
    let Some(obj) = v.as_object() else {
        return Err(ApiError::invalid_content("Request body is not in valid format."));
    };
    let month = |key: &str| -> ApiResult<Option<i64>> {
        match obj.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => dates::parse_month(s)
                .map(Some)
                .ok_or_else(|| ApiError::invalid_param(key, format!("{key} must be a YYYY-MM month.")).pointer(key)),
            Some(_) => Err(ApiError::invalid_param(key, format!("{key} must be a YYYY-MM month.")).pointer(key)),
        }
    };
    let this_month = dates::parse_month(&dates::fmt_month(now)).unwrap_or(now);
    let to_start = month("toMonth")?.unwrap_or(this_month);
    let (ty, tm, _) = dates::civil_from_days(to_start / DAY);
    let to = to_start + i64::from(dates::days_in_month(ty, tm)) * DAY - 1;
    let from = match month("fromMonth")? {
        Some(f) => f,
        None => {
            let idx = ty * 12 + i64::from(tm) - 1 - 11;
            dates::days_from_civil(idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u32, 1) * DAY
        }
    };
    if from > to {
        return Err(ApiError::invalid_param("fromMonth", "toMonth must not be before fromMonth.").pointer("fromMonth"));
    }
    let accounts = match validate::optional_text_list(obj, "accounts")? {
        None => user.accounts.iter().map(|a| a.id.clone()).collect(),
        Some(items) if items.is_empty() => user.accounts.iter().map(|a| a.id.clone()).collect(),
        Some(items) => {
            if let Some(id) = items.iter().find(|id| !user.accounts.iter().any(|a| a.id == **id)) {
                return Err(ApiError::invalid_param("accounts", format!("Account {id} does not belong to the user."))
                    .pointer("accounts"));
            }
            items
        }
    };
    Ok(Period { accounts, from, to })
}

/// The user's transactions inside the period.
pub(crate) fn in_period<'a>(user: &'a User, p: &Period) -> Vec<&'a Txn> {
    user.txns.iter().filter(|t| analysis::in_window(t, &p.accounts, p.from, p.to)).collect()
}

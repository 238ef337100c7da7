//! Basiq's `?filter=` grammar: `<field>.<op>(<value>[,<value>...])`, statements joined by
//! commas meaning AND. Values are usually single-quoted (`'AU00000'`); bare values are accepted
//! too (the events API documents `user.id.eq(<id>)`). `bt` takes two values, or one quoted
//! string holding both separated by a comma (`bt('2024-01-01,2024-02-01')`).

use super::dates;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Gt,
    Gteq,
    Lt,
    Lteq,
    Bt,
    In,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "gteq" => Op::Gteq,
            "lt" => Op::Lt,
            "lteq" => Op::Lteq,
            "bt" => Op::Bt,
            "in" => Op::In,
            _ => return None,
        })
    }
}

/// One `field.op(values)` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cond {
    pub(crate) field: String,
    pub(crate) op: Op,
    pub(crate) values: Vec<String>,
}

/// A parsed filter: all conditions must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    pub(crate) conds: Vec<Cond>,
}

/// The filter could not be parsed or is not supported where it was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterError;

/// What kind of values a field holds (decides how values are compared).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Exact string comparison.
    Text,
    /// A timestamp; filter values are `YYYY-MM-DD` or RFC 3339 date-times.
    Time,
}

/// A field an endpoint accepts, with its kind and allowed operators.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldSpec {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) ops: &'static [Op],
}

/// The value of a field on one item.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Text(&'a str),
    /// Unix seconds, or `None` when the item has no such time (e.g. pending transactions).
    Time(Option<i64>),
}

/// Operators for identity-like fields.
pub(crate) const EQ_NE: &[Op] = &[Op::Eq, Op::Ne];
/// Operators for enum-like fields.
pub(crate) const EQ_NE_IN: &[Op] = &[Op::Eq, Op::Ne, Op::In];
/// Operators for date fields.
pub(crate) const DATE_OPS: &[Op] = &[Op::Eq, Op::Gt, Op::Gteq, Op::Lt, Op::Lteq, Op::Bt];

fn split_top_level(s: &str) -> Result<Vec<&str>, FilterError> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '\'' | '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return Err(FilterError);
                }
            }
            ',' if !quoted && depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if quoted || depth != 0 {
        return Err(FilterError);
    }
    parts.push(&s[start..]);
    Ok(parts)
}

fn parse_values(args: &str) -> Result<Vec<String>, FilterError> {
    let mut values = Vec::new();
    let mut rest = args.trim();
    if rest.is_empty() {
        return Err(FilterError);
    }
    loop {
        let (value, after) = if let Some(q) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') {
            let body = &rest[1..];
            let end = body.find(q).ok_or(FilterError)?;
            (body[..end].to_owned(), body[end + 1..].trim_start())
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let v = rest[..end].trim();
            if v.is_empty() || v.contains(['\'', '"', '(', ')']) {
                return Err(FilterError);
            }
            (v.to_owned(), &rest[end..])
        };
        values.push(value);
        if after.is_empty() {
            break;
        }
        rest = after.strip_prefix(',').ok_or(FilterError)?.trim_start();
        if rest.is_empty() {
            return Err(FilterError);
        }
    }
    Ok(values)
}

fn parse_statement(s: &str) -> Result<Cond, FilterError> {
    let s = s.trim();
    let open = s.find('(').ok_or(FilterError)?;
    if !s.ends_with(')') {
        return Err(FilterError);
    }
    let head = &s[..open];
    let args = &s[open + 1..s.len() - 1];
    let (field, op) = head.rsplit_once('.').ok_or(FilterError)?;
    let op = Op::parse(op.trim()).ok_or(FilterError)?;
    let field = field.trim();
    let valid_field = !field.is_empty()
        && field.split('.').all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if !valid_field {
        return Err(FilterError);
    }
    let mut values = parse_values(args)?;
    match op {
        Op::Bt => {
            if values.len() == 1 {
                let joined = values.remove(0);
                let (a, b) = joined.split_once(',').ok_or(FilterError)?;
                values = vec![a.trim().to_owned(), b.trim().to_owned()];
            }
            if values.len() != 2 || values.iter().any(String::is_empty) {
                return Err(FilterError);
            }
        }
        Op::In => {}
        _ => {
            if values.len() != 1 {
                return Err(FilterError);
            }
        }
    }
    Ok(Cond { field: field.to_owned(), op, values })
}

/// Parse a filter string. An empty string is an empty filter.
pub(crate) fn parse(s: &str) -> Result<Filter, FilterError> {
    if s.trim().is_empty() {
        return Ok(Filter::default());
    }
    let conds = split_top_level(s)?.into_iter().map(parse_statement).collect::<Result<Vec<_>, _>>()?;
    Ok(Filter { conds })
}

/// `{list_url}?filter={field}.eq('{value}')`: the only filter the sandbox writes itself, in the
/// links and job results it returns (unencoded, as Basiq's own links are).
pub(crate) fn eq_link(list_url: &str, field: &str, value: &str) -> String {
    let mut url = String::with_capacity(list_url.len() + field.len() + value.len() + 16);
    for part in [list_url, "?filter=", field, ".eq('", value, "')"] {
        url.push_str(part);
    }
    url
}

/// A time bound from a filter value: (first second, last second) it covers.
fn time_range(v: &str) -> Option<(i64, i64)> {
    if let Some(day) = dates::parse_date(v) {
        return Some((day, day + dates::DAY - 1));
    }
    dates::parse_datetime(v).map(|t| (t, t))
}

impl Filter {
    /// Parse and check against the fields an endpoint supports.
    pub(crate) fn parse_for(s: &str, fields: &[FieldSpec]) -> Result<Filter, FilterError> {
        let f = parse(s)?;
        f.check(fields)?;
        Ok(f)
    }

    /// Check every condition names a supported field with a supported operator and sane values.
    pub(crate) fn check(&self, fields: &[FieldSpec]) -> Result<(), FilterError> {
        for c in &self.conds {
            let spec = fields.iter().find(|f| f.name.eq_ignore_ascii_case(&c.field)).ok_or(FilterError)?;
            if !spec.ops.contains(&c.op) {
                return Err(FilterError);
            }
            if spec.kind == Kind::Time && c.values.iter().any(|v| time_range(v).is_none()) {
                return Err(FilterError);
            }
        }
        Ok(())
    }

    /// Whether the filter has no conditions.
    pub(crate) fn is_empty(&self) -> bool {
        self.conds.is_empty()
    }

    /// Evaluate against one item; `get` returns the item's value for a (lower-cased) field name.
    pub(crate) fn matches<'a>(&self, get: impl Fn(&str) -> Option<Value<'a>>) -> bool {
        self.conds.iter().all(|c| {
            let Some(v) = get(&c.field.to_ascii_lowercase()) else {
                return false;
            };
            cond_matches(c, v)
        })
    }

    /// [`Filter::matches`] for items whose filterable fields are all text.
    pub(crate) fn matches_text<'a>(&self, get: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.matches(|field| get(field).map(Value::Text))
    }
}

fn cond_matches(c: &Cond, v: Value<'_>) -> bool {
    match v {
        Value::Text(t) => {
            let first = c.values.first().map(String::as_str).unwrap_or("");
            match c.op {
                Op::Eq => t == first,
                Op::Ne => t != first,
                Op::In => c.values.iter().any(|x| x == t),
                Op::Gt => t > first,
                Op::Gteq => t >= first,
                Op::Lt => t < first,
                Op::Lteq => t <= first,
                Op::Bt => {
                    let last = c.values.get(1).map(String::as_str).unwrap_or("");
                    t >= first && t <= last
                }
            }
        }
        Value::Time(None) => c.op == Op::Ne,
        Value::Time(Some(t)) => {
            let ranges: Vec<(i64, i64)> = c.values.iter().filter_map(|x| time_range(x)).collect();
            let Some(&(lo, hi)) = ranges.first() else {
                return false;
            };
            match c.op {
                Op::Eq => t >= lo && t <= hi,
                Op::Ne => t < lo || t > hi,
                Op::Gt => t > hi,
                Op::Gteq => t >= lo,
                Op::Lt => t < lo,
                Op::Lteq => t <= hi,
                Op::Bt => ranges.get(1).is_some_and(|&(_, hi2)| t >= lo && t <= hi2),
                Op::In => ranges.iter().any(|&(l, h)| t >= l && t <= h),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TXN: &[FieldSpec] = &[
        FieldSpec { name: "account.id", kind: Kind::Text, ops: EQ_NE_IN },
        FieldSpec { name: "institution.id", kind: Kind::Text, ops: EQ_NE_IN },
        FieldSpec { name: "transaction.postDate", kind: Kind::Time, ops: DATE_OPS },
    ];

    fn cond(field: &str, op: Op, values: &[&str]) -> Cond {
        Cond { field: field.into(), op, values: values.iter().map(|v| (*v).to_owned()).collect() }
    }

    #[test]
    fn parses_single_and_joined_statements() {
        let f = parse("institution.id.eq('AU00000')").unwrap();
        assert_eq!(f.conds, vec![cond("institution.id", Op::Eq, &["AU00000"])]);
        let f = parse("account.id.eq('a1'), transaction.postDate.bt('2024-01-01','2024-02-01')").unwrap();
        assert_eq!(
            f.conds,
            vec![
                cond("account.id", Op::Eq, &["a1"]),
                cond("transaction.postDate", Op::Bt, &["2024-01-01", "2024-02-01"]),
            ]
        );
    }

    #[test]
    fn eq_links_parse_back() {
        let url = eq_link("/users/u/accounts", "institution.id", "AU00000");
        assert_eq!(url, "/users/u/accounts?filter=institution.id.eq('AU00000')");
        let filter = url.split_once("?filter=").map(|(_, f)| parse(f).unwrap()).unwrap();
        assert_eq!(filter.conds, vec![cond("institution.id", Op::Eq, &["AU00000"])]);
    }

    #[test]
    fn bt_accepts_one_joined_value() {
        let f = parse("transaction.postDate.bt('2022-10-01,2022-10-10')").unwrap();
        assert_eq!(f.conds[0].values, vec!["2022-10-01", "2022-10-10"]);
    }

    #[test]
    fn accepts_bare_values_and_in_lists() {
        let f = parse("user.id.eq(abc-123)").unwrap();
        assert_eq!(f.conds[0].values, vec!["abc-123"]);
        let f = parse("connector.status.in('operational','degraded-performance')").unwrap();
        assert_eq!(f.conds[0].op, Op::In);
        assert_eq!(f.conds[0].values.len(), 2);
        let f = parse("account.id.eq('a,b')").unwrap();
        assert_eq!(f.conds[0].values, vec!["a,b"]);
    }

    #[test]
    fn empty_filter_is_no_filter() {
        assert!(parse("").unwrap().is_empty());
        assert!(parse("   ").unwrap().is_empty());
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "institution.id",
            "institution.id.eq",
            "institution.id.eq(",
            "institution.id.eq()",
            "institution.id.eq('AU00000'",
            "institution.id.like('AU00000')",
            "institution.id.eq('a','b')",
            "institution.id.eq('AU00000'),",
            ".eq('x')",
            "institution..id.eq('x')",
            "transaction.postDate.bt('2024-01-01')",
            "institution.id.eq('x')garbage",
            "institution.id.eq('x') AND account.id.eq('y')",
            "account.id.eq(x'y)",
        ] {
            assert_eq!(parse(bad), Err(FilterError), "{bad}");
        }
    }

    #[test]
    fn check_rejects_unsupported_fields_ops_and_dates() {
        assert!(Filter::parse_for("account.id.eq('x')", TXN).is_ok());
        assert!(Filter::parse_for("Account.ID.eq('x')", TXN).is_ok());
        assert!(Filter::parse_for("user.id.eq('x')", TXN).is_err());
        assert!(Filter::parse_for("account.id.gt('x')", TXN).is_err());
        assert!(Filter::parse_for("transaction.postDate.eq('2024-13-01')", TXN).is_err());
        assert!(Filter::parse_for("transaction.postDate.in('2024-01-01')", TXN).is_err());
        assert!(Filter::parse_for("transaction.postDate.gteq('2024-01-01T10:00:00Z')", TXN).is_ok());
    }

    #[test]
    fn evaluates_text_and_dates() {
        let day = dates::parse_date("2024-03-10").unwrap();
        let item = |field: &str| match field {
            "account.id" => Some(Value::Text("acc-1")),
            "transaction.postdate" => Some(Value::Time(Some(day))),
            _ => None,
        };
        let yes = |s: &str| Filter::parse_for(s, TXN).unwrap().matches(item);
        assert!(yes("account.id.eq('acc-1')"));
        assert!(!yes("account.id.ne('acc-1')"));
        assert!(yes("account.id.in('x','acc-1')"));
        assert!(yes("transaction.postDate.eq('2024-03-10')"));
        assert!(!yes("transaction.postDate.gt('2024-03-10')"));
        assert!(yes("transaction.postDate.gteq('2024-03-10')"));
        assert!(yes("transaction.postDate.lt('2024-03-11')"));
        assert!(!yes("transaction.postDate.lt('2024-03-10')"));
        assert!(yes("transaction.postDate.lteq('2024-03-10')"));
        assert!(yes("transaction.postDate.bt('2024-03-01','2024-03-10')"));
        assert!(!yes("transaction.postDate.bt('2024-03-11','2024-03-20')"));
        assert!(yes("transaction.postDate.gt('2024-03-09T23:59:59Z')"));
        assert!(yes("account.id.eq('acc-1'),transaction.postDate.eq('2024-03-10')"));
        assert!(!yes("account.id.eq('acc-1'),transaction.postDate.eq('2024-03-11')"));
        // pending items have no post date: date conditions exclude them.
        let pending = |field: &str| match field {
            "transaction.postdate" => Some(Value::Time(None)),
            _ => None,
        };
        assert!(!Filter::parse_for("transaction.postDate.gteq('2000-01-01')", TXN).unwrap().matches(pending));
    }
}

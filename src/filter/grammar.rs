//! Basiq's filter grammar, written out: `field.op('value'[,'value'…])`, statements joined by
//! commas (all must hold). This is the only place that assembles filter text.

use super::error::FilterErrorKind;

/// A comparison operator of the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
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
    /// The operator's name in a filter.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Gteq => "gteq",
            Op::Lt => "lt",
            Op::Lteq => "lteq",
            Op::Bt => "bt",
            Op::In => "in",
        }
    }
}

/// How an endpoint writes the two bounds of `bt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Between {
    /// `bt('from','to')`, as Basiq's collections page shows for transactions.
    TwoValues,
    /// `bt('from,to')`, as Basiq's report-transactions page shows.
    OneJoined,
}

/// One statement of a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// A modelled field, operator and checked values (without quotes).
    Typed { field: &'static str, op: Op, values: Vec<String> },
    /// Text the caller wrote, sent as it is.
    Raw(String),
}

/// Writes statements as one filter expression.
pub fn render(statements: &[Statement], between: Between) -> String {
    let mut out = String::new();
    for (i, statement) in statements.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match statement {
            Statement::Raw(text) => out.push_str(text.trim()),
            Statement::Typed { field, op, values } => {
                out.push_str(field);
                out.push('.');
                out.push_str(op.as_str());
                out.push('(');
                if *op == Op::Bt && between == Between::OneJoined {
                    quoted(&mut out, &values.join(","));
                } else {
                    for (j, value) in values.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        quoted(&mut out, value);
                    }
                }
                out.push(')');
            }
        }
    }
    out
}

fn quoted(out: &mut String, value: &str) {
    out.push('\'');
    out.push_str(value);
    out.push('\'');
}

/// Checks that a value can stand between quotes without changing the expression around it.
pub fn check_value(value: &str) -> Result<(), FilterErrorKind> {
    if value.is_empty() {
        Err(FilterErrorKind::EmptyValue)
    } else if value.contains(['\'', '"']) {
        Err(FilterErrorKind::Quote)
    } else if value.contains(',') {
        Err(FilterErrorKind::Comma)
    } else if value.chars().any(char::is_control) {
        Err(FilterErrorKind::ControlCharacter)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(field: &'static str, op: Op, values: &[&str]) -> Statement {
        Statement::Typed { field, op, values: values.iter().map(|v| (*v).to_owned()).collect() }
    }

    #[test]
    fn renders_each_operator_and_joins_with_commas() {
        let all = [
            typed("a", Op::Eq, &["1"]),
            typed("b", Op::Ne, &["2"]),
            typed("c", Op::Gt, &["3"]),
            typed("d", Op::Gteq, &["4"]),
            typed("e", Op::Lt, &["5"]),
            typed("f", Op::Lteq, &["6"]),
            typed("g", Op::Bt, &["7", "8"]),
            typed("h", Op::In, &["9", "10", "11"]),
        ];
        assert_eq!(
            render(&all, Between::TwoValues),
            "a.eq('1'),b.ne('2'),c.gt('3'),d.gteq('4'),e.lt('5'),f.lteq('6'),g.bt('7','8'),h.in('9','10','11')"
        );
    }

    #[test]
    fn between_is_written_as_the_endpoint_documents() {
        let bt = [typed("transaction.postDate", Op::Bt, &["2024-01-01", "2024-01-31"])];
        assert_eq!(render(&bt, Between::TwoValues), "transaction.postDate.bt('2024-01-01','2024-01-31')");
        assert_eq!(render(&bt, Between::OneJoined), "transaction.postDate.bt('2024-01-01,2024-01-31')");
        // `in` keeps one quoted value per item either way.
        let list = [typed("x", Op::In, &["a", "b"])];
        assert_eq!(render(&list, Between::OneJoined), "x.in('a','b')");
    }

    #[test]
    fn raw_statements_are_kept_trimmed() {
        let mixed = [Statement::Raw("  account.id.eq('a')  ".into()), typed("b", Op::Eq, &["c"])];
        assert_eq!(render(&mixed, Between::TwoValues), "account.id.eq('a'),b.eq('c')");
    }

    #[test]
    fn values_that_would_change_the_expression_are_refused() {
        assert_eq!(check_value("AU00000"), Ok(()));
        assert_eq!(check_value("Bank (Foreign)"), Ok(()));
        assert_eq!(check_value("ünïcødé x"), Ok(()));
        assert_eq!(check_value(""), Err(FilterErrorKind::EmptyValue));
        assert_eq!(check_value("o'brien"), Err(FilterErrorKind::Quote));
        assert_eq!(check_value("say \"hi\""), Err(FilterErrorKind::Quote));
        assert_eq!(check_value("a,b"), Err(FilterErrorKind::Comma));
        assert_eq!(check_value("a\nb"), Err(FilterErrorKind::ControlCharacter));
    }
}

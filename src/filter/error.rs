//! Why a filter cannot be sent: the mistakes the types cannot rule out.

use std::fmt;

/// A filter that would change meaning or be refused by Basiq; found before any request is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    field: String,
    kind: FilterErrorKind,
}

/// What is wrong with a filter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilterErrorKind {
    /// An empty value, which matches nothing Basiq stores.
    EmptyValue,
    /// A `'` or `"`, which would end the quoted value early.
    Quote,
    /// A `,`, which Basiq reads as a value separator.
    Comma,
    /// A control character such as a line break.
    ControlCharacter,
    /// `one_of` with no values (`in()` is not valid).
    EmptyList,
    /// `between(from, to)` with `from` after `to`.
    ReversedRange,
    /// A date-time with a fraction of a second; Basiq's times have whole seconds.
    SubSecond,
    /// A date before year 0 or after year 9999.
    YearOutOfRange,
    /// A raw filter with no text.
    EmptyRaw,
}

impl FilterError {
    pub(crate) fn new(field: impl Into<String>, kind: FilterErrorKind) -> Self {
        FilterError { field: field.into(), kind }
    }

    /// The field (for a raw filter, `raw`) whose value was refused.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// What was wrong.
    pub fn kind(&self) -> FilterErrorKind {
        self.kind
    }
}

impl fmt::Display for FilterErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FilterErrorKind::EmptyValue => "a value is empty",
            FilterErrorKind::Quote => "a value holds a quote",
            FilterErrorKind::Comma => "a value holds a comma",
            FilterErrorKind::ControlCharacter => "a value holds a control character",
            FilterErrorKind::EmptyList => "one_of needs at least one value",
            FilterErrorKind::ReversedRange => "between starts after it ends",
            FilterErrorKind::SubSecond => "a date-time has a fraction of a second",
            FilterErrorKind::YearOutOfRange => "a date is outside the years 0 to 9999",
            FilterErrorKind::EmptyRaw => "a raw filter is empty",
        })
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid filter on {}: {}", self.field, self.kind)
    }
}

impl std::error::Error for FilterError {}

impl From<FilterError> for crate::Error {
    fn from(error: FilterError) -> Self {
        crate::Error::InvalidInput(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn becomes_invalid_input_naming_field_and_reason() {
        let error = FilterError::new("account.id", FilterErrorKind::Quote);
        assert_eq!((error.field(), error.kind()), ("account.id", FilterErrorKind::Quote));
        match crate::Error::from(error) {
            crate::Error::InvalidInput(message) => {
                assert_eq!(message, "invalid filter on account.id: a value holds a quote");
            }
            other => panic!("{other:?}"),
        }
    }
}

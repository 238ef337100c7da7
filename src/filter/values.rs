//! What a filter compares with: ids (any string), values of the open sets in [`crate::open`],
//! and dates or date-times.
//!
//! Dates use the [`time`] crate: its `Date` and `OffsetDateTime` are exactly the two kinds of
//! value Basiq's filters take, it needs no time-zone database and, without default features,
//! adds four small crates and no system calls to the build (chrono would add more, jiff bundles
//! time-zone handling we do not need; the generated code uses neither).

use time::{Date, OffsetDateTime};

use super::error::FilterErrorKind;
use super::grammar::check_value;
use crate::open;

/// Seconds in a day.
const DAY: i64 = 86_400;

pub(crate) mod sealed {
    use crate::filter::error::FilterErrorKind;

    /// Conversion to filter text; sealed so only the value kinds Basiq compares can be used.
    pub trait Wire {
        /// The value as it goes between quotes.
        fn wire(&self) -> Result<String, FilterErrorKind>;
        /// First and last second (Unix time) a date value covers; `None` for other values.
        fn span(&self) -> Option<(i64, i64)> {
            None
        }
    }
}

/// A kind of value a filter field compares with.
pub trait FilterValue: sealed::Wire {}

impl sealed::Wire for String {
    fn wire(&self) -> Result<String, FilterErrorKind> {
        check_value(self)?;
        Ok(self.clone())
    }
}

impl FilterValue for String {}

macro_rules! open_values {
    ($($set:ident),* $(,)?) => {$(
        impl sealed::Wire for open::$set {
            fn wire(&self) -> Result<String, FilterErrorKind> {
                check_value(self.as_str())?;
                Ok(self.as_str().to_owned())
            }
        }

        impl FilterValue for open::$set {}
    )*};
}

open_values!(
    TransactionStatus,
    TransactionDirection,
    TransactionClass,
    ConnectionStatus,
    ConnectionMethod,
    EventTypeId,
    EventEntity,
    EventType,
    ConnectorStatus,
    ConnectorStage,
    InstitutionType,
    InstitutionCountry,
    InstitutionTier,
    AuthorizationType,
);

/// A calendar day (the whole UTC day) or an instant, for date fields such as `transaction.postDate`.
///
/// A day is sent as `YYYY-MM-DD` and covers all of it: `gt(day)` means after that day,
/// `lteq(day)` up to its end. An instant is sent in UTC as `YYYY-MM-DDTHH:MM:SSZ`; it must
/// have whole seconds, as Basiq's times do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateOrTime {
    /// A whole UTC day.
    Date(Date),
    /// One instant, in any offset (sent in UTC).
    DateTime(OffsetDateTime),
}

impl From<Date> for DateOrTime {
    fn from(date: Date) -> Self {
        DateOrTime::Date(date)
    }
}

impl From<OffsetDateTime> for DateOrTime {
    fn from(instant: OffsetDateTime) -> Self {
        DateOrTime::DateTime(instant)
    }
}

fn ymd(date: Date) -> Result<String, FilterErrorKind> {
    if !(0..=9999).contains(&date.year()) {
        return Err(FilterErrorKind::YearOutOfRange);
    }
    Ok(format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day()))
}

fn utc(instant: OffsetDateTime) -> Result<OffsetDateTime, FilterErrorKind> {
    OffsetDateTime::from_unix_timestamp(instant.unix_timestamp()).map_err(|_| FilterErrorKind::YearOutOfRange)
}

impl sealed::Wire for DateOrTime {
    fn wire(&self) -> Result<String, FilterErrorKind> {
        match *self {
            DateOrTime::Date(date) => ymd(date),
            DateOrTime::DateTime(instant) => {
                if instant.nanosecond() != 0 {
                    return Err(FilterErrorKind::SubSecond);
                }
                let instant = utc(instant)?;
                let day = ymd(instant.date())?;
                Ok(format!("{day}T{:02}:{:02}:{:02}Z", instant.hour(), instant.minute(), instant.second()))
            }
        }
    }

    fn span(&self) -> Option<(i64, i64)> {
        match *self {
            DateOrTime::Date(date) => {
                let start = date.midnight().assume_utc().unix_timestamp();
                Some((start, start + DAY - 1))
            }
            DateOrTime::DateTime(instant) => Some((instant.unix_timestamp(), instant.unix_timestamp())),
        }
    }
}

impl FilterValue for DateOrTime {}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::filter::values::sealed::Wire;

    #[test]
    fn dates_and_instants_are_written_in_utc() {
        assert_eq!(DateOrTime::from(date!(2024 - 07 - 01)).wire().unwrap(), "2024-07-01");
        assert_eq!(DateOrTime::from(date!(0033 - 01 - 09)).wire().unwrap(), "0033-01-09");
        let sydney = datetime!(2024-07-01 09:30:05 +10:00);
        assert_eq!(DateOrTime::from(sydney).wire().unwrap(), "2024-06-30T23:30:05Z");
        assert_eq!(DateOrTime::from(datetime!(2024-07-01 00:00 UTC)).wire().unwrap(), "2024-07-01T00:00:00Z");
    }

    #[test]
    fn unsendable_dates_are_typed_errors() {
        assert_eq!(DateOrTime::from(datetime!(2024-07-01 00:00:00.5 UTC)).wire(), Err(FilterErrorKind::SubSecond));
        assert_eq!(DateOrTime::from(date!(-0001 - 12 - 31)).wire(), Err(FilterErrorKind::YearOutOfRange));
        let late = datetime!(9999-12-31 23:00 -05:00);
        assert_eq!(DateOrTime::from(late).wire(), Err(FilterErrorKind::YearOutOfRange));
    }

    #[test]
    fn a_day_spans_all_its_seconds() {
        let (start, end) = DateOrTime::from(date!(1970 - 01 - 02)).span().unwrap();
        assert_eq!((start, end), (DAY, 2 * DAY - 1));
        let instant = DateOrTime::from(datetime!(1970-01-01 00:00:10 +00:00 ));
        assert_eq!(instant.span(), Some((10, 10)));
        assert_eq!("x".to_owned().span(), None);
    }

    #[test]
    fn strings_and_open_values_are_checked() {
        assert_eq!("AU00000".to_owned().wire().unwrap(), "AU00000");
        assert_eq!("a'b".to_owned().wire(), Err(FilterErrorKind::Quote));
        assert_eq!(open::TransactionStatus::Posted.wire().unwrap(), "posted");
        assert_eq!(open::InstitutionType::ForeignBank.wire().unwrap(), "Bank (Foreign)");
        assert_eq!(open::TransactionClass::from("a,b").wire(), Err(FilterErrorKind::Comma));
    }
}

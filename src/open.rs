//! Open value sets: enums for the values Basiq documents today, plus `Unknown(String)` for the
//! ones it adds tomorrow. A new value never fails a call; it arrives as `Unknown` and is sent
//! back unchanged. The generated types use these in place of closed enums.

use std::fmt;
use std::str::FromStr;

macro_rules! open_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $value:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A value this version of the crate does not know yet, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every value documented when this crate was released.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(other) => other,
                }
            }

            /// True for values outside [`Self::KNOWN`].
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(match serde_json::Value::deserialize(deserializer)? {
                    serde_json::Value::String(s) => Self::from(s),
                    other => Self::Unknown(other.to_string()),
                })
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_owned()
            }

            fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
                schemars::schema::SchemaObject {
                    instance_type: Some(schemars::schema::InstanceType::String.into()),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}

open_enum! {
    /// Broad kind of account (`class.type`).
    AccountClassType {
        /// Everyday transaction account.
        Transaction = "transaction",
        /// Savings account.
        Savings = "savings",
        /// Credit card.
        CreditCard = "credit-card",
        /// Home loan.
        Mortgage = "mortgage",
        /// Other loan.
        Loan = "loan",
        /// Investment account.
        Investment = "investment",
        /// Term deposit.
        TermDeposit = "term-deposit",
        /// Insurance product.
        Insurance = "insurance",
        /// Foreign currency account.
        Foreign = "foreign",
        /// Basiq could not classify it.
        Other = "unknown",
    }
}

open_enum! {
    /// Whether an account's data can be read.
    AccountStatus {
        /// Data is available.
        Available = "available",
        /// Data is not available.
        Unavailable = "unavailable",
    }
}

open_enum! {
    /// How many parties own an account (CDR terms).
    AccountOwnership {
        /// Not known.
        Unspecified = "UNKNOWN",
        /// One owner.
        OneParty = "ONE_PARTY",
        /// Two owners.
        TwoParty = "TWO_PARTY",
        /// More than two owners.
        ManyParty = "MANY_PARTY",
        /// Some other arrangement.
        Other = "OTHER",
    }
}

open_enum! {
    /// Basiq's classification of a transaction.
    TransactionClass {
        /// Fee charged by the bank.
        BankFee = "bank-fee",
        /// Payment to a merchant or biller.
        Payment = "payment",
        /// Cash withdrawal.
        CashWithdrawal = "cash-withdrawal",
        /// Transfer between accounts.
        Transfer = "transfer",
        /// Interest charged on a loan.
        LoanInterest = "loan-interest",
        /// Refund.
        Refund = "refund",
        /// Direct credit, such as salary.
        DirectCredit = "direct-credit",
        /// Interest earned.
        Interest = "interest",
        /// Loan repayment.
        LoanRepayment = "loan-repayment",
    }
}

open_enum! {
    /// Whether a transaction has settled.
    TransactionStatus {
        /// Not settled yet; its id changes on every refresh.
        Pending = "pending",
        /// Settled.
        Posted = "posted",
    }
}

open_enum! {
    /// Money in or out.
    TransactionDirection {
        /// Money out.
        Debit = "debit",
        /// Money in.
        Credit = "credit",
    }
}

open_enum! {
    /// What a job step does; find steps by title, never by position.
    JobStepTitle {
        /// Logging in to the institution (or checking an uploaded file).
        VerifyCredentials = "verify-credentials",
        /// Waiting for the user to answer a multi-factor challenge.
        MfaChallenge = "mfa-challenge",
        /// Reading accounts.
        RetrieveAccounts = "retrieve-accounts",
        /// Reading transactions.
        RetrieveTransactions = "retrieve-transactions",
        /// Reading statements.
        RetrieveStatements = "retrieve-statements",
        /// Building a report.
        CreateReport = "create-report",
        /// Checking a submitted payrequest or payout.
        ValidatePayment = "validate-payment",
        /// Waiting for the bank or payment provider to process the payment.
        ExternalProcessing = "external-processing",
        /// The payment went through.
        PaymentCompleted = "payment-completed",
    }
}

open_enum! {
    /// Progress of one job step.
    JobStepStatus {
        /// Not started.
        Pending = "pending",
        /// Running.
        InProgress = "in-progress",
        /// Finished well.
        Success = "success",
        /// Finished with an error.
        Failed = "failed",
    }
}

open_enum! {
    /// Lifecycle state of a connection.
    ConnectionStatus {
        /// All steps done.
        Active = "active",
        /// New web connection, not resolved yet.
        Pending = "pending",
        /// A step failed; a refresh may restore it.
        Invalid = "invalid",
        /// Open-banking connection whose authorisation is not finished.
        PreInit = "pre-init",
        /// Open-banking connection just authorised.
        Init = "init",
        /// Removed.
        Deleted = "deleted",
        /// Spelling seen in connection.invalidated events.
        InvalidConnection = "invalid-connection",
    }
}

open_enum! {
    /// How a connection obtains its data.
    ConnectionMethod {
        /// Screen scraping with the user's credentials.
        Web = "web",
        /// CDR open banking.
        OpenBanking = "openbanking",
        /// CDR open banking, alternative spelling Basiq also uses.
        OpenBankingHyphenated = "open-banking",
        /// Uploaded CSV statement.
        Csv = "csv",
        /// Uploaded PDF statement.
        Pdf = "pdf",
    }
}

open_enum! {
    /// State of a consent.
    ConsentStatus {
        /// In force.
        Active = "active",
        /// Withdrawn.
        Revoked = "revoked",
        /// Ran out.
        Expired = "expired",
    }
}

open_enum! {
    /// Name of an event type, as used by events and webhook subscriptions.
    EventTypeId {
        /// An account changed.
        AccountUpdated = "account.updated",
        /// A connection was created.
        ConnectionCreated = "connection.created",
        /// A connection changed.
        ConnectionUpdated = "connection.updated",
        /// A connection was deleted.
        ConnectionDeleted = "connection.deleted",
        /// A connection stopped working.
        ConnectionInvalidated = "connection.invalidated",
        /// A connection started working.
        ConnectionActivated = "connection.activated",
        /// A consent was given.
        ConsentCreated = "consent.created",
        /// A consent ran out.
        ConsentExpired = "consent.expired",
        /// A consent has not been reviewed for a while.
        ConsentReminder = "consent.reminder",
        /// A consent was withdrawn.
        ConsentRevoked = "consent.revoked",
        /// A consent changed.
        ConsentUpdated = "consent.updated",
        /// A consent expires soon.
        ConsentWarning = "consent.warning",
        /// A consent was archived.
        ConsentArchived = "consent.archived",
        /// New transactions arrived.
        TransactionsUpdated = "transactions.updated",
        /// A user was created.
        UserCreated = "user.created",
        /// A user was deleted.
        UserDeleted = "user.deleted",
        /// A user changed.
        UserUpdated = "user.updated",
    }
}

open_enum! {
    /// Whether a webhook is live.
    WebhookStatus {
        /// Delivering events.
        Active = "active",
        /// Waiting for Basiq's approval.
        PendingApproval = "pending-approval",
    }
}

open_enum! {
    /// What kind of thing an event is about (`event.entity`).
    EventEntity {
        /// A consent.
        Consent = "consent",
        /// A connection.
        Connection = "connection",
        /// A user.
        User = "user",
        /// An account.
        Account = "account",
        /// A batch of transactions.
        Transactions = "transactions",
    }
}

open_enum! {
    /// What happened to an event's entity (`event.type`).
    EventType {
        /// It was created.
        Created = "created",
        /// It changed.
        Updated = "updated",
        /// It was deleted.
        Deleted = "deleted",
        /// It was withdrawn.
        Revoked = "revoked",
        /// It ran out.
        Expired = "expired",
        /// It was archived.
        Archived = "archived",
        /// It stopped working.
        Invalidated = "invalidated",
    }
}

open_enum! {
    /// Health of a connector (`connector.status`).
    ConnectorStatus {
        /// Working normally.
        Operational = "operational",
        /// Working, slowly.
        DegradedPerformance = "degraded-performance",
        /// Partly failing.
        PartialOutage = "partial-outage",
        /// Failing.
        MajorOutage = "major-outage",
        /// Down for maintenance.
        UnderMaintenance = "under-maintenance",
    }
}

open_enum! {
    /// Release stage of a connector (`connector.stage`).
    ConnectorStage {
        /// Generally available.
        Live = "live",
        /// Beta.
        Beta = "beta",
        /// Alpha.
        Alpha = "alpha",
    }
}

open_enum! {
    /// Kind of institution behind a connector (`connector.institution.type`).
    InstitutionType {
        /// A bank.
        Bank = "Bank",
        /// A foreign bank.
        ForeignBank = "Bank (Foreign)",
        /// A test bank of the sandbox.
        TestBank = "Test Bank",
        /// A credit union.
        CreditUnion = "Credit Union",
        /// Another financial services provider.
        FinancialServices = "Financial Services",
        /// A superannuation fund.
        Superannuation = "Superannuation",
        /// A building society.
        BuildingSociety = "Building Society",
        /// A government agency.
        Government = "Government",
    }
}

open_enum! {
    /// Country of an institution, by name (`connector.institution.country`).
    InstitutionCountry {
        /// Australia.
        Australia = "Australia",
        /// New Zealand.
        NewZealand = "New Zealand",
    }
}

open_enum! {
    /// Basiq's size tier of an institution, `1` (largest) to `4` (`connector.institution.tier`).
    InstitutionTier {
        /// Tier 1.
        One = "1",
        /// Tier 2.
        Two = "2",
        /// Tier 3.
        Three = "3",
        /// Tier 4.
        Four = "4",
    }
}

open_enum! {
    /// How a connector logs in (`connector.authorization.type`).
    AuthorizationType {
        /// Credentials entered by the user.
        User = "user",
        /// A token.
        Token = "token",
        /// Something else.
        Other = "other",
        /// Credentials plus a multi-factor challenge every time.
        UserMfa = "user-mfa",
        /// Credentials plus a multi-factor challenge some of the time.
        UserMfaIntermittent = "user-mfa-intermittent",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_round_trip() {
        let v: AccountClassType = serde_json::from_str("\"crypto-wallet\"").unwrap();
        assert_eq!(v, AccountClassType::Unknown("crypto-wallet".into()));
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"crypto-wallet\"");
    }

    #[test]
    fn known_values_map_to_variants() {
        let v: JobStepTitle = serde_json::from_str("\"mfa-challenge\"").unwrap();
        assert_eq!(v, JobStepTitle::MfaChallenge);
        assert_eq!(AccountClassType::from("unknown"), AccountClassType::Other);
    }

    #[test]
    fn non_string_values_do_not_fail() {
        let v: TransactionStatus = serde_json::from_str("3").unwrap();
        assert!(v.is_unknown());
    }
}

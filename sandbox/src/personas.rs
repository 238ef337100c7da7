//! The sandbox logins (personas): their credentials, how their connection jobs end, their MFA
//! challenge, profile, accounts, recurring flows and everyday spending.

use crate::data::Profile;

/// How a login's connection job ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// All steps succeed.
    Success,
    /// `verify-credentials` fails with this failure.
    FailVerify(Failure),
    /// `retrieve-accounts` fails with this failure.
    FailAccounts(Failure),
    /// `retrieve-transactions` fails with this failure.
    FailTransactions(Failure),
}

/// A job step failure: code, title and detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: &'static str,
    pub(crate) title: &'static str,
    pub(crate) detail: &'static str,
}

/// Wrong login id or password.
pub(crate) const BAD_CREDENTIALS: Failure = Failure {
    code: "invalid-credentials",
    title: "Cannot login to target institution, check credentials.",
    detail: "Cannot login to target institution using supplied credentials. Please check credentials and try again.",
};

/// An MFA challenge a persona answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mfa {
    pub(crate) method: &'static str,
    pub(crate) prompts: &'static [&'static str],
    pub(crate) answers: &'static [&'static str],
}

const OTP: Mfa = Mfa { method: "token", prompts: &["OTP Password"], answers: &["1234"] };
const FIRST_COMPANY: Mfa =
    Mfa { method: "security-questions", prompts: &["What's your first company?"], answers: &["Hooli"] };
const TWO_QUESTIONS: Mfa = Mfa {
    method: "security-questions",
    prompts: &["What's your favourite company?", "What's the ID of this institution?"],
    answers: &["Basiq", "AU00000"],
};

#[derive(Debug, Clone, Copy)]
pub(crate) enum Freq {
    Weekly,
    Fortnightly,
    /// Day of month.
    Monthly(u32),
    /// Day of month, every third month.
    Quarterly(u32),
    /// A single payment this many days ago.
    Once(i64),
}

/// A recurring money movement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flow {
    pub(crate) account: usize,
    pub(crate) desc: &'static str,
    pub(crate) class: &'static str,
    pub(crate) sub: Option<(&'static str, &'static str)>,
    pub(crate) freq: Freq,
    /// Cents; negative = money out.
    pub(crate) amount: i64,
    /// Random spread, percent.
    pub(crate) jitter: i64,
    /// Active from this many days ago ...
    pub(crate) from: i64,
    /// ... until this many days ago.
    pub(crate) to: i64,
    /// Change in percent from the oldest to the newest occurrence.
    pub(crate) growth: i64,
}

const fn flow(account: usize, desc: &'static str, class: &'static str, freq: Freq, amount: i64) -> Flow {
    Flow { account, desc, class, sub: None, freq, amount, jitter: 0, from: 365, to: 1, growth: 0 }
}

impl Flow {
    const fn jitter(mut self, pct: i64) -> Self {
        self.jitter = pct;
        self
    }
    const fn between(mut self, from: i64, to: i64) -> Self {
        self.from = from;
        self.to = to;
        self
    }
    const fn growth(mut self, pct: i64) -> Self {
        self.growth = pct;
        self
    }
    const fn sub(mut self, code: &'static str, title: &'static str) -> Self {
        self.sub = Some((code, title));
        self
    }
}

/// Day-to-day card spending.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spend {
    pub(crate) account: usize,
    /// Expected purchases per day, in hundredths.
    pub(crate) per_day: i64,
    pub(crate) merchants: &'static [Merchant],
}

/// A merchant used for random purchases.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Merchant {
    pub(crate) desc: &'static str,
    pub(crate) class: &'static str,
    pub(crate) sub: (&'static str, &'static str),
    pub(crate) min: i64,
    pub(crate) max: i64,
}

const fn m(desc: &'static str, class: &'static str, sub: (&'static str, &'static str), min: i64, max: i64) -> Merchant {
    Merchant { desc, class, sub, min, max }
}

const GROCERY: (&str, &str) = ("4110", "Supermarket and Grocery Stores");
const FOOD: (&str, &str) = ("4511", "Cafes and Restaurants");
const TAKEAWAY: (&str, &str) = ("4512", "Takeaway Food Services");
const TAXI: (&str, &str) = ("4623", "Taxi and Other Road Transport");
const FUEL: (&str, &str) = ("4000", "Fuel Retailing");
const ELECTRONICS: (&str, &str) = ("4221", "Electrical, Electronic and Gas Appliance Retailing");
const PHARMACY: (&str, &str) = ("4271", "Pharmaceutical, Cosmetic and Toiletry Goods Retailing");
const HARDWARE: (&str, &str) = ("4231", "Hardware and Building Supplies Retailing");
const STREAMING: (&str, &str) = ("5700", "Internet Publishing and Broadcasting");
const TELCO: (&str, &str) = ("5801", "Wired Telecommunications Network Operation");
const POWER: (&str, &str) = ("2630", "Electricity Distribution");
const GYM: (&str, &str) = ("9111", "Health and Fitness Centres and Gymnasia Operation");
const GAMBLING: (&str, &str) = ("9209", "Other Gambling Activities");
const CRYPTO: (&str, &str) = ("6240", "Financial Asset Investing");
const INSURANCE: (&str, &str) = ("6322", "General Insurance");
const OFFICE: (&str, &str) = ("4244", "Newspaper and Book Retailing");
const SOFTWARE: (&str, &str) = ("7000", "Computer System Design and Related Services");
const BNPL: (&str, &str) = ("6230", "Non-Depository Financing");

/// Everyday merchants.
pub(crate) const EVERYDAY: &[Merchant] = &[
    m("WOOLWORTHS 1624 SYDNEY NS", "payment", GROCERY, 1_850, 18_500),
    m("COLES 0712 SURRY HILLS NS", "payment", GROCERY, 1_200, 16_000),
    m("ALDI STORES - MARRICKVILLE", "payment", GROCERY, 2_000, 9_500),
    m("UBER *TRIP HELP.UBER.COM", "payment", TAXI, 950, 6_500),
    m("UBER *EATS HELP.UBER.COM", "payment", TAKEAWAY, 1_800, 6_800),
    m("MCDONALDS NEWTOWN", "payment", TAKEAWAY, 700, 2_900),
    m("THE GROUNDS OF ALEXANDRIA", "payment", FOOD, 2_400, 9_800),
    m("BP EXPRESS ERSKINEVILLE", "payment", FUEL, 4_000, 11_000),
    m("JB HI-FI BROADWAY", "payment", ELECTRONICS, 2_900, 89_900),
    m("CHEMIST WAREHOUSE TOWN HALL", "payment", PHARMACY, 900, 7_500),
    m("BUNNINGS WAREHOUSE ALEXANDRIA", "payment", HARDWARE, 1_500, 24_000),
];

pub(crate) const GAMBLERS: &[Merchant] = &[
    m("SPORTSBET MELBOURNE", "payment", GAMBLING, 2_000, 25_000),
    m("TAB NSW ONLINE", "payment", GAMBLING, 1_000, 15_000),
    m("LADBROKES AU", "payment", GAMBLING, 2_000, 30_000),
    m("WOOLWORTHS 1624 SYDNEY NS", "payment", GROCERY, 1_850, 18_500),
    m("UBER *EATS HELP.UBER.COM", "payment", TAKEAWAY, 1_800, 6_800),
];

pub(crate) const BUSINESS: &[Merchant] = &[
    m("OFFICEWORKS BROADWAY", "payment", OFFICE, 1_500, 45_000),
    m("AMAZON WEB SERVICES", "payment", SOFTWARE, 5_000, 60_000),
    m("QANTAS AIRWAYS", "payment", TAXI, 18_000, 95_000),
    m("UBER *TRIP HELP.UBER.COM", "payment", TAXI, 950, 6_500),
    m("THE GROUNDS OF ALEXANDRIA", "payment", FOOD, 2_400, 9_800),
];

/// Account template.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AcctSpec {
    pub(crate) class: &'static str,
    pub(crate) product: &'static str,
    pub(crate) name: &'static str,
    /// Cents.
    pub(crate) balance: i64,
    pub(crate) credit_limit: Option<i64>,
    pub(crate) ownership: &'static str,
}

const fn acct(class: &'static str, product: &'static str, name: &'static str, balance: i64) -> AcctSpec {
    AcctSpec { class, product, name, balance, credit_limit: None, ownership: "ONE_PARTY" }
}

const fn card(name: &'static str, balance: i64, limit: i64) -> AcctSpec {
    AcctSpec {
        class: "credit-card",
        product: "Platinum Visa",
        name,
        balance,
        credit_limit: Some(limit),
        ownership: "ONE_PARTY",
    }
}

/// A sandbox login and everything it produces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Persona {
    pub(crate) login: &'static str,
    pub(crate) password: &'static str,
    pub(crate) outcome: Outcome,
    pub(crate) mfa: Mfa,
    pub(crate) profile: Profile,
    pub(crate) accounts: &'static [AcctSpec],
    pub(crate) flows: &'static [Flow],
    pub(crate) spend: &'static [Spend],
}

const fn profile(
    first: &'static str,
    last: &'static str,
    email: &'static str,
    phone: &'static str,
    street: &'static str,
    city: &'static str,
) -> Profile {
    Profile { first, middle: "", last, email, phone, street, city, state: "NSW", postcode: "2000", business: None }
}

/// Every sandbox login (FACTS §7), happy and unhappy paths.
pub(crate) const PERSONAS: &[Persona] = &[
    Persona {
        login: "gavinBelson",
        password: "hooli2016",
        outcome: Outcome::Success,
        mfa: FIRST_COMPANY,
        profile: profile("Gavin", "Belson", "gavin@hooli.com", "+61410000001", "1 Hooli Way", "Sydney"),
        accounts: &[
            acct("transaction", "Everyday Account", "Hooli Everyday", 453_218),
            card("Hooli Platinum Visa", -124_560, 1_000_000),
            acct("loan", "Personal Loan", "Personal Loan", -1_243_000),
        ],
        flows: &[
            flow(0, "SALARY HOOLI XYZ PTY LTD", "direct-credit", Freq::Fortnightly, 315_000).between(365, 180),
            flow(0, "SALARY HOOLI XYZ PTY LTD", "direct-credit", Freq::Fortnightly, 368_000).between(179, 1),
            flow(0, "TRANSFER FROM J SMITH TUTORING", "transfer", Freq::Weekly, 12_000).jitter(20),
            flow(0, "AGL ENERGY", "payment", Freq::Monthly(8), -18_000).jitter(25).sub(POWER.0, POWER.1),
            flow(0, "TELSTRA PREPAID", "payment", Freq::Monthly(12), -8_900).sub(TELCO.0, TELCO.1),
            flow(0, "NETFLIX.COM", "payment", Freq::Monthly(3), -2_299).sub(STREAMING.0, STREAMING.1),
            flow(0, "TRANSFER TO PERSONAL LOAN", "transfer", Freq::Monthly(20), -45_000),
            flow(2, "LOAN REPAYMENT", "loan-repayment", Freq::Monthly(20), 45_000),
            flow(2, "INTEREST CHARGED", "loan-interest", Freq::Monthly(28), -8_500).jitter(10),
            flow(0, "PAYMENT TO CREDIT CARD", "transfer", Freq::Monthly(25), -120_000).jitter(30),
            flow(1, "PAYMENT RECEIVED - THANK YOU", "transfer", Freq::Monthly(25), 120_000).jitter(30),
        ],
        spend: &[
            Spend { account: 0, per_day: 80, merchants: EVERYDAY },
            Spend { account: 1, per_day: 60, merchants: EVERYDAY },
        ],
    },
    Persona {
        login: "Whistler",
        password: "ShowBox",
        outcome: Outcome::Success,
        mfa: TWO_QUESTIONS,
        profile: profile("Max", "Whistler", "whistler@showbox.example", "+61410000002", "22 Palm Ave", "Palo Alto"),
        accounts: &[
            acct("transaction", "Smart Access", "Smart Access", 182_040),
            acct("savings", "Online Saver", "Online Saver", 1_250_000),
        ],
        flows: &[
            flow(0, "SALARY SHOWBOX MEDIA", "direct-credit", Freq::Fortnightly, 240_000),
            flow(0, "AFTERPAY", "payment", Freq::Fortnightly, -8_500).jitter(20).sub(BNPL.0, BNPL.1),
            flow(0, "ZIP PAY", "payment", Freq::Monthly(14), -6_000).jitter(15).sub(BNPL.0, BNPL.1),
            flow(0, "RENT - RAY WHITE", "transfer", Freq::Weekly, -42_000),
            flow(0, "TRANSFER TO JARED DUNN", "transfer", Freq::Once(45), -500_000),
            flow(0, "TRANSFER TO ONLINE SAVER", "transfer", Freq::Monthly(2), -30_000),
            flow(1, "TRANSFER FROM SMART ACCESS", "transfer", Freq::Monthly(2), 30_000),
            flow(1, "CREDIT INTEREST", "interest", Freq::Monthly(28), 1_450).jitter(15),
        ],
        spend: &[],
    },
    Persona {
        login: "Gilfoyle",
        password: "PiedPiper",
        outcome: Outcome::Success,
        mfa: FIRST_COMPANY,
        profile: profile("Bertram", "Gilfoyle", "gilfoyle@piedpiper.example", "+61410000003", "5 Newell St", "Sydney"),
        accounts: &[
            acct("transaction", "Everyday Account", "Everyday", 41_230),
            card("Low Rate Mastercard", -386_120, 400_000),
        ],
        flows: &[
            flow(0, "SALARY PIED PIPER INC", "direct-credit", Freq::Fortnightly, 390_000).between(365, 120),
            flow(0, "CENTRELINK JOBSEEKER", "direct-credit", Freq::Fortnightly, 76_270).between(110, 1),
            flow(0, "AFTERPAY", "payment", Freq::Fortnightly, -6_000).growth(300).jitter(10).sub(BNPL.0, BNPL.1),
            flow(0, "RENT - STRATA PROPERTY", "transfer", Freq::Weekly, -38_000),
            flow(0, "PAYMENT TO CREDIT CARD", "transfer", Freq::Monthly(25), -60_000).between(365, 120),
            flow(1, "PAYMENT RECEIVED - THANK YOU", "transfer", Freq::Monthly(25), 60_000).between(365, 120),
            flow(1, "LATE PAYMENT FEE", "bank-fee", Freq::Once(70), -2_000),
            flow(1, "LATE PAYMENT FEE", "bank-fee", Freq::Once(40), -2_000),
            flow(1, "LATE PAYMENT FEE", "bank-fee", Freq::Once(10), -2_000),
        ],
        spend: &[
            Spend { account: 0, per_day: 50, merchants: EVERYDAY },
            Spend { account: 1, per_day: 60, merchants: EVERYDAY },
        ],
    },
    Persona {
        login: "Wentworth-Smith",
        password: "whislter",
        outcome: Outcome::Success,
        mfa: TWO_QUESTIONS,
        profile: profile(
            "Eleanor",
            "Wentworth-Smith",
            "eleanor@wentworth.example",
            "+61410000004",
            "9 Harbour Rd",
            "Mosman",
        ),
        accounts: &[
            AcctSpec { ownership: "TWO_PARTY", ..acct("transaction", "Joint Everyday", "Joint Everyday", 812_455) },
            card("Rewards Visa", -231_990, 1_500_000),
            acct("mortgage", "Home Loan Variable", "Home Loan", -61_250_000),
            acct("loan", "Car Loan", "Car Loan", -1_845_000),
        ],
        flows: &[
            flow(0, "SALARY WENTWORTH CONSULTING", "direct-credit", Freq::Monthly(15), 780_000),
            flow(0, "SALARY ENDEAVOUR HEALTH", "direct-credit", Freq::Fortnightly, 295_000),
            flow(0, "TRANSFER TO HOME LOAN", "transfer", Freq::Monthly(1), -320_000),
            flow(2, "LOAN REPAYMENT", "loan-repayment", Freq::Monthly(1), 320_000),
            flow(2, "INTEREST CHARGED", "loan-interest", Freq::Monthly(28), -265_000).jitter(3),
            flow(0, "TRANSFER TO CAR LOAN", "transfer", Freq::Fortnightly, -31_000),
            flow(3, "LOAN REPAYMENT", "loan-repayment", Freq::Fortnightly, 31_000),
            flow(3, "INTEREST CHARGED", "loan-interest", Freq::Monthly(28), -9_800).jitter(5),
            flow(0, "PAYMENT TO CREDIT CARD", "transfer", Freq::Monthly(22), -180_000).jitter(25),
            flow(1, "PAYMENT RECEIVED - THANK YOU", "transfer", Freq::Monthly(22), 180_000).jitter(25),
            flow(0, "NRMA INSURANCE", "payment", Freq::Monthly(5), -21_000).sub(INSURANCE.0, INSURANCE.1),
        ],
        spend: &[
            Spend { account: 0, per_day: 40, merchants: EVERYDAY },
            Spend { account: 1, per_day: 120, merchants: EVERYDAY },
        ],
    },
    Persona {
        login: "jared",
        password: "django",
        outcome: Outcome::Success,
        mfa: OTP,
        profile: profile("Donald", "Dunn", "jared@piedpiper.example", "+61410000005", "14 Oak St", "Parramatta"),
        accounts: &[
            acct("transaction", "Everyday Account", "Everyday", 264_310),
            acct("mortgage", "Home Loan Fixed", "Home Loan", -48_700_000),
            acct("loan", "Car Loan", "Car Loan", -1_120_000),
            acct("term-deposit", "Term Deposit 12 months", "Term Deposit", 2_000_000),
        ],
        flows: &[
            flow(0, "UBER BV PAYMENT", "direct-credit", Freq::Weekly, 65_000).jitter(30),
            flow(0, "TRANSFER FROM WHISTLER", "transfer", Freq::Fortnightly, 15_000).jitter(20),
            flow(0, "TRANSFER FROM WHISTLER", "transfer", Freq::Once(45), 500_000),
            flow(0, "TRANSFER TO HOME LOAN", "transfer", Freq::Monthly(1), -240_000),
            flow(1, "LOAN REPAYMENT", "loan-repayment", Freq::Monthly(1), 240_000),
            flow(1, "INTEREST CHARGED", "loan-interest", Freq::Monthly(28), -205_000).jitter(3),
            flow(0, "TRANSFER TO CAR LOAN", "transfer", Freq::Monthly(9), -52_000),
            flow(2, "LOAN REPAYMENT", "loan-repayment", Freq::Monthly(9), 52_000),
            flow(3, "TERM DEPOSIT INTEREST", "interest", Freq::Quarterly(30), 21_500),
        ],
        spend: &[Spend { account: 0, per_day: 90, merchants: EVERYDAY }],
    },
    Persona {
        login: "richard",
        password: "tabsnotspaces",
        outcome: Outcome::Success,
        mfa: OTP,
        profile: profile(
            "Richard",
            "Hendricks",
            "richard@piedpiper.example",
            "+61410000006",
            "5230 Newell Rd",
            "Sydney",
        ),
        accounts: &[
            acct("transaction", "Everyday Account", "Everyday", 1_532_090),
            acct("mortgage", "Investment Home Loan", "Home Loan 1", -72_300_000),
            acct("loan", "Car Loan", "Car Loan 1", -2_450_000),
            card("Black Amex", -512_300, 2_500_000),
        ],
        flows: &[
            flow(0, "SALARY PIED PIPER INC", "direct-credit", Freq::Fortnightly, 980_000),
            flow(0, "RENT - 12 VALLEY ST", "direct-credit", Freq::Monthly(3), 240_000),
            flow(0, "RENT - 8 HILL RD", "direct-credit", Freq::Monthly(6), 215_000),
            flow(0, "TRANSFER TO HOME LOAN 1", "transfer", Freq::Monthly(1), -380_000),
            flow(1, "LOAN REPAYMENT", "loan-repayment", Freq::Monthly(1), 380_000),
            flow(1, "INTEREST CHARGED", "loan-interest", Freq::Monthly(28), -310_000).jitter(3),
            flow(0, "WESTPAC HOME LOAN 2", "loan-repayment", Freq::Monthly(1), -295_000),
            flow(0, "ANZ HOME LOAN 3", "loan-repayment", Freq::Monthly(2), -260_000),
            flow(0, "TRANSFER TO CAR LOAN 1", "transfer", Freq::Monthly(10), -68_000),
            flow(2, "LOAN REPAYMENT", "loan-repayment", Freq::Monthly(10), 68_000),
            flow(0, "TOYOTA FINANCE CAR LOAN 2", "loan-repayment", Freq::Monthly(11), -54_000),
            flow(0, "PAYMENT TO AMEX", "transfer", Freq::Monthly(20), -350_000).jitter(30),
            flow(3, "PAYMENT RECEIVED - THANK YOU", "transfer", Freq::Monthly(20), 350_000).jitter(30),
            flow(0, "CITI CARD PAYMENT", "payment", Freq::Monthly(18), -90_000).jitter(40),
            flow(0, "NAB CARD PAYMENT", "payment", Freq::Monthly(19), -60_000).jitter(40),
            flow(0, "COLES MASTERCARD PAYMENT", "payment", Freq::Monthly(21), -40_000).jitter(40),
        ],
        spend: &[
            Spend { account: 0, per_day: 50, merchants: EVERYDAY },
            Spend { account: 3, per_day: 110, merchants: EVERYDAY },
        ],
    },
    Persona {
        login: "laurieBream",
        password: "business2024",
        outcome: Outcome::Success,
        mfa: OTP,
        profile: Profile {
            business: Some(("Bream Capital Pty Ltd", "51824753556")),
            ..profile("Laurie", "Bream", "laurie@breamcapital.example", "+61410000007", "100 George St", "Sydney")
        },
        accounts: &[
            acct("transaction", "Business Transaction Account", "Business Everyday", 4_820_770),
            acct("savings", "Business Saver", "Business Saver", 12_500_000),
        ],
        flows: &[
            flow(0, "INVOICE PAYMENT - RAVIGA CAPITAL", "direct-credit", Freq::Weekly, 420_000).jitter(50),
            flow(0, "INVOICE PAYMENT - MAXIMO LTD", "direct-credit", Freq::Monthly(17), 1_250_000).jitter(30),
            flow(0, "PAYROLL - STAFF WAGES", "transfer", Freq::Fortnightly, -620_000).jitter(5),
            flow(0, "ATO BAS PAYMENT", "payment", Freq::Quarterly(28), -1_830_000).jitter(20),
            flow(0, "XERO AUSTRALIA", "payment", Freq::Monthly(4), -7_000).sub(SOFTWARE.0, SOFTWARE.1),
            flow(0, "TRANSFER TO BUSINESS SAVER", "transfer", Freq::Monthly(27), -500_000),
            flow(1, "TRANSFER FROM BUSINESS EVERYDAY", "transfer", Freq::Monthly(27), 500_000),
            flow(1, "CREDIT INTEREST", "interest", Freq::Monthly(28), 31_000).jitter(10),
        ],
        spend: &[Spend { account: 0, per_day: 70, merchants: BUSINESS }],
    },
    Persona {
        login: "ashMann",
        password: "hooli2024",
        outcome: Outcome::Success,
        mfa: OTP,
        profile: profile("Ash", "Mann", "ash@hooli.com", "+61410000008", "3 Bay St", "Bondi"),
        accounts: &[
            acct("transaction", "Everyday Account", "Everyday", 95_420),
            acct("savings", "Goal Saver", "Goal Saver", 310_000),
        ],
        flows: &[
            flow(0, "SALARY HOOLI XYZ PTY LTD", "direct-credit", Freq::Monthly(15), 620_000),
            flow(0, "RENT RECEIVED - 3 BAY ST", "direct-credit", Freq::Monthly(1), 190_000),
            flow(0, "ATM WITHDRAWAL BONDI JUNCTION", "cash-withdrawal", Freq::Weekly, -30_000).jitter(40),
            flow(0, "COINSPOT PTY LTD", "payment", Freq::Fortnightly, -50_000).jitter(60).sub(CRYPTO.0, CRYPTO.1),
            flow(0, "ANYTIME FITNESS", "payment", Freq::Fortnightly, -2_790).sub(GYM.0, GYM.1),
            flow(1, "CREDIT INTEREST", "interest", Freq::Monthly(28), 420).jitter(20),
        ],
        spend: &[Spend { account: 0, per_day: 110, merchants: GAMBLERS }],
    },
    Persona {
        login: "bighead",
        password: "password",
        outcome: Outcome::FailVerify(Failure {
            code: "invalid-credentials",
            title: "Cannot login to target institution, check credentials.",
            detail: "Account is locked",
        }),
        mfa: OTP,
        profile: profile("Nelson", "Bighetti", "bighead@hooli.com", "+61410000009", "7 Campus Dr", "Sydney"),
        accounts: &[acct("transaction", "Everyday Account", "Everyday", 1_000_000)],
        flows: &[flow(0, "SALARY HOOLI XYZ PTY LTD", "direct-credit", Freq::Fortnightly, 450_000)],
        spend: &[Spend { account: 0, per_day: 50, merchants: EVERYDAY }],
    },
    Persona {
        login: "erlich",
        password: "aviato",
        outcome: Outcome::FailAccounts(Failure {
            code: "account-not-accessible-requires-user-action",
            title: "Account not accessible, user action required.",
            detail: "An action is required from end-user before account details can be returned.",
        }),
        mfa: OTP,
        profile: profile("Erlich", "Bachman", "erlich@aviato.example", "+61410000010", "5230 Newell Rd", "Palo Alto"),
        accounts: &[acct("transaction", "Everyday Account", "Everyday", 12_000)],
        flows: &[flow(0, "AVIATO DIVIDEND", "direct-credit", Freq::Monthly(1), 90_000)],
        spend: &[Spend { account: 0, per_day: 50, merchants: EVERYDAY }],
    },
    Persona {
        login: "jianYang",
        password: "nothotdog",
        outcome: Outcome::FailTransactions(Failure {
            code: "service-unavailable",
            title: "Service unavailable.",
            detail: "Service is currently unavailable. Please try again later.",
        }),
        mfa: OTP,
        profile: profile("Jian", "Yang", "jianyang@seefood.example", "+61410000011", "5230 Newell Rd", "Palo Alto"),
        accounts: &[acct("transaction", "Everyday Account", "Everyday", 3_300)],
        flows: &[flow(0, "SEEFOOD APP SALES", "direct-credit", Freq::Weekly, 4_000)],
        spend: &[Spend { account: 0, per_day: 50, merchants: EVERYDAY }],
    },
];

/// Find a persona by login id (exact match).
pub(crate) fn persona(login: &str) -> Option<&'static Persona> {
    PERSONAS.iter().find(|p| p.login == login)
}

/// What a connection attempt with these credentials leads to.
pub(crate) fn outcome_for(login: &str, password: &str) -> (Option<&'static Persona>, Outcome) {
    match persona(login) {
        Some(p) if p.password == password => (Some(p), p.outcome),
        _ => (None, Outcome::FailVerify(BAD_CREDENTIALS)),
    }
}

/// The MFA challenge for a login (personas without a documented one use an OTP of `1234`).
pub(crate) fn mfa_for(login: &str) -> Mfa {
    persona(login).map_or(OTP, |p| p.mfa)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials() {
        assert_eq!(outcome_for("gavinBelson", "hooli2016").1, Outcome::Success);
        assert_eq!(outcome_for("gavinBelson", "nope").1, Outcome::FailVerify(BAD_CREDENTIALS));
        assert!(matches!(outcome_for("erlich", "aviato").1, Outcome::FailAccounts(_)));
        assert!(matches!(outcome_for("jianYang", "nothotdog").1, Outcome::FailTransactions(_)));
        assert_eq!(mfa_for("Whistler").answers, &["Basiq", "AU00000"]);
        assert_eq!(mfa_for("nobody").answers, &["1234"]);
    }
}

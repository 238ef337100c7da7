//! The enrich endpoint: guesses the merchant of a transaction description from a small table.

use std::sync::Arc;

use axum::extract::State;
use axum::http::Uri;
use serde_json::json;

use crate::errors::{ApiError, ApiResult};
use crate::form;
use crate::http::{ok, query, self_url};
use crate::seeded::Mix;
use crate::state::Shared;

/// A merchant the enrich endpoint recognises.
struct Known {
    keywords: &'static [&'static str],
    name: &'static str,
    website: &'static str,
    abn: &'static str,
    class: (&'static str, &'static str),
    division: (&'static str, &'static str),
    phone: &'static str,
    suburb: &'static str,
    state: &'static str,
}

const KNOWN: &[Known] = &[
    Known {
        keywords: &["WOOLWORTHS", "WOOLIES"],
        name: "Woolworths",
        website: "woolworths.com.au",
        abn: "88000014675",
        class: ("4110", "Supermarket and Grocery Stores"),
        division: ("G", "Retail Trade"),
        phone: "1300 767 969",
        suburb: "Bella Vista",
        state: "NSW",
    },
    Known {
        keywords: &["COLES"],
        name: "Coles",
        website: "coles.com.au",
        abn: "45004189708",
        class: ("4110", "Supermarket and Grocery Stores"),
        division: ("G", "Retail Trade"),
        phone: "1800 455 400",
        suburb: "Hawthorn East",
        state: "VIC",
    },
    Known {
        keywords: &["ALDI"],
        name: "ALDI",
        website: "aldi.com.au",
        abn: "90086210139",
        class: ("4110", "Supermarket and Grocery Stores"),
        division: ("G", "Retail Trade"),
        phone: "13 25 34",
        suburb: "Minchinbury",
        state: "NSW",
    },
    Known {
        keywords: &["UBER *EATS", "UBER EATS", "UBEREATS"],
        name: "Uber Eats",
        website: "ubereats.com",
        abn: "81160325940",
        class: ("4512", "Takeaway Food Services"),
        division: ("H", "Accommodation and Food Services"),
        phone: "",
        suburb: "Sydney",
        state: "NSW",
    },
    Known {
        keywords: &["UBER"],
        name: "Uber",
        website: "uber.com",
        abn: "81160325940",
        class: ("4623", "Taxi and Other Road Transport"),
        division: ("I", "Transport, Postal and Warehousing"),
        phone: "",
        suburb: "Sydney",
        state: "NSW",
    },
    Known {
        keywords: &["MCDONALD"],
        name: "McDonald's",
        website: "mcdonalds.com.au",
        abn: "43008496928",
        class: ("4512", "Takeaway Food Services"),
        division: ("H", "Accommodation and Food Services"),
        phone: "1300 307 400",
        suburb: "Sydney",
        state: "NSW",
    },
    Known {
        keywords: &["NETFLIX"],
        name: "Netflix",
        website: "netflix.com",
        abn: "",
        class: ("5700", "Internet Publishing and Broadcasting"),
        division: ("J", "Information Media and Telecommunications"),
        phone: "",
        suburb: "",
        state: "",
    },
    Known {
        keywords: &["TELSTRA"],
        name: "Telstra",
        website: "telstra.com.au",
        abn: "33051775556",
        class: ("5801", "Wired Telecommunications Network Operation"),
        division: ("J", "Information Media and Telecommunications"),
        phone: "13 22 00",
        suburb: "Melbourne",
        state: "VIC",
    },
    Known {
        keywords: &["AGL"],
        name: "AGL Energy",
        website: "agl.com.au",
        abn: "74115061375",
        class: ("2630", "Electricity Distribution"),
        division: ("D", "Electricity, Gas, Water and Waste Services"),
        phone: "131 245",
        suburb: "North Sydney",
        state: "NSW",
    },
    Known {
        keywords: &["BP "],
        name: "BP",
        website: "bp.com.au",
        abn: "53004085616",
        class: ("4000", "Fuel Retailing"),
        division: ("G", "Retail Trade"),
        phone: "1300 130 027",
        suburb: "Docklands",
        state: "VIC",
    },
    Known {
        keywords: &["JB HI-FI", "JB HIFI"],
        name: "JB Hi-Fi",
        website: "jbhifi.com.au",
        abn: "37093114286",
        class: ("4221", "Electrical, Electronic and Gas Appliance Retailing"),
        division: ("G", "Retail Trade"),
        phone: "",
        suburb: "Southbank",
        state: "VIC",
    },
    Known {
        keywords: &["BUNNINGS"],
        name: "Bunnings",
        website: "bunnings.com.au",
        abn: "26008672179",
        class: ("4231", "Hardware and Building Supplies Retailing"),
        division: ("G", "Retail Trade"),
        phone: "",
        suburb: "Hawthorn East",
        state: "VIC",
    },
    Known {
        keywords: &["CHEMIST WAREHOUSE"],
        name: "Chemist Warehouse",
        website: "chemistwarehouse.com.au",
        abn: "",
        class: ("4271", "Pharmaceutical, Cosmetic and Toiletry Goods Retailing"),
        division: ("G", "Retail Trade"),
        phone: "1300 367 243",
        suburb: "",
        state: "",
    },
    Known {
        keywords: &["SPORTSBET"],
        name: "Sportsbet",
        website: "sportsbet.com.au",
        abn: "87088326612",
        class: ("9209", "Other Gambling Activities"),
        division: ("R", "Arts and Recreation Services"),
        phone: "",
        suburb: "Melbourne",
        state: "VIC",
    },
    Known {
        keywords: &["AFTERPAY"],
        name: "Afterpay",
        website: "afterpay.com",
        abn: "30169342947",
        class: ("6230", "Non-Depository Financing"),
        division: ("K", "Financial and Insurance Services"),
        phone: "",
        suburb: "Melbourne",
        state: "VIC",
    },
    Known {
        keywords: &["OFFICEWORKS"],
        name: "Officeworks",
        website: "officeworks.com.au",
        abn: "36004763526",
        class: ("4244", "Newspaper and Book Retailing"),
        division: ("G", "Retail Trade"),
        phone: "1300 633 423",
        suburb: "Bentleigh East",
        state: "VIC",
    },
];

/// `GET /enrich` (enrich): a merchant guess for a transaction description; always 200 once `q`
/// is given (unknown descriptions get `matchType: "none"`).
pub(crate) async fn enrich(State(s): State<Arc<Shared>>, uri: Uri) -> ApiResult {
    let q = query(&uri);
    let text = form::field(&q, "q")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::missing_param("q", "The q parameter is required."))?;
    let amount: Option<f64> = match form::field(&q, "amount") {
        None => None,
        Some(a) => Some(
            a.trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| ApiError::invalid_param("amount", "The amount parameter must be a number."))?,
        ),
    };
    let upper = text.to_ascii_uppercase();
    let hit = KNOWN.iter().find(|k| k.keywords.iter().any(|kw| upper.contains(kw)));
    let direction = if amount.is_some_and(|a| a > 0.0) { "credit" } else { "debit" };
    let base = &s.cfg.base_url;
    let out = match hit {
        Some(k) => {
            let id = Mix::new(0, &[k.name]).uuid();
            let code = |c: &str, t: &str| json!({ "code": c, "title": t });
            json!({
                "type": "enrich",
                "direction": direction,
                "class": if direction == "credit" { "refund" } else { "payment" },
                "data": {
                    "merchant": {
                        "id": id,
                        "businessName": k.name,
                        "website": k.website,
                        "abn": k.abn,
                        "phoneNumber": { "local": k.phone, "international": "" },
                    },
                    "category": {
                        "matchType": "merchantFull",
                        "matchScore": "0.95",
                        "anzsic": {
                            "division": code(k.division.0, k.division.1),
                            "subdivision": code(&k.class.0[..2], k.division.1),
                            "group": code(&k.class.0[..3], k.class.1),
                            "class": code(k.class.0, k.class.1),
                            "subclass": code(k.class.0, k.class.1),
                        },
                    },
                    "location": {
                        "routeNo": "",
                        "route": "",
                        "postalCode": "",
                        "suburb": k.suburb,
                        "state": k.state,
                        "country": "Australia",
                        "formattedAddress": if k.suburb.is_empty() { String::new() } else { format!("{} {}, Australia", k.suburb, k.state) },
                        "geometry": { "lat": "", "lng": "" },
                    },
                    "tags": [format!("merchant:{}", k.name)],
                },
                "links": {
                    "self": self_url(&s, &uri),
                    "logo-master": format!("{base}/static/merchants/{id}.png"),
                    "logo-thumb": format!("{base}/static/merchants/{id}-thumb.png"),
                },
            })
        }
        None => json!({
            "type": "enrich",
            "direction": direction,
            "class": if direction == "credit" { "transfer" } else { "payment" },
            "data": {
                "merchant": { "id": "", "businessName": text, "website": "", "abn": "" },
                "category": { "matchType": "none", "matchScore": "0" },
                "tags": [],
            },
            "links": { "self": self_url(&s, &uri) },
        }),
    };
    ok(out)
}

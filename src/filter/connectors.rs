//! Filters for the connectors list (`GET /connectors`).
//!
//! Not modelled (use [`Filter::raw`](super::Filter::raw)): `connector.scopes`, whose matching
//! on a list is not documented, and `connector.connectorEngine`, which connectors do not show.

use super::typed::{EqNe, EqNeIn, EqOnly};
use crate::open::{
    AuthorizationType, ConnectionMethod, ConnectorStage, ConnectorStatus, InstitutionCountry, InstitutionTier,
    InstitutionType,
};

endpoint! {
    /// The connectors list.
    Connectors, "get_connectors", TwoValues;
    /// A filter for [`Client::get_connectors`](crate::Client::get_connectors).
    ConnectorFilter;
    /// `connector.id`, the institution id such as `AU00000`.
    id: "connector.id", String, EqOnly;
    /// `connector.method`, e.g. web.
    method: "connector.method", ConnectionMethod, EqOnly;
    /// `connector.status`, e.g. operational.
    status: "connector.status", ConnectorStatus, EqNeIn;
    /// `connector.stage`, e.g. live.
    stage: "connector.stage", ConnectorStage, EqNeIn;
    /// `connector.institution.country`, e.g. Australia.
    country: "connector.institution.country", InstitutionCountry, EqNeIn;
    /// `connector.institution.tier`, `1` to `4`.
    tier: "connector.institution.tier", InstitutionTier, EqNeIn;
    /// `connector.institution.type`, e.g. Bank.
    institution_type: "connector.institution.type", InstitutionType, EqNe;
    /// `connector.authorization.type`, e.g. user.
    authorization_type: "connector.authorization.type", AuthorizationType, EqNeIn;
}

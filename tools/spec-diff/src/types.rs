//! The base JSON types a field may have, and the flattened fields of a body.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The base JSON type of a field; `Any` when the schema declares none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BaseType {
    Any,
    Array,
    Boolean,
    Integer,
    Number,
    Object,
    String,
}

impl BaseType {
    /// The type named by a schema's `type` keyword; `None` for `null` or unknown names.
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "array" => Self::Array,
            "boolean" => Self::Boolean,
            "integer" => Self::Integer,
            "number" => Self::Number,
            "object" => Self::Object,
            "string" => Self::String,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::Array => "array",
            Self::Boolean => "boolean",
            Self::Integer => "integer",
            Self::Number => "number",
            Self::Object => "object",
            Self::String => "string",
        }
    }
}

/// The types a field may have (several through `oneOf`/`anyOf`). `Any` only stands alone:
/// a concrete type from another branch wins over an untyped one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Types(BTreeSet<BaseType>);

impl Types {
    /// Exactly one type.
    pub fn one(base: BaseType) -> Self {
        Types(BTreeSet::from([base]))
    }

    /// Adds a type; `Any` is dropped once a concrete type is known.
    pub fn add(&mut self, base: BaseType) {
        if base == BaseType::Any && !self.0.is_empty() {
            return;
        }
        if base != BaseType::Any {
            self.0.remove(&BaseType::Any);
        }
        self.0.insert(base);
    }

    /// Adds the type called `name`, if it is one.
    pub fn extend_named(&mut self, name: &str) {
        if let Some(base) = BaseType::from_name(name) {
            self.add(base);
        }
    }

    /// Adds every type of `other`.
    pub fn merge(&mut self, other: &Types) {
        for base in &other.0 {
            self.add(*base);
        }
    }

    /// The types, or `any` when nothing was declared.
    pub fn finished(mut self) -> Self {
        if self.0.is_empty() {
            self.0.insert(BaseType::Any);
        }
        self
    }
}

impl fmt::Display for Types {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|base| base.name()).collect();
        f.write_str(&names.join("|"))
    }
}

/// Dotted field path -> types.
pub type Fields = BTreeMap<String, Types>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_gives_way_to_concrete_types() {
        let mut types = Types::one(BaseType::Any);
        types.extend_named("string");
        types.add(BaseType::Any);
        types.extend_named("null");
        types.extend_named("integer");
        assert_eq!(types.to_string(), "integer|string");
        assert_eq!(Types::default().finished().to_string(), "any");
    }
}

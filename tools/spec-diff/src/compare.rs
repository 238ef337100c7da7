//! The differences between Basiq's and our version of one operation.

use crate::explain::Deviations;
use crate::flatten::Bodies;
use crate::operations::Operation;
use crate::types::{Fields, Types};
use std::collections::{BTreeMap, BTreeSet};

/// Which body of an operation a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Request,
    Response,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Request => "request",
            Section::Response => "response",
        }
    }
}

/// How a field differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Upstream has the field, we do not.
    Missing(Types),
    /// Both have it with different types.
    Retyped { theirs: Types, ours: Types },
    /// Only we have it (informational).
    Extra(Types),
}

/// One difference in the fields of an operation.
#[derive(Debug, Clone)]
pub struct FieldDiff {
    pub section: Section,
    pub field: String,
    pub change: Change,
    /// Differences below this field folded into this line.
    pub nested: usize,
    /// Whether a deviations line explains it (never set for extras).
    pub explained: bool,
}

impl FieldDiff {
    /// Whether this is a field only we have.
    pub fn is_extra(&self) -> bool {
        matches!(self.change, Change::Extra(_))
    }

    /// Whether a difference `change` below this one is folded into it.
    fn absorbs(&self, change: &Change) -> bool {
        matches!(
            (&self.change, change),
            (Change::Retyped { .. }, Change::Missing(_) | Change::Extra(_))
                | (Change::Missing(_), Change::Missing(_))
                | (Change::Extra(_), Change::Extra(_))
        )
    }

    /// The report line, without its explained/unexplained mark.
    pub fn describe(&self) -> String {
        let (label, text) = match &self.change {
            Change::Missing(theirs) => ("missing", format!("{}: {theirs}", self.field)),
            Change::Retyped { theirs, ours } => ("type", format!("{}: {theirs} (ours: {ours})", self.field)),
            Change::Extra(ours) => ("extra", format!("{}: {ours}", self.field)),
        };
        let nested = match self.nested {
            0 => String::new(),
            n => format!(" (+{n} nested)"),
        };
        format!("{:<8} {label:<7} {text}{nested}", self.section.name())
    }
}

/// Compares one section; returns differences sorted by field, nested ones folded.
fn compare_fields(section: Section, theirs: &Fields, ours: &Fields) -> Vec<FieldDiff> {
    let paths: BTreeSet<&String> = theirs.keys().chain(ours.keys()).collect();
    let mut diffs: Vec<FieldDiff> = Vec::new();
    let mut anchors: BTreeMap<&str, usize> = BTreeMap::new();
    for path in paths {
        let change = match (theirs.get(path), ours.get(path)) {
            (Some(t), Some(o)) if t == o => continue,
            (Some(t), Some(o)) => Change::Retyped { theirs: t.clone(), ours: o.clone() },
            (Some(t), None) => Change::Missing(t.clone()),
            (None, Some(o)) => Change::Extra(o.clone()),
            (None, None) => continue,
        };
        let parent = ancestors(path)
            .filter_map(|ancestor| anchors.get(ancestor).copied())
            .find(|&index| diffs[index].absorbs(&change));
        match parent {
            Some(index) => diffs[index].nested += 1,
            None => {
                anchors.insert(path, diffs.len());
                diffs.push(FieldDiff { section, field: path.clone(), change, nested: 0, explained: false });
            }
        }
    }
    diffs
}

/// The strict ancestors of a field path: `a[].b.c` -> `a`, `a[]`, `a[].b`.
fn ancestors(field: &str) -> impl Iterator<Item = &str> {
    field.char_indices().filter(|(i, c)| *i > 0 && (*c == '.' || *c == '[')).map(|(i, _)| &field[..i])
}

/// How an operation's operationId compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdNote {
    Same,
    /// Ours carries `x-basiq-operation-id` naming theirs.
    Renamed,
    /// Differs without a matching `x-basiq-operation-id`: an unexplained difference.
    Mismatch,
}

/// The comparison of one matched operation.
pub struct OpReport<'a> {
    pub theirs: &'a Operation<'a>,
    pub ours: &'a Operation<'a>,
    pub id_note: IdNote,
    /// Differences and extras of both sections, request first, each sorted by field.
    pub diffs: Vec<FieldDiff>,
}

impl<'a> OpReport<'a> {
    /// Compares the two versions of an operation and marks which differences are explained.
    pub fn build(theirs: &'a Operation<'a>, ours: &'a Operation<'a>, deviations: &Deviations) -> Self {
        let id_note = if theirs.id == ours.id {
            IdNote::Same
        } else if theirs.id.is_some() && ours.original_id == theirs.id {
            IdNote::Renamed
        } else {
            IdNote::Mismatch
        };
        let (their_bodies, our_bodies) = (Bodies::of(theirs), Bodies::of(ours));
        let mut diffs = compare_fields(Section::Request, &their_bodies.request, &our_bodies.request);
        diffs.extend(compare_fields(Section::Response, &their_bodies.response, &our_bodies.response));
        let ids: Vec<&str> = [&ours.id, &theirs.id].into_iter().flatten().map(String::as_str).collect();
        for diff in diffs.iter_mut().filter(|diff| !diff.is_extra()) {
            diff.explained = deviations.explains(&ids, &diff.field);
        }
        OpReport { theirs, ours, id_note, diffs }
    }

    /// The differences that need an explanation (everything but extras).
    pub fn differences(&self) -> impl Iterator<Item = &FieldDiff> {
        self.diffs.iter().filter(|diff| !diff.is_extra())
    }

    /// The fields only we have.
    pub fn extras(&self) -> impl Iterator<Item = &FieldDiff> {
        self.diffs.iter().filter(|diff| diff.is_extra())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::BaseType;

    #[test]
    fn folds_nested_differences() {
        let theirs = Fields::from([
            ("meta".to_owned(), Types::one(BaseType::Object)),
            ("meta.fees".to_owned(), Types::one(BaseType::Array)),
            ("meta.fees[].amount".to_owned(), Types::one(BaseType::Number)),
            ("name".to_owned(), Types::one(BaseType::String)),
        ]);
        let ours = Fields::from([
            ("meta".to_owned(), Types::one(BaseType::Any)),
            ("links".to_owned(), Types::one(BaseType::Object)),
            ("links.self".to_owned(), Types::one(BaseType::String)),
        ]);
        let diffs = compare_fields(Section::Response, &theirs, &ours);
        let summary: Vec<(&str, usize)> = diffs.iter().map(|d| (d.field.as_str(), d.nested)).collect();
        assert_eq!(summary, [("links", 1), ("meta", 2), ("name", 0)]);
    }

    #[test]
    fn describes_each_kind_of_change() {
        let theirs = Fields::from([
            ("a".to_owned(), Types::one(BaseType::String)),
            ("b".to_owned(), Types::one(BaseType::Integer)),
        ]);
        let ours = Fields::from([
            ("b".to_owned(), Types::one(BaseType::Number)),
            ("c".to_owned(), Types::one(BaseType::Boolean)),
        ]);
        let lines: Vec<String> =
            compare_fields(Section::Request, &theirs, &ours).iter().map(FieldDiff::describe).collect();
        assert_eq!(
            lines,
            ["request  missing a: string", "request  type    b: integer (ours: number)", "request  extra   c: boolean"]
        );
    }

    #[test]
    fn lists_strict_ancestors() {
        let found: Vec<&str> = ancestors("a[].b.c").collect();
        assert_eq!(found, ["a", "a[]", "a[].b"]);
    }
}

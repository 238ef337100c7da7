//! The whole comparison: matched, missing and extra operations, and its printout.

use crate::compare::{FieldDiff, IdNote, OpReport};
use crate::explain::Deviations;
use crate::operations::{ORIGINAL_ID, OpKey, Operation};
use std::collections::BTreeMap;

/// The whole comparison.
pub struct Report<'a> {
    matched: Vec<OpReport<'a>>,
    missing_in_ours: Vec<&'a Operation<'a>>,
    only_in_ours: Vec<&'a Operation<'a>>,
    upstream_total: usize,
}

impl<'a> Report<'a> {
    /// Matches upstream operations with ours and compares each matched pair.
    pub fn build(
        theirs: &'a BTreeMap<OpKey, Operation<'a>>,
        ours: &'a BTreeMap<OpKey, Operation<'a>>,
        deviations: &Deviations,
    ) -> Self {
        let mut matched = Vec::new();
        let mut missing_in_ours = Vec::new();
        for (key, their_op) in theirs {
            match ours.get(key) {
                Some(our_op) => matched.push(OpReport::build(their_op, our_op, deviations)),
                None => missing_in_ours.push(their_op),
            }
        }
        let mut only_in_ours: Vec<_> =
            ours.iter().filter(|(key, _)| !theirs.contains_key(*key)).map(|(_, op)| op).collect();
        matched.sort_by_key(|op| (op.ours.label(), op.theirs.method.clone()));
        missing_in_ours.sort_by_key(|op| op.label());
        only_in_ours.sort_by_key(|op| op.label());
        Report { matched, missing_in_ours, only_in_ours, upstream_total: theirs.len() }
    }

    fn differences(&self) -> impl Iterator<Item = &FieldDiff> {
        self.matched.iter().flat_map(OpReport::differences)
    }

    fn id_mismatches(&self) -> usize {
        self.matched.iter().filter(|op| op.id_note == IdNote::Mismatch).count()
    }

    fn unexplained(&self) -> usize {
        self.differences().filter(|diff| !diff.explained).count() + self.id_mismatches()
    }

    /// Whether every upstream operation is present and every difference explained.
    pub fn passed(&self) -> bool {
        self.missing_in_ours.is_empty() && self.unexplained() == 0
    }

    /// Prints operations, field differences and the summary to stdout.
    pub fn print(&self) {
        self.print_operations();
        self.print_fields();
        self.print_summary();
    }

    fn print_operations(&self) {
        println!("\noperations: {} of {} upstream operations present in ours", self.matched.len(), self.upstream_total);
        print_op_list("missing in ours", &self.missing_in_ours, true);
        print_op_list("only in ours (not upstream)", &self.only_in_ours, false);
        let renamed: Vec<_> = self.matched.iter().filter(|op| op.id_note == IdNote::Renamed).collect();
        if !renamed.is_empty() {
            println!("renamed ({}):", renamed.len());
            for op in renamed {
                println!("  {} -> {}  ({} {})", op.theirs.label(), op.ours.label(), op.theirs.method, op.theirs.path);
            }
        }
    }

    fn print_fields(&self) {
        let changed: Vec<_> =
            self.matched.iter().filter(|op| !op.diffs.is_empty() || op.id_note == IdNote::Mismatch).collect();
        println!("\nfields: {} of {} matched operations differ", changed.len(), self.matched.len());
        println!(
            "(missing: upstream field absent from ours; type: upstream type, ours in parentheses; \
             extra: only in ours; +N nested: differences below that field, folded in)"
        );
        for op in changed {
            print_op(op);
        }
    }

    fn print_summary(&self) {
        let total = self.differences().count() + self.id_mismatches();
        let unexplained = self.unexplained();
        let extras = self.matched.iter().flat_map(OpReport::extras).count();
        println!(
            "\nsummary: operations {} matched, {} missing in ours, {} only in ours; \
             differences {total} total, {} explained, {unexplained} UNEXPLAINED; \
             {extras} extra in ours (informational)",
            self.matched.len(),
            self.missing_in_ours.len(),
            self.only_in_ours.len(),
            total - unexplained,
        );
    }
}

/// Prints one matched operation's heading and its difference lines, aligned.
fn print_op(op: &OpReport<'_>) {
    let renamed = match op.id_note {
        IdNote::Same => String::new(),
        IdNote::Renamed => format!("  (renamed from {})", op.theirs.label()),
        IdNote::Mismatch => {
            format!("  (operationId differs from {}; add `{ORIGINAL_ID}`)  UNEXPLAINED", op.theirs.label())
        }
    };
    println!("\n{}  {} {}{renamed}", op.ours.label(), op.theirs.method, op.theirs.path);
    let lines: Vec<(String, &str)> = op
        .differences()
        .map(|diff| (diff.describe(), mark(diff.explained)))
        .chain(op.extras().map(|diff| (diff.describe(), "(informational)")))
        .collect();
    let width = lines.iter().map(|(text, _)| text.len()).max().unwrap_or(0);
    for (text, mark) in lines {
        println!("  {text:<width$}  {mark}");
    }
}

fn mark(explained: bool) -> &'static str {
    if explained { "explained" } else { "UNEXPLAINED" }
}

fn print_op_list(title: &str, ops: &[&Operation<'_>], show_file: bool) {
    if ops.is_empty() {
        return;
    }
    println!("{title} ({}):", ops.len());
    let width = ops.iter().map(|op| op.label().len()).max().unwrap_or(0);
    for op in ops {
        let file = if show_file { format!("  [{}]", op.spec.short_name()) } else { String::new() };
        println!("  {:<width$}  {:<6} {}{file}", op.label(), op.method, op.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Spec, parse_yaml};
    use crate::operations::index_operations;

    const THEIRS: &str = r#"
paths:
  /users/{userId}:
    get:
      operationId: getUser
      responses:
        '200':
          content:
            application/json:
              schema: {properties: {id: {type: string}, email: {type: string}}}
  /jobs/{jobId}:
    get: {operationId: getJob}
"#;

    fn spec(yaml: &str) -> Result<Spec, serde_yaml::Error> {
        Ok(Spec { name: "inline.yml".to_owned(), root: parse_yaml(yaml)? })
    }

    /// `(passed, unexplained, missing in ours, renamed)` for our spec against [`THEIRS`].
    fn check(ours: &str, deviations: &str) -> Result<(bool, usize, usize, usize), serde_yaml::Error> {
        let (theirs, ours) = ([spec(THEIRS)?], [spec(ours)?]);
        let (theirs_ops, ours_ops) = (index_operations(&theirs), index_operations(&ours));
        let report = Report::build(&theirs_ops, &ours_ops, &Deviations::parse(deviations));
        let renamed = report.matched.iter().filter(|op| op.id_note == IdNote::Renamed).count();
        Ok((report.passed(), report.unexplained(), report.missing_in_ours.len(), renamed))
    }

    const OURS: &str = r#"
paths:
  /users/{id}:
    get:
      operationId: retrieveUser
      x-basiq-operation-id: getUser
      responses:
        '200':
          content:
            application/json:
              schema: {properties: {id: {type: string}}}
  /jobs/{id}:
    get: {operationId: getJob}
"#;

    #[test]
    fn passes_only_when_every_difference_is_explained() -> Result<(), serde_yaml::Error> {
        assert_eq!(check(OURS, "")?, (false, 1, 0, 1));
        assert_eq!(check(OURS, "- `getUser`: `email` is left out.\n")?, (true, 0, 0, 1));
        assert_eq!(check(OURS, "- `retrieveUser`: `email` is left out.\n")?, (true, 0, 0, 1));
        Ok(())
    }

    #[test]
    fn fails_on_missing_operations_and_unexplained_renames() -> Result<(), serde_yaml::Error> {
        let no_jobs = OURS.replace("/jobs/{id}", "/tasks/{id}");
        assert_eq!(check(&no_jobs, "`*` `email`")?, (false, 0, 1, 1));
        let bare_rename = OURS.replace("      x-basiq-operation-id: getUser\n", "");
        assert_eq!(check(&bare_rename, "`*` `email`")?, (false, 1, 0, 0));
        Ok(())
    }
}

//! The deviations file: which documented line explains which difference.

use std::collections::BTreeSet;
use std::path::Path;

/// The backticked tokens of each line of the deviations file that has any.
#[derive(Debug, Default)]
pub struct Deviations {
    /// One set of tokens per line that has at least one.
    pub lines: Vec<BTreeSet<String>>,
}

impl Deviations {
    /// Reads the file; a missing file is an error only when it was asked for (`required`).
    pub fn load(path: &Path, required: bool) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Self::parse(&text)),
            Err(err) if !required && err.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("spec-diff: note: {} not found; no difference counts as explained", path.display());
                Ok(Self::default())
            }
            Err(err) => Err(format!("{}: cannot read: {err}", path.display())),
        }
    }

    /// Collects the backticked tokens of every line of `text`.
    pub fn parse(text: &str) -> Self {
        let lines = text.lines().map(backticked).filter(|tokens| !tokens.is_empty()).collect();
        Deviations { lines }
    }

    /// Whether one line names one of `op_ids` (or `*`) and covers `field`.
    pub fn explains(&self, op_ids: &[&str], field: &str) -> bool {
        self.lines.iter().any(|tokens| {
            let names_op = tokens.contains("*") || op_ids.iter().any(|id| tokens.contains(*id));
            names_op && tokens.iter().any(|token| covers(token, field))
        })
    }
}

/// The closed backtick spans of a line, trimmed.
fn backticked(line: &str) -> BTreeSet<String> {
    let pieces: Vec<&str> = line.split('`').collect();
    // Odd pieces are inside backticks, but only when a closing backtick follows them.
    pieces
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 1 && i + 1 < pieces.len())
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether `prefix` is `field` or a leading run of its segments.
fn covers(prefix: &str, field: &str) -> bool {
    field.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_by_operation_and_field_prefix() {
        let deviations = Deviations::parse(
            "- `getAccounts`: `meta` is untyped because it varies.\n\
             - `*` `links.next` may be absent.\n\
             - `getJob` `steps[]` unclosed `result\n",
        );
        assert!(deviations.explains(&["getAccounts"], "meta"));
        assert!(deviations.explains(&["getAccounts"], "meta.fees[].amount"));
        assert!(!deviations.explains(&["getAccounts"], "metadata"));
        assert!(!deviations.explains(&["getAccount"], "meta"));
        assert!(deviations.explains(&["renamedOp", "getAccounts"], "meta"));
        assert!(deviations.explains(&["anything"], "links.next"));
        assert!(!deviations.explains(&["anything"], "links"));
        assert!(deviations.explains(&["getJob"], "steps[].result"));
        assert!(!deviations.explains(&["getJob"], "result"));
    }

    #[test]
    fn needs_operation_and_field_on_the_same_line() {
        let deviations = Deviations::parse("`getUser` is renamed.\n`email` is optional.\n\nno backticks here\n");
        assert_eq!(deviations.lines.len(), 2);
        assert!(!deviations.explains(&["getUser"], "email"));
    }

    #[test]
    fn keeps_only_closed_trimmed_spans() {
        let tokens: Vec<String> = backticked("a ` x ` b `` c `y` d `open").into_iter().collect();
        assert_eq!(tokens, ["x", "y"]);
    }

    #[test]
    fn a_missing_file_is_an_error_only_when_asked_for() {
        let path = Path::new("this/file/does/not/exist.md");
        assert!(Deviations::load(path, false).is_ok_and(|deviations| deviations.lines.is_empty()));
        assert!(Deviations::load(path, true).is_err_and(|err| err.contains("cannot read")));
    }
}

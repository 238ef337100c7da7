//! `spec-diff`: compare Basiq's published OpenAPI files with our own `openapi/basiq.yaml`.
//!
//! Maintainers' tool (workspace member `basiq-spec-diff`, never needed to build or test `basiq`).
//! Our spec is written by hand, in our own words, and deliberately differs from Basiq's files in
//! places (lenient response types, fixed list envelopes, renamed operations...). Every deliberate
//! difference must be documented in `openapi/DEVIATIONS.md`; this tool finds the differences and
//! checks that each one is. Run it from the repository root:
//!
//! ```text
//! cargo run -p basiq-spec-diff -- <basiq-spec-file-or-dir>... \
//!     [--ours openapi/basiq.yaml] [--deviations openapi/DEVIATIONS.md]
//! ```
//!
//! What it reports:
//!
//! 1. **Operations**, matched by `(METHOD, path)` with path parameter names ignored
//!    (`{id}` and `{reportId}` are the same slot): upstream operations missing from ours,
//!    operations only we have, and operationId changes. An operation of ours carrying
//!    `x-basiq-operation-id: <original>` is a documented rename; any other changed
//!    operationId is an unexplained difference.
//! 2. **Fields** of each matched operation: the request body (JSON, multipart or
//!    form-urlencoded) and the union of the 2xx JSON response bodies are flattened into
//!    dotted paths with a base type (`data[].class.type: string`). `$ref`s are resolved
//!    within their own file, `allOf` is merged, `oneOf`/`anyOf` alternatives are united,
//!    array items get a `[]` segment and `additionalProperties` schemas a `*` segment.
//!    `format`, `enum`, `nullable`, `required` and descriptions are ignored. Upstream fields
//!    absent from ours and fields typed differently are differences; fields only we have are
//!    listed as "extra" (informational). Fields nested under a field that already differs
//!    are folded into that line (`+N nested`).
//! 3. **Explanations**: a difference is explained when one line of the deviations file
//!    holds, in backticks, the operationId (ours or Basiq's, or `*` for every operation)
//!    and the field path or a prefix of it ending at a segment boundary (`meta` explains
//!    `meta.fees[].amount`).
//!
//! Exit status: 0 when every upstream operation is present and every difference is
//! explained, 1 otherwise, 2 when an input cannot be read or parsed.
//!
//! Modules, each importing only those listed before it: `load` (reading documents, `$ref`s),
//! `operations` (indexing operations by method and path), `types` (a field's base types),
//! `flatten` (schemas into dotted field paths), `explain` (the deviations file), `compare`
//! (the differences of one operation), `report` (the whole comparison and its printout).

mod compare;
mod explain;
mod flatten;
mod load;
mod operations;
mod report;
mod types;

use std::path::PathBuf;
use std::process::ExitCode;

use explain::Deviations;
use load::Spec;
use report::Report;

const USAGE: &str = "usage: spec-diff <basiq-spec-file-or-dir>... [--ours openapi/basiq.yaml] \
                     [--deviations openapi/DEVIATIONS.md]";
const DEFAULT_OURS: &str = "openapi/basiq.yaml";
const DEFAULT_DEVIATIONS: &str = "openapi/DEVIATIONS.md";

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("spec-diff: {message}");
            ExitCode::from(2)
        }
    }
}

/// Loads everything, prints the report and tells whether the check passed.
fn run() -> Result<bool, String> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    if raw.iter().any(|arg| arg == "-h" || arg == "--help") {
        println!("{USAGE}");
        return Ok(true);
    }
    let args = Args::parse(raw.into_iter())?;
    let upstream = load::load_upstream(&args.upstream)?;
    let ours = Spec::load(&args.ours)?;
    let deviations = Deviations::load(&args.deviations, args.deviations_given)?;

    let theirs_ops = operations::index_operations(&upstream);
    let ours_ops = operations::index_operations(std::slice::from_ref(&ours));
    let report = Report::build(&theirs_ops, &ours_ops, &deviations);

    println!(
        "spec-diff: upstream {} file(s), {} operations; ours {}, {} operations; deviations {} ({} lines with backticks)",
        upstream.len(),
        theirs_ops.len(),
        ours.name,
        ours_ops.len(),
        args.deviations.display(),
        deviations.lines.len(),
    );
    report.print();
    Ok(report.passed())
}

/// Parsed command line.
#[derive(Debug, PartialEq)]
struct Args {
    upstream: Vec<PathBuf>,
    ours: PathBuf,
    deviations: PathBuf,
    /// Whether `--deviations` was given: only then is a missing file an error.
    deviations_given: bool,
}

impl Args {
    /// Reads `<upstream>... [--ours PATH] [--deviations PATH]` (also `--flag=PATH`).
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut parsed = Args {
            upstream: Vec::new(),
            ours: PathBuf::from(DEFAULT_OURS),
            deviations: PathBuf::from(DEFAULT_DEVIATIONS),
            deviations_given: false,
        };
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), Some(value)),
                _ => (arg.clone(), None),
            };
            let mut value = |name: &str| {
                inline
                    .map(str::to_owned)
                    .or_else(|| args.next())
                    .map(PathBuf::from)
                    .ok_or_else(|| format!("{name} needs a path ({USAGE})"))
            };
            match flag.as_str() {
                "--ours" => parsed.ours = value("--ours")?,
                "--deviations" => {
                    parsed.deviations = value("--deviations")?;
                    parsed.deviations_given = true;
                }
                other if other.starts_with('-') => {
                    return Err(format!("unknown option {other} ({USAGE})"));
                }
                _ => parsed.upstream.push(PathBuf::from(arg)),
            }
        }
        if parsed.upstream.is_empty() {
            return Err(format!("no Basiq spec file or directory given ({USAGE})"));
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        Args::parse(args.iter().map(|arg| (*arg).to_owned()))
    }

    #[test]
    fn defaults_point_into_the_repository_root() -> Result<(), String> {
        let args = parse(&["upstream/"])?;
        assert_eq!(args.upstream, [PathBuf::from("upstream/")]);
        assert_eq!(args.ours, PathBuf::from("openapi/basiq.yaml"));
        assert_eq!(args.deviations, PathBuf::from("openapi/DEVIATIONS.md"));
        assert!(!args.deviations_given);
        Ok(())
    }

    #[test]
    fn reads_flags_with_separate_or_inline_values() -> Result<(), String> {
        let args = parse(&["a.yml", "--ours", "mine.yaml", "--deviations=why.md", "b.yml"])?;
        assert_eq!(args.upstream, [PathBuf::from("a.yml"), PathBuf::from("b.yml")]);
        assert_eq!(args.ours, PathBuf::from("mine.yaml"));
        assert_eq!(args.deviations, PathBuf::from("why.md"));
        assert!(args.deviations_given);
        Ok(())
    }

    #[test]
    fn rejects_unknown_flags_missing_values_and_no_upstream() {
        assert!(parse(&["a.yml", "--theirs", "x"]).is_err_and(|err| err.contains("unknown option --theirs")));
        assert!(parse(&["a.yml", "--ours"]).is_err_and(|err| err.contains("--ours needs a path")));
        assert!(parse(&["--ours", "mine.yaml"]).is_err_and(|err| err.contains("no Basiq spec file")));
    }
}

//! Regenerates `generated/basiq.rs` from `openapi/basiq.yaml` when the `codegen` feature is on.
//!
//! Without the feature this script does nothing, so consumers never build progenitor:
//! the checked-in `generated/` is compiled as it is.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "codegen")]
    codegen::run();
}

#[cfg(feature = "codegen")]
mod codegen {
    use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl};
    use std::path::Path;

    const SPEC: &str = "openapi/basiq.yaml";
    const OUT: &str = "generated/basiq.rs";
    const OPS_OUT: &str = "generated/operations.rs";

    /// Operations progenitor cannot generate; the facade implements them by hand.
    const HANDWRITTEN: &[&str] = &["createStatement"];

    /// Schemas whose value set Basiq may extend: they map to handwritten open enums.
    const OPEN_ENUMS: &[&str] = &[
        "AccountClassType",
        "AccountStatus",
        "AccountOwnership",
        "TransactionClass",
        "TransactionStatus",
        "TransactionDirection",
        "JobStepTitle",
        "JobStepStatus",
        "ConnectionStatus",
        "ConsentStatus",
        "EventTypeId",
        "WebhookStatus",
        "ConnectionMethod",
    ];

    /// Fields read leniently (see openapi/DEVIATIONS.md, "Lenient fields"): struct, field and the
    /// `crate::lenient` function that decodes it.
    const LENIENT: &[(&str, &str, &str)] = &[
        ("AccountDepositRate", "tiers", "one_or_many"),
        ("AccountLendingRate", "tiers", "one_or_many"),
        ("AccountFee", "discounts", "one_or_many"),
        ("WebhookList", "data", "list_or_one"),
        ("Account", "meta", "or_none"),
        ("ReportAccount", "meta", "or_none"),
        ("Transaction", "enrich", "or_none"),
        ("ReportTransaction", "enrich", "or_none"),
    ];

    /// Second spellings Basiq's own examples use for a property: (name in the spec, alias).
    const ALIASES: &[(&str, &str)] = &[("ABN", "abn"), ("Code", "code")];

    /// Adds `alias` and `deserialize_with` attributes to the generated types (typify has no
    /// setting for either).
    fn lenient(mut text: String) -> String {
        for (name, alias) in ALIASES {
            text = text.replace(
                &format!("#[serde(rename = \"{name}\", skip_serializing_if"),
                &format!("#[serde(rename = \"{name}\", alias = \"{alias}\", skip_serializing_if"),
            );
        }
        for (ty, field, with) in LENIENT {
            let start = text.find(&format!("\n    pub struct {ty} {{\n")).unwrap_or_else(|| panic!("no struct {ty}"));
            let end = start + text[start..].find("\n    }\n").expect("struct end");
            let at = start
                + text[start..end]
                    .find(&format!("\n        pub {field}: "))
                    .unwrap_or_else(|| panic!("no {ty}.{field}"));
            let attr = text[start..at].rfind("#[serde(").map(|a| start + a);
            let previous_field = text[start..at].rfind("\n        pub ").map(|p| start + p);
            let setting = format!("deserialize_with = \"crate::lenient::{with}\"");
            match attr.filter(|a| previous_field.is_none_or(|p| *a > p)) {
                Some(a) => {
                    let close = a + text[a..].find(")]").expect("attribute end");
                    let has_default = text[a..close].contains("default");
                    let extra = if has_default { format!(", {setting}") } else { format!(", default, {setting}") };
                    text.insert_str(close, &extra);
                }
                None => text.insert_str(at + 1, &format!("        #[serde(default, {setting})]\n")),
            }
        }
        text
    }

    pub fn run() {
        // Cargo writes `Cargo.toml.orig` into every packaged copy (a registry download, a vendored
        // crate): such sources are not ours to rewrite, so they compile `generated/` as shipped.
        if Path::new("Cargo.toml.orig").exists() {
            println!("cargo:warning=basiq: the codegen feature leaves a packaged copy's generated/ untouched");
            return;
        }
        println!("cargo:rerun-if-changed={SPEC}");
        let text = std::fs::read_to_string(SPEC).expect("read openapi/basiq.yaml");
        let mut spec: openapiv3::OpenAPI = serde_yaml::from_str(&text).expect("parse openapi/basiq.yaml");
        strip_for_progenitor(&mut spec);
        let operations = operations_table(&spec);
        for item in spec.paths.paths.values_mut() {
            if let openapiv3::ReferenceOr::Item(item) = item {
                for op in [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch] {
                    if op.as_ref().and_then(|o| o.operation_id.as_deref()).is_some_and(|id| HANDWRITTEN.contains(&id)) {
                        *op = None;
                    }
                }
            }
        }
        let known = spec.components.as_ref().map(|c| c.schemas.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();

        let mut settings = GenerationSettings::default();
        settings
            .with_interface(InterfaceStyle::Builder)
            .with_inner_type(quote::quote! { crate::state::ClientState })
            .with_hooks(HooksMode::Expected)
            .with_derive("schemars::JsonSchema");
        for name in OPEN_ENUMS.iter().filter(|n| known.iter().any(|k| k == *n)) {
            settings.with_replacement(
                *name,
                format!("crate::open::{name}"),
                [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
            );
        }
        let mut generator = Generator::new(&settings);
        let tokens = generator.generate_tokens(&spec).expect("generate client from openapi/basiq.yaml");
        let file: syn::File = syn::parse2(tokens).expect("parse generated tokens");
        let body = gate_schemars(&lenient(prettyplease::unparse(&file)));
        let text = format!(
            "// @generated by build.rs from openapi/basiq.yaml with progenitor. Do not edit by hand:\n\
             // change the spec and run `cargo build --features codegen`.\n\n{body}"
        );
        write_if_changed(OUT, &text);
        write_if_changed(OPS_OUT, &operations);
    }

    /// `schemars::JsonSchema` only with the `schemars` feature: each derive list loses it and gains
    /// a `cfg_attr` that adds it back, so a default build does not compile a schema impl per type.
    fn gate_schemars(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut open: Option<String> = None;
        for line in text.split_inclusive('\n') {
            let attr = match open.take() {
                Some(mut attr) => {
                    attr.push_str(line);
                    attr
                }
                None if line.trim_start().starts_with("#[derive(") => line.to_owned(),
                None => {
                    out.push_str(line);
                    continue;
                }
            };
            if attr.contains(")]") {
                out.push_str(&without_schema_derive(&attr));
            } else {
                open = Some(attr);
            }
        }
        out
    }

    /// One `#[derive(..)]` attribute (one or several lines) with `schemars::JsonSchema` moved
    /// behind the feature.
    fn without_schema_derive(attr: &str) -> String {
        const SCHEMA: &str = "schemars::JsonSchema";
        if !attr.contains(SCHEMA) {
            return attr.to_owned();
        }
        let indent: String = attr.chars().take_while(|c| *c == ' ').collect();
        let start = attr.find("#[derive(").expect("derive attribute") + "#[derive(".len();
        let end = attr.rfind(")]").expect("derive attribute end");
        let kept: Vec<&str> =
            attr[start..end].split(',').map(str::trim).filter(|d| !d.is_empty() && *d != SCHEMA).collect();
        format!(
            "{indent}#[derive({})]\n{indent}#[cfg_attr(feature = \"schemars\", derive({SCHEMA}))]\n",
            kept.join(", ")
        )
    }

    /// Headers the client's hooks set on every request; declared in the spec for readers and
    /// tools, kept out of the generated methods' arguments.
    const HOOK_HEADERS: &[&str] = &["basiq-version"];

    /// What the spec declares but progenitor must not see: the body-less 204 beside a JSON 200 of
    /// operations marked `x-basiq-empty-success` (two success bodies make progenitor panic; the
    /// extension already makes the call's output optional), and the header parameters the hooks set.
    fn strip_for_progenitor(spec: &mut openapiv3::OpenAPI) {
        for item in spec.paths.paths.values_mut() {
            let openapiv3::ReferenceOr::Item(item) = item else { continue };
            for op in [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch] {
                let Some(op) = op.as_mut() else { continue };
                let empty_too = op.extensions.get("x-basiq-empty-success").and_then(|v| v.as_bool()).unwrap_or(false);
                if empty_too {
                    op.responses.responses.shift_remove(&openapiv3::StatusCode::Code(204));
                }
                op.parameters.retain(|p| match p {
                    openapiv3::ReferenceOr::Item(openapiv3::Parameter::Header { parameter_data, .. }) => {
                        !HOOK_HEADERS.contains(&parameter_data.name.as_str())
                    }
                    _ => true,
                });
            }
        }
    }

    fn write_if_changed(path: &str, text: &str) {
        if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
            std::fs::write(Path::new(path), text).unwrap_or_else(|e| panic!("write {path}: {e}"));
        }
    }

    fn snake(id: &str) -> String {
        let mut out = String::new();
        for (i, c) in id.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }

    fn pascal(id: &str) -> String {
        let mut chars = id.chars();
        chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
    }

    /// The one 2xx status whose body a decode failure came from, when the operation has only one.
    fn decoded_status(op: &openapiv3::Operation) -> Option<u16> {
        let codes: Vec<u16> = op
            .responses
            .responses
            .keys()
            .filter_map(|c| match c {
                openapiv3::StatusCode::Code(c) if (200..300).contains(c) => Some(*c),
                _ => None,
            })
            .collect();
        (codes.len() == 1).then(|| codes[0])
    }

    /// The success type of an operation as a Rust path, and whether Basiq may answer 204 instead.
    fn success_type(op: &openapiv3::Operation) -> (String, bool) {
        let empty_too = op.extensions.get("x-basiq-empty-success").and_then(|v| v.as_bool()).unwrap_or(false);
        for (code, response) in &op.responses.responses {
            let openapiv3::StatusCode::Code(code) = code else { continue };
            if !(200..300).contains(code) {
                continue;
            }
            let openapiv3::ReferenceOr::Item(response) = response else { continue };
            let schema = response.content.values().next().and_then(|m| m.schema.as_ref());
            return match schema {
                Some(openapiv3::ReferenceOr::Reference { reference }) => {
                    let name = reference.rsplit('/').next().unwrap_or_default();
                    (format!("types::{}", pascal(name)), empty_too)
                }
                Some(_) => panic!("{:?}: success bodies must be a $ref", op.operation_id),
                None => ("()".to_owned(), false),
            };
        }
        panic!("{:?} has no success response", op.operation_id)
    }

    /// `generated/operations.rs`: the table of every operation and the `Call` impls.
    fn operations_table(spec: &openapiv3::OpenAPI) -> String {
        let mut rows = Vec::new();
        let mut impls = Vec::new();
        for (path, item) in &spec.paths.paths {
            let openapiv3::ReferenceOr::Item(item) = item else { continue };
            for (method, op) in [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("DELETE", &item.delete),
                ("PATCH", &item.patch),
            ] {
                let Some(op) = op else { continue };
                let id = op.operation_id.clone().expect("every operation has an operationId");
                let generated = !HANDWRITTEN.contains(&id.as_str());
                let name = snake(&id);
                rows.push(format!(
                    "    Operation {{ operation_id: {id:?}, name: {name:?}, method: {method:?}, path: {path:?}, generated: {generated} }},"
                ));
                if generated {
                    let (ty, empty_too) = success_type(op);
                    let (output, finish) =
                        if empty_too { (format!("Option<{ty}>"), "finish_or_empty") } else { (ty, "finish") };
                    impls.push(format!(
                        "impl<'a> Call for builder::{b}<'a> {{\n    type Output = {output};\n    fn call(self) -> impl Future<Output = Result<Self::Output, Error>> + Send {{\n        call::{finish}({name:?}, {status:?}, self.send())\n    }}\n}}\n",
                        b = pascal(&id),
                        status = decoded_status(op)
                    ));
                }
            }
        }
        format!(
            "// @generated by build.rs from openapi/basiq.yaml. Do not edit by hand.\n\n\
             use std::future::Future;\n\n\
             use crate::call::{{self, Call}};\n\
             use crate::{{Error, builder, types}};\n\n\
             /// Every operation of the spec, in spec order.\n\
             pub const OPERATIONS: &[Operation] = &[\n{}\n];\n\n{}",
            rows.join("\n"),
            impls.join("\n")
        )
    }
}

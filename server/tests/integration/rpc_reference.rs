//! The `/rpc` reference (docs/rpc.md) is generated from the server functions'
//! own signatures, so it cannot drift from the code (#22): this test parses every
//! `#[server]` function in `app/src/api`, renders the reference, and fails when
//! the committed file differs, when the framework serves a function the parser did
//! not find, or when docs/api.md names a function that does not exist.
//! After a deliberate change: `UPDATE_SNAPSHOTS=1 cargo test -p server --test integration rpc_reference`.

#![allow(clippy::unwrap_used)]

use quote::ToTokens;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One server function as its signature declares it.
struct RpcFunction {
    endpoint: String,
    json: bool,
    doc: String,
    arguments: Vec<(String, String)>,
    answer: String,
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A type as a reader writes it: `Option<Vec<String>>`, not `Option < Vec < String > >`.
fn type_text(ty: &syn::Type) -> String {
    let raw = ty.to_token_stream().to_string();
    let mut out = String::new();
    for token in raw.split(' ') {
        let glue = matches!(token, "<" | ">" | "," | "::")
            || out.ends_with('<')
            || out.ends_with("::")
            || out.is_empty();
        if !glue {
            out.push(' ');
        }
        out.push_str(token);
    }
    out.replace(",", ", ").replace(",  ", ", ")
}

/// The first paragraph of a doc comment, one line.
fn doc_of(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &nv.value
        {
            let line = text.value().trim().to_owned();
            if line.is_empty() && !lines.is_empty() {
                break;
            }
            if !line.is_empty() {
                lines.push(line);
            }
        }
    }
    lines.join(" ")
}

/// `endpoint = "…"` and whether `input = …Json` from `#[server(…)]`.
fn server_attribute(attrs: &[syn::Attribute]) -> Option<(String, bool)> {
    let attr = attrs.iter().find(|a| a.path().is_ident("server"))?;
    let text = attr.meta.to_token_stream().to_string();
    let endpoint = text.split("endpoint").nth(1)?.split('"').nth(1)?.to_owned();
    let json = text
        .split("input")
        .nth(1)
        .is_some_and(|rest| rest.split(',').next().unwrap_or_default().contains("Json"));
    Some((endpoint, json))
}

/// `T` of `Result<T, ApiError>`.
fn answer_of(output: &syn::ReturnType) -> String {
    let syn::ReturnType::Type(_, ty) = output else {
        return "()".into();
    };
    if let syn::Type::Path(path) = ty.as_ref()
        && let Some(last) = path.path.segments.last()
        && last.ident == "Result"
        && let syn::PathArguments::AngleBracketed(args) = &last.arguments
        && let Some(syn::GenericArgument::Type(ok)) = args.args.first()
    {
        return type_text(ok);
    }
    type_text(ty)
}

/// Every server function of one source file, in source order.
fn functions_in(path: &Path) -> Vec<RpcFunction> {
    let source = std::fs::read_to_string(path).unwrap();
    let file = syn::parse_file(&source).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut found = Vec::new();
    for item in file.items {
        let syn::Item::Fn(function) = item else {
            continue;
        };
        let Some((endpoint, json)) = server_attribute(&function.attrs) else {
            continue;
        };
        let arguments = function
            .sig
            .inputs
            .iter()
            .filter_map(|input| match input {
                syn::FnArg::Typed(typed) => Some((
                    typed.pat.to_token_stream().to_string(),
                    type_text(&typed.ty),
                )),
                syn::FnArg::Receiver(_) => None,
            })
            .collect();
        found.push(RpcFunction {
            endpoint,
            json,
            doc: doc_of(&function.attrs),
            arguments,
            answer: answer_of(&function.sig.output),
        });
    }
    found
}

/// The source files that hold server functions: the api module.
fn api_files() -> Vec<PathBuf> {
    let dir = repo().join("app/src/api");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

fn render(files: &[(String, Vec<RpcFunction>)]) -> String {
    let mut out = String::from(
        "# `/rpc` reference (generated)\n\n\
         Generated from the `#[server]` functions in `app/src/api` by\n\
         `server/tests/integration/rpc_reference.rs`, which fails when this file and the code\n\
         disagree; do not edit by hand. After a change:\n\
         `UPDATE_SNAPSHOTS=1 cargo test -p server --test integration rpc_reference`.\n\n\
         Every function is `POST /rpc/<name>` on the session cookie (log in with `/rpc/login`).\n\
         Arguments go as a form (`application/x-www-form-urlencoded`, one field per argument)\n\
         unless the function is marked **JSON** (then one JSON object with a key per argument).\n\
         The answer is JSON: the type named, or on failure `{\"code\": …}` with a 4xx/5xx status\n\
         (docs/api.md lists the codes; missing or unreadable arguments answer\n\
         `422 {\"code\":\"bad_arguments\",\"field\":…}`). A request that sends `Accept: text/html`\n\
         without JSON is treated as a browser form without JavaScript: the server answers\n\
         with a redirect back to the page it came from (`Referer`), after doing the action.\n\
         Who may call each function, and what it refuses, is in docs/api.md.\n",
    );
    for (file, functions) in files {
        if functions.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## `{file}`\n"));
        for f in functions {
            out.push_str(&format!("\n### `/rpc/{}`", f.endpoint));
            if f.json {
                out.push_str(" **JSON**");
            }
            out.push('\n');
            if !f.doc.is_empty() {
                out.push_str(&format!("\n{}\n", f.doc));
            }
            out.push('\n');
            if f.arguments.is_empty() {
                out.push_str("- arguments: none\n");
            } else {
                let args: Vec<String> = f
                    .arguments
                    .iter()
                    .map(|(name, ty)| format!("`{name}: {ty}`"))
                    .collect();
                out.push_str(&format!("- arguments: {}\n", args.join(", ")));
            }
            out.push_str(&format!("- answer: `{}`\n", f.answer));
        }
    }
    out
}

#[test]
fn the_rpc_reference_is_generated_from_the_code_and_matches_it() {
    let files: Vec<(String, Vec<RpcFunction>)> = api_files()
        .iter()
        .map(|path| {
            let name = path
                .strip_prefix(repo())
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            (name, functions_in(path))
        })
        .collect();
    let parsed: BTreeSet<String> = files
        .iter()
        .flat_map(|(_, fs)| fs.iter().map(|f| format!("/rpc/{}", f.endpoint)))
        .collect();

    // What the framework serves is exactly what the parser found.
    let served: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .filter(|path| path.starts_with("/rpc/"))
        .collect();
    assert_eq!(
        served, parsed,
        "a server function lives outside app/src/api or was not parsed"
    );

    // Every function docs/api.md names exists.
    let api_md = std::fs::read_to_string(repo().join("docs/api.md")).unwrap();
    let named: BTreeSet<String> = api_md
        .split("/rpc/")
        .skip(1)
        .map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            format!("/rpc/{name}")
        })
        .filter(|path| path != "/rpc/")
        .collect();
    let unknown: Vec<&String> = named.difference(&parsed).collect();
    assert!(
        unknown.is_empty(),
        "docs/api.md names functions that do not exist: {unknown:?}"
    );

    let generated = render(&files);
    let snapshot_path = repo().join("docs/rpc.md");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&snapshot_path, &generated).unwrap();
    }
    let snapshot = std::fs::read_to_string(&snapshot_path).expect(
        "docs/rpc.md missing: run `UPDATE_SNAPSHOTS=1 cargo test -p server --test integration rpc_reference`",
    );
    assert!(
        snapshot == generated,
        "the server functions changed: review, then run `UPDATE_SNAPSHOTS=1 cargo test -p server --test integration rpc_reference` and commit docs/rpc.md"
    );
}

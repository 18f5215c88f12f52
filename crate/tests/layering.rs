//! The stages of crate/src form layers: a stage may use only the stages below it. This test
//! reads the sources, finds every path into another stage (`crate::ir::...`,
//! `use crate::{codegen, vm}`), prints the graph and fails on any edge the layering does
//! not allow. Test modules (`#[cfg(test)]`) are left out: a unit test may drive its stage
//! through the API above it.
//!
//! Print the graph: `cargo test --test layering -- --nocapture`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The stages from the bottom up, each with the stages it may use. Keep in step with the
/// drawing at the top of lib.rs and with docs/architecture.md.
const LAYERS: &[(&str, &[&str])] = &[
    ("syntax", &[]),
    ("vmath", &[]),
    ("par", &[]),
    ("types", &["vmath"]),
    // `syntax` only for `Span`, which every later stage carries for its errors.
    ("ir", &["types", "vmath", "syntax"]),
    ("vm", &["types", "vmath", "par", "syntax"]),
    // The kernel IR reuses the IR's typed handles (`ir::Handle`).
    ("kir", &["types", "vmath", "syntax", "ir"]),
    // Code generation from the kernel IR (wasm): its types, spans and executor's errors.
    ("back", &["kir", "types", "syntax"]),
    ("front", &["syntax", "types", "ir", "kir"]),
    ("opt", &["ir", "types", "syntax"]),
    ("codegen", &["ir", "vm", "types", "syntax"]),
    (
        "api",
        &[
            "syntax", "front", "ir", "kir", "back", "opt", "codegen", "vm", "vmath", "types", "par",
        ],
    ),
    // The bindings host generated kernel modules (their ABI and import names are back's).
    ("wasm", &["api", "back", "par"]),
];

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let p = entry.expect("dir entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The stage a file belongs to: its first folder under src, or its own name (`wasm.rs`).
/// `None` for lib.rs, the root that declares the stages.
fn stage_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).expect("file under src");
    let first = rel.components().next()?.as_os_str().to_str()?.to_owned();
    let stage = first.strip_suffix(".rs").unwrap_or(&first).to_owned();
    (stage != "lib").then_some(stage)
}

/// The source without comments and without `#[cfg(test)]` items (a test module's braces
/// are matched, so code after it still counts).
fn code_of(text: &str) -> String {
    let mut code = String::new();
    for line in text.lines() {
        let l = line.trim_start();
        if l.starts_with("//") {
            continue;
        }
        code.push_str(line.split(" // ").next().unwrap_or(line));
        code.push('\n');
    }
    while let Some(at) = code.find("#[cfg(test)]") {
        let rest = &code[at..];
        // The item ends at the brace that closes its first block, or at its `;`.
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        code.replace_range(at..at + end, "");
    }
    code
}

/// The stages named by the paths `crate::x...` and `crate::{x, y::z}` in `code`.
fn stages_used(code: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `numwasm_crate::`, not a path of this crate
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group, separated by commas outside nested braces.
            let mut depth = 0usize;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        used.insert(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            used.insert(first_segment(&item));
        } else {
            used.insert(first_segment(rest));
        }
    }
    used.remove("");
    used
}

fn first_segment(path: &str) -> String {
    path.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Stage -> stages it uses (only stages, not items of the crate root such as `VERSION`).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = src_dir();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let stages: BTreeSet<String> = files.iter().filter_map(|f| stage_of(&src, f)).collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(stage) = stage_of(&src, f) else {
            continue;
        };
        let text = std::fs::read_to_string(f).expect("read source");
        let deps = g.entry(stage.clone()).or_default();
        for used in stages_used(&code_of(&text)) {
            if used != stage && stages.contains(&used) {
                deps.insert(used);
            }
        }
    }
    g
}

fn render(g: &BTreeMap<String, BTreeSet<String>>) -> String {
    let mut s = String::new();
    for (stage, deps) in g {
        let deps: Vec<&str> = deps.iter().map(String::as_str).collect();
        let _ = writeln!(s, "{stage:8} -> {}", deps.join(", "));
    }
    s
}

#[test]
fn stages_only_use_the_stages_below_them() {
    let g = graph();
    println!(
        "stage graph of crate/src (stage -> stages it uses):\n{}",
        render(&g)
    );
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for (stage, deps) in &g {
        let Some(ok) = allowed.get(stage.as_str()) else {
            wrong.push(format!(
                "stage '{stage}' is not in LAYERS (tests/layering.rs)"
            ));
            continue;
        };
        for d in deps {
            if !ok.contains(&d.as_str()) {
                wrong.push(format!("{stage} uses {d}, which is not below it"));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn the_layers_have_no_cycle() {
    // Each stage's allowed stages come earlier in LAYERS, so no cycle can be allowed.
    for (i, (stage, deps)) in LAYERS.iter().enumerate() {
        for d in *deps {
            let pos = LAYERS.iter().position(|(s, _)| s == d);
            assert!(
                pos.is_some_and(|p| p < i),
                "{stage} may use {d}, which is not below it in LAYERS"
            );
        }
    }
}

#[test]
fn the_path_scanner_sees_every_form() {
    let code = code_of(
        "use crate::{codegen, front::expr::{a, b}, opt};\n\
         // use crate::wasm::x;\n\
         fn f() { crate::vm::run(); let _ = $crate::types::X; }\n\
         #[cfg(test)]\nmod tests { use crate::api::compile; }\n\
         fn g() { crate::par::go() }\n",
    );
    let used: Vec<String> = stages_used(&code).into_iter().collect();
    assert_eq!(used, ["codegen", "front", "opt", "par", "types", "vm"]);
}

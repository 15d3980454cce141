//! The layer order of the crate, declared once, and a check that no module imports one of
//! a higher layer: data flows one way (files → input → model → … → report → commands),
//! so a lower layer never names a higher one. The check reads `src/` as text: every
//! `crate::m` path of the library (in `use` items and inline), outside `#[cfg(test)]`
//! modules, must name a module of the same layer or a lower one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The library's top-level modules, lowest layer first. A module may use modules of its
/// own layer and of the layers before it. The binary (`main.rs`, `cli/`) sits above all.
pub const LAYERS: &[(&str, &[&str])] = &[
    ("foundations", &["error", "tolerance", "rng", "values"]),
    ("writing files", &["write"]),
    ("the engine", &["engine"]),
    ("the model and its rules", &["model", "policy"]),
    ("reading files", &["input"]),
    ("formulation", &["formulate"]),
    ("solving", &["solve"]),
    ("the plan", &["plan"]),
    ("analyses", &["analysis"]),
    ("reports", &["report"]),
    ("tools", &["tools"]),
    ("commands", &["commands"]),
    ("python bindings (feature `python`)", &["python"]),
];

/// The binary's modules: above every layer, so they may use any of them.
const BINARY: &[&str] = &["main", "cli"];

/// Items the crate root re-exports from low layers (`crate::Error` is `crate::error::Error`).
const REEXPORTS: &[&str] = &["Error", "Result", "Model", "Name"];

/// One import that runs against the layer order.
#[derive(Debug, PartialEq)]
pub struct Violation {
    /// The importing file, relative to `src/`.
    pub file: String,
    /// Its line (1-based).
    pub line: usize,
    /// The module it belongs to.
    pub from: String,
    /// The module it names.
    pub to: String,
}

/// The layer of a top-level module of the library, or `None` if undeclared.
fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&module))
}

/// The top-level module a file under `src/` belongs to: `a/b.rs` and `a.rs` → `a`.
fn module_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules named after each `prefix` (`crate::`) on one line, expanding
/// `crate::{a, b::c}` groups.
fn named_modules(line: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => out.push(std::mem::take(&mut item)),
                    _ => item.push(c),
                }
            }
            out.push(item);
        } else {
            out.push(rest.to_string());
        }
    }
    out.iter()
        .map(|p| {
            p.trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|m| !m.is_empty() && m != "self")
        .collect()
}

/// Every import against the layer order in `files` (path relative to `src/`, source).
/// Items marked `#[cfg(test)]` are not read, nor are files of unit tests (`tests.rs`,
/// `read_back.rs`): tests may reach any layer. Modules no layer declares are reported as
/// violations too.
pub fn violations(files: &[(PathBuf, String)]) -> Vec<Violation> {
    let mut out = Vec::new();
    for (rel, text) in files {
        let from = module_of(rel);
        if from == "lib" || is_test_file(rel) {
            continue;
        }
        if BINARY.contains(&from.as_str()) {
            continue; // the binary sits above every layer
        }
        let own = layer_of(&from);
        let mut test_item = TestItem::default();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if test_item.skips(code) || code.starts_with("//") {
                continue;
            }
            for to in named_modules(code, "crate::") {
                let bad = match (own, layer_of(&to)) {
                    (Some(a), Some(b)) => b > a,
                    _ => !REEXPORTS.contains(&to.as_str()),
                };
                if bad {
                    out.push(Violation {
                        file: rel.display().to_string(),
                        line: n + 1,
                        from: from.clone(),
                        to,
                    });
                }
            }
        }
    }
    out
}

/// Where a file is inside an item marked `#[cfg(test)]`: the attribute, then the item,
/// one line ending in `;` (`mod tests;`, a `use`) or a block up to its closing brace.
/// Unit tests may reach any layer; the code around them may not.
#[derive(Default)]
struct TestItem {
    /// After the attribute, before the item's first line.
    pending: bool,
    /// Open braces of the item being skipped.
    depth: usize,
}

impl TestItem {
    /// True when `code` (a trimmed line) belongs to a `#[cfg(test)]` item.
    fn skips(&mut self, code: &str) -> bool {
        if self.depth > 0 {
            self.depth += code.matches('{').count();
            self.depth = self.depth.saturating_sub(code.matches('}').count());
            return true;
        }
        if code.starts_with("#[cfg(test)]") {
            self.pending = true;
            return true;
        }
        if !self.pending {
            return false;
        }
        if code.is_empty() || code.starts_with("#[") || code.starts_with("//") {
            return true;
        }
        self.pending = false;
        let open = code.matches('{').count();
        let close = code.matches('}').count();
        self.depth = open.saturating_sub(close);
        true
    }
}

/// Files that hold only unit tests (declared under `#[cfg(test)]` by their parent).
fn is_test_file(rel: &Path) -> bool {
    rel.file_name()
        .is_some_and(|n| n == "tests.rs" || n == "read_back.rs")
}

/// The crate's sources, relative to `src/`, sorted.
fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), text);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out.into_iter().collect()
}

#[test]
fn no_module_imports_a_higher_layer() {
    let found = violations(&sources());
    let lines: Vec<String> = found
        .iter()
        .map(|v| format!("src/{}:{}: {} uses {}", v.file, v.line, v.from, v.to))
        .collect();
    assert!(
        found.is_empty(),
        "imports against the layer order (tests/it/layers.rs LAYERS):\n{}",
        lines.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_layer() {
    let mut missing: Vec<String> = sources()
        .iter()
        .map(|(rel, _)| module_of(rel))
        .filter(|m| m != "lib" && !BINARY.contains(&m.as_str()) && layer_of(m).is_none())
        .collect();
    missing.dedup();
    assert!(missing.is_empty(), "modules without a layer: {missing:?}");
}

#[test]
fn the_check_catches_an_upward_import() {
    let file = |p: &str, s: &str| (PathBuf::from(p), s.to_string());
    let files = [
        file("model/mod.rs", "use crate::error::Error;\nuse crate::report::words;\n"),
        file("write/csv.rs", "fn f() { crate::tolerance::SNAP; }\n"),
        file(
            "solve/mod.rs",
            "use crate::{formulate::Block, model::Model, commands::x};\n#[cfg(test)]\nmod tests {\n    use crate::report::x;\n}\n#[cfg(test)]\nmod more;\nfn after() { crate::plan::x(); }\n",
        ),
        file("cli/solve.rs", "use sourcemix::report::Table;\nuse crate::cli::x;\n"),
        file("formulate/mod.rs", "use crate::Error;\nuse crate::nowhere::x;\n"),
        file("input/mod.rs", "// crate::report in a comment\nlet s = \"my_crate::report\";\n"),
    ];
    let found = violations(&files);
    let got: Vec<(&str, usize, &str)> = found
        .iter()
        .map(|v| (v.file.as_str(), v.line, v.to.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("model/mod.rs", 2, "report"),
            ("solve/mod.rs", 1, "commands"),
            ("solve/mod.rs", 8, "plan"),
            ("formulate/mod.rs", 2, "nowhere")
        ]
    );
}

//! Every command line the READMEs show runs, so a stale example fails here.
//!
//! The READMEs read are `README.md`, `models/*/README.md`, `data/README.md` and
//! `benches/README.md`. The rules:
//!
//! - **Which blocks.** A fenced block tagged `sh` is an example; its lines run in order.
//!   An untagged block is data (a CSV excerpt), and one that holds a command line
//!   (`sourcemix`, `target/release/sourcemix`, `cargo`) fails the test: tag it `sh`.
//! - **Which lines.** A line ending in `\` is joined with the next. A `#` after
//!   whitespace, outside quotes, starts a comment; a comment holding `exits N` says the
//!   line is expected to end with exit code N (default 0). Then, in this order:
//!   1. `cargo run --release -- ARGS` runs the binary under test with ARGS;
//!   2. any other `cargo` line (`cargo build`, `cargo test`, `cargo bench`, a build with
//!      features) is not run: the binary under test is already built, and `cargo test`
//!      must not recurse;
//!   3. a line with a placeholder is a usage pattern, not an example, and is not run. A
//!      placeholder is a word outside quotes made only of capital letters, digits and `_`
//!      that starts with a letter (`MODEL`, `FILE`, `DIR`, `N`, `MODEL_DIR`), or a word
//!      holding `…`;
//!   4. every other line runs with `sh -c`. Each command in it (split at `&&`, `||`, `;`
//!      and `|`) must start with `sourcemix`, `target/release/sourcemix` or a file tool
//!      of [`SHELL_TOOLS`] (`mkdir -p`, `cp`, `grep -v … >`, `awk … >` preparing a model);
//!      another program fails the test, so nothing is skipped silently.
//! - **What runs.** `sourcemix`, `target/release/sourcemix` and `cargo run --release --`
//!   become `env!("CARGO_BIN_EXE_sourcemix")`, the binary of this build. Each README runs
//!   in a fresh temporary folder holding a copy of the repository's `models/` and `data/`
//!   (without earlier `results/`), so examples never write into the checkout, and every
//!   `/tmp/` in a line is rewritten into that folder's `tmp/`, so runs never collide or
//!   leave files behind. The examples are small (the largest samples 100,000 years:
//!   a fraction of a second), so none is scaled down.
//! - **What is checked.** Only each line's exit code, never its output: numbers are the
//!   READMEs' own business and change with the engine. A block that shows a `sourcemix`
//!   command must run at least one line, and all READMEs together at least
//!   [`LEAST_RUN`] lines, so a block turned into placeholders by mistake fails.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Programs besides sourcemix that an example may run to prepare a model.
const SHELL_TOOLS: &[&str] = &[
    "mkdir", "cp", "grep", "awk", "sed", "head", "tail", "cat", "cut", "sort", "wc", "ls",
];

/// The least number of lines the READMEs together must run (23 when this was written).
const LEAST_RUN: usize = 22;

/// The repository root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The READMEs whose examples run, relative to the root.
fn readmes() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("README.md")];
    let mut models: Vec<PathBuf> = std::fs::read_dir(root().join("models"))
        .expect("models/")
        .map(|e| e.expect("a models/ entry").path())
        .filter(|p| p.join("README.md").is_file())
        .map(|p| {
            Path::new("models")
                .join(p.file_name().unwrap())
                .join("README.md")
        })
        .collect();
    models.sort();
    files.extend(models);
    files.push("data/README.md".into());
    files.push("benches/README.md".into());
    files
}

/// One fenced block: its info string and its lines with their line numbers.
struct Block {
    tag: String,
    lines: Vec<(usize, String)>,
}

/// The fenced blocks of a Markdown text.
fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            match open.take() {
                Some(block) => out.push(block),
                None => {
                    open = Some(Block {
                        tag: info.trim().to_string(),
                        lines: Vec::new(),
                    })
                }
            }
        } else if let Some(block) = open.as_mut() {
            block.lines.push((i + 1, line.to_string()));
        }
    }
    assert!(open.is_none(), "a fenced block is never closed");
    out
}

/// The block's command lines, `\` continuations joined, each with its first line number.
fn joined(block: &Block) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (n, line) in &block.lines {
        let (start, mut text) = pending.take().unwrap_or((*n, String::new()));
        let part = line.trim_end();
        match part.strip_suffix('\\') {
            Some(head) => {
                text.push_str(head);
                text.push(' ');
                pending = Some((start, text));
            }
            None => {
                text.push_str(part);
                if !text.trim().is_empty() {
                    out.push((start, text.trim().to_string()));
                }
            }
        }
    }
    assert!(pending.is_none(), "a block ends in a `\\` continuation");
    out
}

/// Splits `line` at its comment: a `#` after whitespace, outside quotes.
fn split_comment(line: &str) -> (&str, &str) {
    let (mut single, mut double, mut prev) = (false, false, ' ');
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev.is_whitespace() => {
                return (line[..i].trim_end(), &line[i + 1..]);
            }
            _ => {}
        }
        prev = c;
    }
    (line, "")
}

/// The exit code a comment expects: `exits N`, else 0.
fn expected_exit(comment: &str) -> i32 {
    let words: Vec<&str> = comment.split_whitespace().collect();
    words.windows(2).find(|w| w[0] == "exits").map_or(0, |w| {
        w[1].trim_end_matches([',', '.', ';', ')'])
            .parse()
            .expect("exits N")
    })
}

/// Whether `word` is a placeholder (rule 3 of the module's documentation).
fn is_placeholder(word: &str) -> bool {
    let word = word.trim_matches(|c: char| "[](){}'\",".contains(c));
    let caps = word.starts_with(|c: char| c.is_ascii_uppercase())
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    caps || word.contains('…')
}

/// `line` without its quoted parts (an awk program's `NR` is no placeholder).
fn unquoted(line: &str) -> String {
    let (mut out, mut quote) = (String::new(), None);
    for c in line.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, c) => out.push(c),
            (Some(_), _) => {}
        }
    }
    out
}

/// What to do with one command line.
#[derive(Debug, PartialEq)]
enum Plan {
    /// Run this shell line (with `"$SOURCEMIX"` for the binary).
    Run(String),
    /// A `cargo` command other than `cargo run --release --`.
    Cargo,
    /// A usage pattern with placeholders.
    Placeholder,
}

/// The binary's spellings, longest first, as they start a command.
const BINARY_NAMES: &[&str] = &[
    "cargo run --release --",
    "target/release/sourcemix",
    "sourcemix",
];

/// Whether `command` (one simple command) runs sourcemix.
fn runs_sourcemix(command: &str) -> bool {
    let c = command.trim_start();
    BINARY_NAMES
        .iter()
        .any(|b| c == *b || c.starts_with(&format!("{b} ")))
}

/// The simple commands of a shell line: split at `&&`, `||`, `;` and `|` outside quotes.
fn commands(line: &str) -> Vec<String> {
    let (mut out, mut cur) = (Vec::new(), String::new());
    let (mut single, mut double) = (false, false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '&' | '|' | ';' if !single && !double => {
                if matches!(chars.peek(), Some('&') | Some('|')) {
                    chars.next();
                }
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

/// The plan for one command line (comment removed), or why it breaks the rules.
fn plan(line: &str) -> Result<Plan, String> {
    if without_assignments(line).starts_with("cargo ") && !runs_sourcemix(line) {
        return Ok(Plan::Cargo);
    }
    if unquoted(line).split_whitespace().any(is_placeholder) {
        return Ok(Plan::Placeholder);
    }
    for command in commands(line) {
        let program = without_assignments(&command)
            .split_whitespace()
            .next()
            .unwrap_or("");
        if !runs_sourcemix(&command) && !SHELL_TOOLS.contains(&program) {
            return Err(format!(
                "{program:?} is neither sourcemix nor a file tool the test runs"
            ));
        }
    }
    let rewritten = commands_rewritten(line);
    Ok(Plan::Run(rewritten))
}

/// `command` without the environment assignments (`NAME=value`) before its program.
fn without_assignments(command: &str) -> &str {
    let mut rest = command.trim_start();
    while let Some((word, tail)) = rest.split_once(char::is_whitespace) {
        let assignment = word.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if !assignment {
            break;
        }
        rest = tail.trim_start();
    }
    rest
}

/// `line` with each spelling of the binary, where it starts a command, replaced by
/// `"$SOURCEMIX"`.
fn commands_rewritten(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    loop {
        let lead = rest.len() - rest.trim_start().len();
        out.push_str(&rest[..lead]);
        rest = &rest[lead..];
        if let Some(b) = BINARY_NAMES
            .iter()
            .find(|b| rest == **b || rest.starts_with(&format!("{b} ")))
        {
            out.push_str("\"$SOURCEMIX\"");
            rest = &rest[b.len()..];
        }
        // Copy up to and including the next separator, then look again.
        match next_separator(rest) {
            Some(end) => {
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
            None => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// The byte offset just past the next `&&`, `||`, `;` or `|` outside quotes.
fn next_separator(s: &str) -> Option<usize> {
    let (mut single, mut double) = (false, false);
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'&' | b'|' | b';' if !single && !double => {
                let two = i + 1 < bytes.len() && matches!(bytes[i + 1], b'&' | b'|');
                return Some(i + if two { 2 } else { 1 });
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Copies the folder `from` into `to`: regular files and folders only, without results
/// folders (`results/`, `.sourcemix/`) an earlier run left in the checkout.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a copy folder");
    for entry in std::fs::read_dir(from).expect("read a folder to copy") {
        let entry = entry.expect("a folder entry");
        let name = entry.file_name();
        let kind = entry.file_type().expect("a file type");
        if kind.is_dir() && name != "results" && name != ".sourcemix" {
            copy_tree(&entry.path(), &to.join(&name));
        } else if kind.is_file() {
            std::fs::copy(entry.path(), to.join(&name)).expect("copy a file");
        }
    }
}

/// What one README's examples did.
#[derive(Default)]
struct Outcome {
    ran: usize,
    failures: Vec<String>,
}

/// A fresh temporary folder holding a copy of `models/` and `data/`, and its `tmp/` for
/// the examples' `/tmp/` paths.
struct Sandbox {
    work: tempfile::TempDir,
    scratch: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let work = tempfile::tempdir().expect("a temp dir");
        copy_tree(&root().join("models"), &work.path().join("models"));
        copy_tree(&root().join("data"), &work.path().join("data"));
        let scratch = work.path().join("tmp");
        std::fs::create_dir_all(&scratch).expect("create tmp/");
        Sandbox { work, scratch }
    }

    /// Runs a planned shell line with its `/tmp/` paths moved into the sandbox: the line
    /// as run, and its exit code and stderr.
    fn run(&self, shell: &str) -> (String, Option<i32>, String) {
        let shell = shell.replace("/tmp/", &format!("{}/", self.scratch.display()));
        let out = Command::new("sh")
            .arg("-c")
            .arg(&shell)
            .current_dir(self.work.path())
            .env("SOURCEMIX", env!("CARGO_BIN_EXE_sourcemix"))
            .output()
            .expect("run sh");
        let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        (shell, out.status.code(), stderr)
    }
}

/// Runs the lines of an `sh` block in `sandbox`; `at` names a line of the README.
fn run_block(block: &Block, sandbox: &Sandbox, at: &dyn Fn(usize) -> String) -> Outcome {
    let mut outcome = Outcome::default();
    let mut shows_sourcemix = false;
    for (n, line) in &joined(block) {
        let (command, comment) = split_comment(line);
        shows_sourcemix |= commands(command).iter().any(|c| runs_sourcemix(c));
        let shell = match plan(command) {
            Ok(Plan::Run(shell)) => shell,
            Ok(Plan::Cargo | Plan::Placeholder) => continue,
            Err(why) => {
                outcome.failures.push(format!("{}: {why}: {line}", at(*n)));
                continue;
            }
        };
        let expected = expected_exit(comment);
        let (ran, code, stderr) = sandbox.run(&shell);
        outcome.ran += 1;
        if code != Some(expected) {
            outcome.failures.push(format!(
                "{}: {line}\n  ran: {ran}\n  exit {code:?}, expected {expected}\n  stderr: {stderr}",
                at(*n)
            ));
        }
    }
    if shows_sourcemix && outcome.ran == 0 {
        let first = block.lines.first().map_or(0, |(n, _)| *n);
        outcome.failures.push(format!(
            "{}: a block that shows sourcemix runs none of its lines",
            at(first)
        ));
    }
    outcome
}

/// Runs the examples of one README (`rel` from the root) in a sandbox of its own, and
/// checks that its untagged blocks hold no command.
fn run_readme(rel: &Path) -> Outcome {
    let text = std::fs::read_to_string(root().join(rel)).expect("read a README");
    let sandbox = Sandbox::new();
    let at = |n: usize| format!("{}:{n}", rel.display());
    let mut outcome = Outcome::default();
    for block in blocks(&text) {
        if block.tag == "sh" {
            let done = run_block(&block, &sandbox, &at);
            outcome.ran += done.ran;
            outcome.failures.extend(done.failures);
            continue;
        }
        for (n, line) in joined(&block) {
            if runs_sourcemix(&line) || line.starts_with("cargo ") {
                outcome.failures.push(format!(
                    "{}: a command in a block not tagged `sh`: {line}",
                    at(n)
                ));
            }
        }
    }
    outcome
}

#[test]
fn every_readme_example_runs() {
    let (mut ran, mut failures) = (0, Vec::new());
    for rel in readmes() {
        let outcome = run_readme(&rel);
        ran += outcome.ran;
        failures.extend(outcome.failures);
    }
    eprintln!("{ran} README lines ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        ran >= LEAST_RUN,
        "only {ran} README lines ran; at least {LEAST_RUN} were expected"
    );
}

#[test]
fn lines_are_classified_by_the_stated_rules() {
    let run = |s: &str| Plan::Run(s.to_string());
    assert_eq!(
        plan("cargo run --release -- solve models/x"),
        Ok(run("\"$SOURCEMIX\" solve models/x"))
    );
    assert_eq!(plan("cargo test"), Ok(Plan::Cargo));
    assert_eq!(plan("cargo build --release"), Ok(Plan::Cargo));
    assert_eq!(plan("SOURCEMIX_BENCH_LARGE=1 cargo bench"), Ok(Plan::Cargo));
    assert_eq!(
        plan("sourcemix solve MODEL --robust"),
        Ok(Plan::Placeholder)
    );
    assert_eq!(
        plan("sourcemix bench --solvers A,B,…"),
        Ok(Plan::Placeholder)
    );
    assert_eq!(
        plan("mkdir -p /tmp/a && cp models/x/*.csv /tmp/a/"),
        Ok(run("mkdir -p /tmp/a && cp models/x/*.csv /tmp/a/"))
    );
    assert_eq!(
        plan("target/release/sourcemix solve /tmp/a | head -3"),
        Ok(run("\"$SOURCEMIX\" solve /tmp/a | head -3"))
    );
    let awk = "awk -F, 'NR > 1 { $7 = 0 } 1' models/x/s.csv > /tmp/a/s.csv";
    assert_eq!(plan(awk), Ok(run(awk)));
    assert!(plan("python3 benches/reference.py models/x").is_err());
    assert!(plan("mkdir -p /tmp/a && rm -rf /tmp/a").is_err());
    assert_eq!(
        split_comment("sourcemix solve m   # exits 3"),
        ("sourcemix solve m", " exits 3")
    );
    assert_eq!(split_comment("grep -v '^#x' f"), ("grep -v '^#x' f", ""));
    assert_eq!(expected_exit(" exits 3"), 3);
    assert_eq!(expected_exit(" writes stress.csv too"), 0);
    let block = Block {
        tag: "sh".into(),
        lines: vec![(1, "a \\".into()), (2, "  b".into()), (3, "c".into())],
    };
    assert_eq!(joined(&block), vec![(1, "a    b".into()), (3, "c".into())]);
}

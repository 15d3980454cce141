//! The document around a page's sections: the head (charset, the Content-Security-Policy
//! that forbids every fetch, the print style for A4), the title, and the footer with the
//! input files' hashes and the sourcemix version.

use super::escape::escape;
use super::hashes::InputFile;

/// What the browser may load: nothing but the page's own inline style (`default-src
/// 'none'` blocks scripts, fonts, images, frames and connections; a blocked fetch is a
/// logged violation).
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// Screen and print style: system fonts only, A4 pages, charts and tables not split.
const STYLE: &str = "\
@page { size: A4; margin: 14mm; }
body { font-family: sans-serif; font-size: 11pt; max-width: 180mm; margin: 1em auto; color: #111; }
h1 { font-size: 18pt; margin-bottom: 0.2em; }
h2 { font-size: 14pt; border-bottom: 1px solid #999; margin-top: 1.4em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 8pt; width: 100%; }
th, td { border: 1px solid #bbb; padding: 2px 4px; text-align: right; }
th, td { overflow-wrap: anywhere; }
figcaption { font-size: 9pt; color: #444; }
th:first-child, td:first-child { text-align: left; }
dl.headline { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; }
dl.headline dt { font-weight: bold; }
dl.headline dd { margin: 0; }
figure { margin: 0.8em 0; }
svg { max-width: 100%; height: auto; }
figure, table, dl { break-inside: avoid; page-break-inside: avoid; }
.hash { font-family: monospace; font-size: 8pt; word-break: break-all; }
";

/// A page being built: its title and its sections in order.
#[derive(Debug, Clone, Default)]
pub struct Page {
    title: String,
    body: String,
}

impl Page {
    /// An empty page titled `title`.
    pub fn new(title: &str) -> Self {
        Page {
            title: title.to_string(),
            body: String::new(),
        }
    }

    /// Appends a section with id `id`, heading `heading` and body `html` (already HTML).
    pub fn section(&mut self, id: &str, heading: &str, html: &str) -> &mut Self {
        self.body.push_str(&format!(
            "<section id=\"{id}\">\n<h2>{}</h2>\n{html}</section>\n",
            escape(heading)
        ));
        self
    }

    /// The whole document, ending with the input files and the version.
    pub fn finish(&self, inputs: &[InputFile]) -> String {
        let title = escape(&self.title);
        let mut files = String::from(
            "<table id=\"t-inputs\"><thead><tr><th>file</th><th>sha256</th></tr></thead><tbody>\n",
        );
        for f in inputs {
            files.push_str(&format!(
                "<tr><td class=\"file\">{}</td><td class=\"hash\">{}</td></tr>\n",
                escape(&f.path.display().to_string()),
                f.sha256
            ));
        }
        files.push_str("</tbody></table>\n");
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
             <h1>{title}</h1>\n{}<section id=\"inputs\">\n<h2>Input files</h2>\n{files}\
             <p id=\"version\">sourcemix {}</p>\n</section>\n</body>\n</html>\n",
            self.body,
            env!("CARGO_PKG_VERSION")
        )
    }
}

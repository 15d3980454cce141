//! Text and attribute values made safe to put into the page.

/// `s` with `&`, `<`, `>`, `"` and `'` replaced by their character references, safe in
/// element text and in quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// `s` as an id fragment: ASCII letters, digits, `-` and `_` kept, every other byte
/// written as `.XX` (hex), so distinct names give distinct ids.
pub fn id_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            out.push_str(&format!(".{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x&y")</script> O'Neil"#),
            "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt; O&#39;Neil"
        );
        assert_eq!(escape("Côte d’Ivoire"), "Côte d’Ivoire");
    }

    #[test]
    fn id_parts_keep_names_apart() {
        assert_eq!(id_part("rare_earths"), "rare_earths");
        assert_eq!(id_part("a b"), "a.20b");
        assert_ne!(id_part("a.b"), id_part("a_b"));
        assert_eq!(id_part("é"), ".C3.A9");
    }
}

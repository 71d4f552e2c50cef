//! The askama escaper for `.tf` templates: any value becomes the inside of an HCL quoted string.

use std::fmt::{self, Write};

/// Escapes text for the inside of an HCL `"..."` literal: quotes, backslashes, template
/// introducers (`${`, `%{`) and every control character, so a value can never end its string.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hcl;

impl askama::filters::Escaper for Hcl {
    fn write_escaped_str<W: Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        // Every character that needs escaping is ASCII, or a C1 control (0xC2 0x80-0x9F in UTF-8):
        // the text between them is written as it is, in one piece.
        let bytes = string.as_bytes();
        let (mut start, mut at) = (0, 0);
        while at < bytes.len() {
            let next = bytes.get(at + 1).copied();
            let special = match bytes[at] {
                b'"' | b'\\' | 0x00..=0x1f | 0x7f => true,
                b'$' | b'%' => next == Some(b'{'),
                0xc2 => matches!(next, Some(0x80..=0x9f)),
                _ => false,
            };
            if !special {
                at += 1;
                continue;
            }
            dest.write_str(&string[start..at])?;
            let c = string[at..].chars().next().unwrap_or_default();
            match c {
                '"' => dest.write_str("\\\"")?,
                '\\' => dest.write_str("\\\\")?,
                '\n' => dest.write_str("\\n")?,
                '\r' => dest.write_str("\\r")?,
                '\t' => dest.write_str("\\t")?,
                // `$${` and `%%{` are HCL's escapes for a literal `${` / `%{`.
                '$' | '%' => {
                    dest.write_char(c)?;
                    dest.write_char(c)?;
                }
                c => write!(dest, "\\u{:04x}", c as u32)?,
            }
            at += c.len_utf8();
            start = at;
        }
        dest.write_str(&string[start..])
    }
}

/// Escapes `s` as [`Hcl`] does, for code that builds HCL outside a template.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    askama::filters::Escaper::write_escaped_str(&Hcl, &mut out, s).expect("writing to a String");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn dangerous_sequences_are_neutralised() {
        assert_eq!(escape(r#"a"b"#), r#"a\"b"#);
        assert_eq!(escape(r"a\b"), r"a\\b");
        assert_eq!(escape("${var.x}"), "$${var.x}");
        assert_eq!(escape("%{ if true }"), "%%{ if true }");
        assert_eq!(escape("a\nb\r\t"), r"a\nb\r\t");
        assert_eq!(escape("\u{1}\u{7f}"), r"\u0001\u007f");
        assert_eq!(escape("a\u{85}b\u{9f}\u{a0}"), "a\\u0085b\\u009f\u{a0}");
        assert_eq!(escape("$$${"), "$$$${");
        assert_eq!(escape("naïve ☃ $ % {"), "naïve ☃ $ % {");
    }
}

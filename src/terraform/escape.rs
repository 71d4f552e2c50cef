//! The askama escaper for `.tf` templates: any value becomes the inside of an HCL quoted string.

use std::fmt::{self, Write};

/// Escapes text for the inside of an HCL `"..."` literal: quotes, backslashes, template
/// introducers (`${`, `%{`) and every control character, so a value can never end its string.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hcl;

impl askama::filters::Escaper for Hcl {
    fn write_escaped_str<W: Write>(&self, mut dest: W, string: &str) -> fmt::Result {
        let mut chars = string.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' => dest.write_str("\\\"")?,
                '\\' => dest.write_str("\\\\")?,
                '\n' => dest.write_str("\\n")?,
                '\r' => dest.write_str("\\r")?,
                '\t' => dest.write_str("\\t")?,
                // `$${` and `%%{` are HCL's escapes for a literal `${` / `%{`.
                '$' | '%' if chars.peek() == Some(&'{') => {
                    dest.write_char(c)?;
                    dest.write_char(c)?;
                }
                c if c.is_control() => write!(dest, "\\u{:04x}", c as u32)?,
                c => dest.write_char(c)?,
            }
        }
        Ok(())
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
        assert_eq!(escape("$$${"), "$$$${");
        assert_eq!(escape("naïve ☃ $ % {"), "naïve ☃ $ % {");
    }
}

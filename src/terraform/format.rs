//! A small canonical formatter for the HCL our templates produce, matching `terraform fmt`:
//! two-space indentation by bracket depth, `=` aligned across consecutive single-line
//! attributes (a multi-line value, a block, a blank line or a comment ends the run), no
//! trailing spaces, no blank line at the edges of a body, and one newline at the end.
//! It only moves whitespace outside string literals, so escaped values are untouched.

/// Formats rendered HCL as `terraform fmt` would lay it out.
pub fn format_hcl(src: &str) -> String {
    format_checked(src).0
}

/// Formats a run of whole top-level blocks as [`format_hcl`] formats them inside a file, or `None`
/// when its brackets do not balance (it is not such a run). Formatting a file run by run, joined
/// with one blank line where the source had one, gives the file's formatting: every run starts
/// and ends at depth zero, where no alignment run or blank-line rule reaches across.
pub(crate) fn format_blocks(src: &str) -> Option<String> {
    match format_checked(src) {
        (out, true) => Some(out),
        (_, false) => None,
    }
}

/// The formatted text, and whether every bracket it opens it closes (and none more).
fn format_checked(src: &str) -> (String, bool) {
    let lines: Vec<Line> = src.lines().map(|l| Line::scan(l.trim())).collect();
    let lines = drop_redundant_blanks(lines);
    let (indents, balanced) = indent_levels(&lines);
    let widths = align_widths(&lines, &indents);
    let mut out = String::with_capacity(src.len());
    for ((line, indent), width) in lines.iter().zip(indents).zip(widths) {
        if line.text.is_empty() {
            out.push('\n');
            continue;
        }
        out.push_str(&"  ".repeat(indent));
        match (line.assign, width) {
            (Some(eq), Some(width)) => {
                let key = line.text[..eq].trim_end();
                let value = line.text[eq + 1..].trim_start();
                out.push_str(key);
                out.push_str(&" ".repeat(width - key.chars().count() + 1));
                out.push_str("= ");
                out.push_str(value);
            }
            _ => out.push_str(&line.text),
        }
        out.push('\n');
    }
    (out, balanced)
}

struct Line {
    text: String,
    /// Net change in bracket depth, counted outside string literals.
    net: i32,
    /// Whether the line starts by closing a bracket.
    closes_first: bool,
    /// Byte offset of the `=` of a single-line attribute.
    assign: Option<usize>,
}

impl Line {
    fn scan(text: &str) -> Line {
        let mut net = 0;
        let mut first_bracket: Option<i32> = None;
        let mut assign = None;
        let mut in_string = false;
        let mut escaped = false;
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            let change = match b {
                b'"' => {
                    in_string = true;
                    0
                }
                b'{' | b'[' | b'(' => 1,
                b'}' | b']' | b')' => -1,
                b'=' if assign.is_none() && i > 0 && net == 0 => {
                    let prev = bytes[i - 1];
                    let next = bytes.get(i + 1).copied().unwrap_or(b' ');
                    if !matches!(prev, b'=' | b'!' | b'<' | b'>') && !matches!(next, b'=' | b'>') {
                        assign = Some(i);
                    }
                    0
                }
                _ => 0,
            };
            if change != 0 && first_bracket.is_none() {
                first_bracket = Some(change);
            }
            net += change;
        }
        let is_comment = text.starts_with('#') || text.starts_with("//");
        let closes_first = text.starts_with(['}', ']', ')']);
        let assign = if net == 0 && !is_comment { assign } else { None };
        Line { text: text.to_owned(), net, closes_first, assign }
    }
}

fn drop_redundant_blanks(lines: Vec<Line>) -> Vec<Line> {
    let mut kept: Vec<Line> = Vec::with_capacity(lines.len());
    for line in lines {
        let blank = line.text.is_empty();
        let prev_blank_or_opener = kept.last().is_none_or(|p: &Line| p.text.is_empty() || p.net > 0);
        if blank && prev_blank_or_opener {
            continue;
        }
        if line.closes_first && kept.last().is_some_and(|p| p.text.is_empty()) {
            kept.pop();
        }
        kept.push(line);
    }
    while kept.last().is_some_and(|l| l.text.is_empty()) {
        kept.pop();
    }
    kept
}

/// hclwrite's rule: a line that opens brackets is indented at the current depth and deepens
/// it; a line that closes them is indented at the depth after closing. Also answers whether the
/// lines end at depth zero without closing more than they opened.
fn indent_levels(lines: &[Line]) -> (Vec<usize>, bool) {
    let mut stack: Vec<i32> = Vec::new();
    let mut out = Vec::with_capacity(lines.len());
    let mut underflow = false;
    for line in lines {
        if line.net > 0 {
            out.push(stack.len());
            stack.push(line.net);
        } else {
            let mut closed = -line.net;
            while closed > 0 {
                match stack.last_mut() {
                    Some(top) if *top > closed => {
                        *top -= closed;
                        closed = 0;
                    }
                    Some(top) => {
                        closed -= *top;
                        stack.pop();
                    }
                    None => {
                        underflow = true;
                        break;
                    }
                }
            }
            out.push(stack.len());
        }
    }
    let balanced = !underflow && stack.is_empty();
    (out, balanced)
}

/// For each attribute line, the key width of its run of consecutive attribute lines.
fn align_widths(lines: &[Line], indents: &[usize]) -> Vec<Option<usize>> {
    let mut widths = vec![None; lines.len()];
    let mut start = 0;
    while start < lines.len() {
        if lines[start].assign.is_none() {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < lines.len() && lines[end].assign.is_some() && indents[end] == indents[start] {
            end += 1;
        }
        let key_width = |l: &Line| l.text[..l.assign.unwrap_or(0)].trim_end().chars().count();
        let width = lines[start..end].iter().map(key_width).max().unwrap_or(0);
        for w in &mut widths[start..end] {
            *w = Some(width);
        }
        start = end;
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::format_hcl;

    #[test]
    fn aligns_consecutive_attributes_and_breaks_on_blocks() {
        let src = "resource \"a\" \"b\" {\nname = \"x\"\nmachine_type   = \"e2\"\ntags = {\n\"k\" = \"v\"\n\"long-key\" = \"w\"\n}\nzone = \"z\"\n\n\nboot_disk {\nsize = 10\n}\n\n}\n\n";
        let want = "resource \"a\" \"b\" {\n  name         = \"x\"\n  machine_type = \"e2\"\n  tags = {\n    \"k\"        = \"v\"\n    \"long-key\" = \"w\"\n  }\n  zone = \"z\"\n\n  boot_disk {\n    size = 10\n  }\n}\n";
        assert_eq!(format_hcl(src), want);
    }

    #[test]
    fn ignores_brackets_and_equals_inside_strings() {
        let src = "x {\na = \"{ [ = \\\" }\"\nbb = [\"a\", \"b\"]\nc = \"${var.p}.svc\"\n}\n";
        let want = "x {\n  a  = \"{ [ = \\\" }\"\n  bb = [\"a\", \"b\"]\n  c  = \"${var.p}.svc\"\n}\n";
        assert_eq!(format_hcl(src), want);
    }

    #[test]
    fn is_idempotent_and_leaves_comparisons_alone() {
        let src = "locals {\n  ok = 1 == 1\n  long_name = 2\n}\n";
        let once = format_hcl(src);
        assert_eq!(once, "locals {\n  ok        = 1 == 1\n  long_name = 2\n}\n");
        assert_eq!(format_hcl(&once), once);
    }
}

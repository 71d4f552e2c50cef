//! An embed that cannot break Discord's limits, whatever goes in: at most 25 fields, 256
//! characters a title or field name, 1,024 a field value, 4,096 the description, 6,000 in all.
//! Fields that do not fit are counted and summarised in one last field, never silently lost.

use serenity::all::{Colour, CreateEmbed, CreateEmbedFooter};

/// Fields in one embed.
pub const MAX_FIELDS: usize = 25;
/// Characters in one field value.
pub const MAX_FIELD_VALUE: usize = 1024;
/// Characters in a whole embed.
pub const MAX_EMBED_TOTAL: usize = 6000;
/// Characters in a title or a field name.
pub const MAX_TITLE: usize = 256;
/// Characters in the description.
pub const MAX_DESCRIPTION: usize = 4096;
/// Kept below the 6,000 total so the footer and the summary field always fit.
const BUDGET: usize = 5400;
/// Characters in the footer (ours are short; this bounds a long session id or hint).
const MAX_FOOTER: usize = 300;

/// Colours by meaning.
pub mod colour {
    use serenity::all::Colour;

    /// Allowed, deployed.
    pub const GOOD: Colour = Colour::from_rgb(0x2e, 0xcc, 0x71);
    /// Needs approval, a warning.
    pub const WARN: Colour = Colour::from_rgb(0xf3, 0x9c, 0x12);
    /// Denied, refused, failed.
    pub const BAD: Colour = Colour::from_rgb(0xe7, 0x4c, 0x3c);
    /// Information.
    pub const INFO: Colour = Colour::from_rgb(0x58, 0x65, 0xf2);
    /// Ended without effect.
    pub const DONE: Colour = Colour::from_rgb(0x95, 0xa5, 0xa6);
}

/// An embed being built within the limits.
pub struct Embed {
    title: String,
    description: Option<String>,
    colour: Colour,
    fields: Vec<(String, String, bool)>,
    footer: Option<String>,
    used: usize,
    dropped: usize,
    more: &'static str,
}

impl Embed {
    /// An embed with a title; `more` is what the summary of dropped fields suggests.
    pub fn new(title: &str, colour: Colour) -> Embed {
        let title = truncate(title, MAX_TITLE);
        Embed {
            used: title.chars().count(),
            title,
            description: None,
            colour,
            fields: Vec::new(),
            footer: None,
            dropped: 0,
            more: "not shown",
        }
    }

    /// The description (at most 1,000 characters, so fields keep room).
    pub fn description(mut self, text: &str) -> Embed {
        let text = truncate(text, MAX_DESCRIPTION.min(1000));
        self.used += text.chars().count();
        self.description = Some(text);
        self
    }

    /// What the summary of dropped fields says after the count (`not shown; see /cloud-quota`).
    pub fn more_hint(mut self, hint: &'static str) -> Embed {
        self.more = hint;
        self
    }

    /// The footer.
    pub fn footer(mut self, text: &str) -> Embed {
        self.footer = Some(truncate(text, MAX_FOOTER));
        self
    }

    /// Adds a field if it fits; otherwise counts it as dropped.
    pub fn field(&mut self, name: &str, value: &str, inline: bool) {
        let name = truncate(if name.trim().is_empty() { "\u{200b}" } else { name }, MAX_TITLE);
        let value = truncate(if value.trim().is_empty() { "-" } else { value }, MAX_FIELD_VALUE);
        let cost = name.chars().count() + value.chars().count();
        if self.fields.len() >= MAX_FIELDS - 1 || self.used + cost > BUDGET {
            self.dropped += 1;
            return;
        }
        self.used += cost;
        self.fields.push((name, value, inline));
    }

    /// Fields added so far (not counting dropped ones).
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether no field was added.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The embed, with one last field summarising what did not fit.
    pub fn build(mut self) -> CreateEmbed {
        if self.dropped > 0 {
            let more = format!("{} more item(s) {}", self.dropped, self.more);
            self.fields.push(("…".into(), truncate(&more, MAX_FIELD_VALUE), false));
        }
        let mut embed = CreateEmbed::new().title(self.title).colour(self.colour);
        if let Some(d) = self.description {
            embed = embed.description(d);
        }
        for (name, value, inline) in self.fields {
            embed = embed.field(name, value, inline);
        }
        if let Some(f) = self.footer {
            embed = embed.footer(CreateEmbedFooter::new(f));
        }
        embed
    }
}

/// Lines joined with newlines up to `max` characters, ending with `… N more` when cut.
pub fn join_within(lines: &[String], max: usize) -> String {
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let more = format!("\n… {} more", lines.len() - i);
        if out.chars().count() + line.chars().count() + 1 + more.len() > max {
            out.push_str(more.trim_start_matches('\n'));
            return out;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

/// At most `max` characters, the last one `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

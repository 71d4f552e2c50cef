//! Previous/Next buttons for lists longer than one embed. The button's `custom_id` holds everything
//! needed to show the page again — `page:v1:<page>:<list>:<option>:<option>` — so a page button works
//! after a restart, on any process: a click rebuilds the command from the id through the same
//! parser as a typed command (`Command::from_options`), runs it for the member who clicked (so their
//! rights are checked again) and renders the page asked for.

use serenity::all::{ButtonStyle, CreateActionRow, CreateButton};

use crate::commands::Reply;

const PREFIX: &str = "page:v1:";
/// Discord's limit on a `custom_id`.
const MAX_ID: usize = 100;

/// The lists that paginate: a short code, the command form, and the options kept in the id (in order).
const LISTS: [(&str, &str, &[&str]); 5] = [
    ("l", "cloud-list", &["project_id", "resource_type"]),
    ("q", "cloud-quota", &["project_id"]),
    ("p", "cloud-projects", &[]),
    ("y", "cloud-policy list", &[]),
    ("h", "cloud-history", &["project_id", "limit"]),
];

/// The command a list came from: what a page button runs again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    code: &'static str,
    /// The command form (`cloud-policy list`).
    pub form: &'static str,
    /// Its options, in the order the id keeps them (an empty value: not given).
    values: Vec<String>,
}

impl Source {
    /// The source of a command invocation, when it is a list; `None` otherwise, or when an option's
    /// value cannot be kept in an id (it holds a `:`).
    pub fn of(form: &str, pairs: &[(String, String)]) -> Option<Source> {
        let form = form.trim().trim_start_matches('/').to_ascii_lowercase();
        let (code, form, names) = LISTS.iter().find(|(_, f, _)| *f == form)?;
        let values: Vec<String> = names
            .iter()
            .map(|n| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim().to_owned()).unwrap_or_default())
            .collect();
        if values.iter().any(|v| v.contains(':')) {
            return None;
        }
        Some(Source { code, form, values })
    }

    /// The options to run the command with again.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let (_, _, names) = LISTS.iter().find(|(c, ..)| *c == self.code).expect("a source's code is one of LISTS");
        names
            .iter()
            .zip(&self.values)
            .filter(|(_, v)| !v.is_empty())
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect()
    }

    /// The id of a button showing page `page`; `None` when it would be longer than Discord allows.
    pub fn custom_id(&self, page: usize) -> Option<String> {
        let mut id = format!("{PREFIX}{page}:{}", self.code);
        for v in &self.values {
            id.push(':');
            id.push_str(v);
        }
        (id.len() <= MAX_ID).then_some(id)
    }
}

/// Parses a page button's id into its source and page; anything else is `None`.
pub fn parse(custom_id: &str) -> Option<(Source, usize)> {
    if custom_id.len() > MAX_ID {
        return None;
    }
    let rest = custom_id.strip_prefix(PREFIX)?;
    let mut parts = rest.split(':');
    let page_text = parts.next()?;
    if page_text.is_empty() || !page_text.bytes().all(|b| b.is_ascii_digit()) || page_text.len() > 6 {
        return None;
    }
    let page = page_text.parse().ok()?;
    let code = parts.next()?;
    let (code, form, names) = LISTS.iter().find(|(c, ..)| *c == code)?;
    let values: Vec<String> = parts.map(str::to_owned).collect();
    if values.len() != names.len() {
        return None;
    }
    Some((Source { code, form, values }, page))
}

/// How many pages a reply has (1 for a reply that is not a list).
pub fn count(reply: &Reply) -> usize {
    super::render::items(reply).div_ceil(super::render::PAGE_SIZE).max(1)
}

/// The Previous/Next row for page `page` of `reply`; `None` for a reply of one page.
pub fn buttons(reply: &Reply, page: usize, source: &Source) -> Option<CreateActionRow> {
    let pages = count(reply);
    if pages < 2 {
        return None;
    }
    let page = page.min(pages - 1);
    let previous = page.saturating_sub(1);
    let next = (page + 1).min(pages - 1);
    Some(CreateActionRow::Buttons(vec![
        CreateButton::new(source.custom_id(previous)?)
            .label("◀ Previous")
            .style(ButtonStyle::Secondary)
            .disabled(page == 0),
        CreateButton::new(source.custom_id(next)?)
            .label("Next ▶")
            .style(ButtonStyle::Secondary)
            .disabled(page + 1 == pages),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn ids_round_trip_and_keep_only_declared_options() {
        let source =
            Source::of("cloud-list", &pairs(&[("project_id", "gcp-abc123"), ("resource_type", "vm")])).unwrap();
        let id = source.custom_id(3).unwrap();
        assert_eq!(id, "page:v1:3:l:gcp-abc123:vm");
        let (back, page) = parse(&id).unwrap();
        assert_eq!((back.form, page), ("cloud-list", 3));
        assert_eq!(back.pairs(), pairs(&[("project_id", "gcp-abc123"), ("resource_type", "vm")]));

        let policies = Source::of("cloud-policy list", &[]).unwrap();
        assert_eq!(parse(&policies.custom_id(0).unwrap()).unwrap().0.pairs(), Vec::new());
        let list = Source::of("cloud-list", &pairs(&[("project_id", "gcp-abc123")])).unwrap();
        assert_eq!(parse(&list.custom_id(1).unwrap()).unwrap().0.pairs(), pairs(&[("project_id", "gcp-abc123")]));
    }

    #[test]
    fn other_commands_and_forged_ids_are_refused() {
        assert_eq!(Source::of("cloud-deploy", &[]), None);
        assert_eq!(Source::of("cloud-list", &pairs(&[("project_id", "a:b")])), None);
        let long = Source::of("cloud-list", &pairs(&[("project_id", &"x".repeat(100))])).unwrap();
        assert_eq!(long.custom_id(0), None, "longer than Discord allows");
        for bad in [
            "",
            "page:v2:0:l:gcp-abc123:",
            "page:v1:x:l:gcp-abc123:",
            "page:v1:-1:q:gcp-abc123",
            "page:v1:0:z:gcp-abc123",
            "page:v1:0:q",
            "page:v1:0:q:gcp-abc123:extra",
            "page:v1:99999999:p",
            &format!("page:v1:0:q:{}", "x".repeat(100)),
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}

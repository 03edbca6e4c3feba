//! OneNote's query options (docs/protocol.md §10.4), parsed from the raw query string: `$top`, `$skip`,
//! `$select`, `$expand` (with nested `$expand`, `$select` and `$levels`), `$orderby`, `$filter`,
//! `$count`, and the OneNote parameters `pagelevel` and `includeIDs`. The `$` is optional, as in
//! OneNote's own examples. Errors, all 400 with OneNote codes:
//! * 20143 — malformed values, unknown properties, duplicated options;
//! * 20108 — options OneNote does not support (`$search` was decommissioned, `$format`, …);
//! * 20129 — `$top` above 100 on page lists; 20104 — `pagelevel` where it is not allowed;
//! * 20103 / 20142 / 20144 — expanding something the entity lacks, a cycle, or a plain property.

use super::super::error::GraphError;
use super::filter::{self, Expr};

/// The most items one page of a page list may have.
pub const MAX_PAGE_TOP: usize = 100;
/// The page size of page lists when the caller gives no `$top`.
pub const DEFAULT_PAGE_TOP: usize = 20;

/// Parsed query options.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub top: Option<usize>,
    pub skip: usize,
    pub select: Option<Vec<String>>,
    pub expand: Vec<Expand>,
    /// (property path, descending)
    pub orderby: Vec<(String, bool)>,
    pub filter: Option<Expr>,
    pub count: bool,
    pub pagelevel: bool,
    pub include_ids: bool,
    pub include_ink: bool,
    /// The raw `key=value` pairs except `$skip`, for `@odata.nextLink`.
    pub raw_without_skip: Vec<String>,
}

/// One `$expand` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expand {
    pub name: String,
    pub select: Option<Vec<String>>,
    pub expand: Vec<Expand>,
    /// `$levels`: `None` = 1; `Some(u32::MAX)` = max.
    pub levels: Option<u32>,
}

/// Parses the query string of a OneNote request.
pub fn parse(raw: Option<&str>) -> Result<Query, GraphError> {
    let mut query = Query::default();
    let mut seen: Vec<String> = Vec::new();
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = url::form_urlencoded::parse(pair.as_bytes())
            .next()
            .unwrap_or_default();
        let name = key.trim_start_matches('$').to_ascii_lowercase();
        let dollar = key.starts_with('$');
        let known = matches!(
            name.as_str(),
            "top" | "skip" | "select" | "expand" | "orderby" | "filter" | "count"
        );
        if known {
            if seen.contains(&name) {
                return Err(GraphError::invalid_odata(format!(
                    "${name} is given twice."
                )));
            }
            seen.push(name.clone());
        }
        if name != "skip" {
            query.raw_without_skip.push(pair.to_string());
        }
        let value = value.trim();
        match name.as_str() {
            "top" => query.top = Some(number("$top", value)?),
            "skip" => query.skip = number("$skip", value)?,
            "select" => query.select = Some(property_list("$select", value)?),
            "expand" => query.expand = parse_expand(value, 0)?,
            "orderby" => query.orderby = parse_orderby(value)?,
            "filter" => {
                query.filter = Some(
                    filter::parse(value)
                        .map_err(|e| GraphError::invalid_odata(format!("$filter: {e}.")))?,
                )
            }
            "count" => {
                query.count = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(GraphError::invalid_odata("$count must be true or false.")),
                }
            }
            "pagelevel" => query.pagelevel = value.eq_ignore_ascii_case("true"),
            "includeids" => query.include_ids = value.eq_ignore_ascii_case("true"),
            "includeinkml" => query.include_ink = value.eq_ignore_ascii_case("true"),
            _ if dollar => {
                return Err(GraphError::onenote(
                    axum::http::StatusCode::BAD_REQUEST,
                    20108,
                    format!("Your request contains unsupported OData query parameters: {key}."),
                ));
            }
            // Other parameters (e.g. `preAuthenticated`) do not change what the emulator returns.
            _ => {}
        }
    }
    Ok(query)
}

fn number(option: &str, value: &str) -> Result<usize, GraphError> {
    value
        .parse::<usize>()
        .ok()
        .filter(|n| *n <= 1_000_000)
        .ok_or_else(|| {
            GraphError::invalid_odata(format!("{option} must be a non-negative integer."))
        })
}

fn property_list(option: &str, value: &str) -> Result<Vec<String>, GraphError> {
    let names: Vec<String> = value.split(',').map(|s| s.trim().to_string()).collect();
    if names.iter().any(|n| !is_name(n)) {
        return Err(GraphError::invalid_odata(format!(
            "{option} has an invalid term."
        )));
    }
    Ok(names)
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '/')
}

fn parse_orderby(value: &str) -> Result<Vec<(String, bool)>, GraphError> {
    value
        .split(',')
        .map(|item| {
            let mut words = item.split_whitespace();
            let name = words.next().unwrap_or("");
            let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(GraphError::invalid_odata(format!(
                        "$orderby direction '{other}' is not asc or desc."
                    )));
                }
            };
            if words.next().is_some() || !is_name(name) {
                return Err(GraphError::invalid_odata(format!(
                    "$orderby term '{}' is invalid.",
                    item.trim()
                )));
            }
            Ok((name.to_string(), descending))
        })
        .collect()
}

/// Splits at `sep` outside parentheses.
fn split_top_level(value: &str, sep: char) -> Result<Vec<&str>, GraphError> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err(GraphError::invalid_odata(
                        "$expand has an unbalanced parenthesis.",
                    ));
                }
            }
            c if c == sep && depth == 0 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(GraphError::invalid_odata(
            "$expand has an unbalanced parenthesis.",
        ));
    }
    parts.push(&value[start..]);
    Ok(parts)
}

fn parse_expand(value: &str, depth: usize) -> Result<Vec<Expand>, GraphError> {
    if depth > 8 {
        return Err(GraphError::invalid_odata("$expand is nested too deeply."));
    }
    let mut items = Vec::new();
    for item in split_top_level(value, ',')? {
        let item = item.trim();
        let (name, options) = match item.find('(') {
            Some(open) if item.ends_with(')') => {
                (&item[..open], Some(&item[open + 1..item.len() - 1]))
            }
            Some(_) => {
                return Err(GraphError::invalid_odata(format!(
                    "$expand term '{item}' is invalid."
                )));
            }
            None => (item, None),
        };
        let name = name.trim();
        if !is_name(name) || name.contains('/') {
            return Err(GraphError::invalid_odata(format!(
                "$expand term '{item}' is invalid."
            )));
        }
        let mut expand = Expand {
            name: name.to_string(),
            select: None,
            expand: Vec::new(),
            levels: None,
        };
        for option in split_top_level(options.unwrap_or(""), ';')?
            .into_iter()
            .map(str::trim)
            .filter(|o| !o.is_empty())
        {
            let (key, val) = option.split_once('=').ok_or_else(|| {
                GraphError::invalid_odata(format!("$expand option '{option}' is invalid."))
            })?;
            match key
                .trim()
                .trim_start_matches('$')
                .to_ascii_lowercase()
                .as_str()
            {
                "select" => expand.select = Some(property_list("$select", val.trim())?),
                "expand" => expand.expand = parse_expand(val.trim(), depth + 1)?,
                "levels" => {
                    expand.levels = Some(if val.trim().eq_ignore_ascii_case("max") {
                        u32::MAX
                    } else {
                        val.trim()
                            .parse::<u32>()
                            .ok()
                            .filter(|n| *n >= 1)
                            .ok_or_else(|| {
                                GraphError::invalid_odata(
                                    "$levels must be a positive integer or max.",
                                )
                            })?
                    })
                }
                other => {
                    return Err(GraphError::invalid_odata(format!(
                        "$expand option '{other}' is not supported."
                    )));
                }
            }
        }
        items.push(expand);
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_with_or_without_dollar() {
        let q = parse(Some("top=5&$skip=10&$select=id,title&$orderby=title desc,id&$count=true&pagelevel=true&includeIDs=true&%24filter=title%20eq%20%27a%27")).unwrap();
        assert_eq!(
            (q.top, q.skip, q.count, q.pagelevel, q.include_ids),
            (Some(5), 10, true, true, true)
        );
        assert_eq!(q.select.unwrap(), ["id", "title"]);
        assert_eq!(
            q.orderby,
            [("title".to_string(), true), ("id".to_string(), false)]
        );
        assert!(q.filter.is_some());
        assert_eq!(q.raw_without_skip.len(), 7);
    }

    #[test]
    fn nested_expand() {
        let q = parse(Some(
            "$expand=sections,sectionGroups($expand=sections($select=id);$levels=max)",
        ))
        .unwrap();
        assert_eq!(q.expand.len(), 2);
        assert_eq!(q.expand[1].levels, Some(u32::MAX));
        assert_eq!(q.expand[1].expand[0].name, "sections");
        assert_eq!(
            q.expand[1].expand[0].select.as_deref(),
            Some(&["id".to_string()][..])
        );
    }

    #[test]
    fn malformed_options_are_400s() {
        for bad in [
            "$top=-1",
            "$top=abc",
            "$skip=1.5",
            "$count=maybe",
            "$select=",
            "$select=a b",
            "$orderby=title sideways",
            "$expand=sections(",
            "$expand=sections)(",
            "$expand=a($frob=1)",
            "$filter=title eq",
            "$top=1&$top=2",
            "$search=x",
            "$format=json",
            "$expand=a($levels=0)",
        ] {
            let e = parse(Some(bad)).unwrap_err();
            assert_eq!(e.status, 400, "{bad}");
        }
        assert_eq!(parse(Some("$search=x")).unwrap_err().code, "20108");
    }
}

//! Inline `style` values: OneNote keeps the text and layout properties it understands and drops
//! the rest (scripts hidden in CSS included). Defaults for headings and tables are merged under
//! what the input asked for.

/// Properties OneNote keeps on text and blocks.
pub const TEXT: &[&str] = &[
    "font-family",
    "font-size",
    "color",
    "background-color",
    "font-weight",
    "font-style",
    "text-decoration",
    "text-align",
    "direction",
    "margin-top",
    "margin-bottom",
    "margin-left",
];

/// Properties OneNote keeps on table cells.
pub const CELL: &[&str] = &[
    "border",
    "background-color",
    "width",
    "text-align",
    "vertical-align",
    "font-family",
    "font-size",
    "color",
    "font-weight",
    "font-style",
];

/// Parses `a:b;c:d` into lower-cased names and trimmed values, keeping only `allowed` names and
/// values without anything that could load or run something.
pub fn parse(style: &str, allowed: &[&str]) -> Vec<(String, String)> {
    style
        .split(';')
        .filter_map(|decl| {
            let (name, value) = decl.split_once(':')?;
            let name = name.trim().to_ascii_lowercase();
            let value = value.trim();
            let lower = value.to_ascii_lowercase();
            let dangerous = ["url(", "expression", "javascript:", "\\", "<", ">", "\""]
                .iter()
                .any(|bad| lower.contains(bad));
            (allowed.contains(&name.as_str()) && !value.is_empty() && !dangerous)
                .then(|| (name, value.to_string()))
        })
        .collect()
}

/// `defaults` overridden property by property by the allowed parts of `input`.
pub fn merge(defaults: &str, input: Option<&str>, allowed: &[&str]) -> Option<String> {
    // Defaults are the emulator's own constants: taken as they are.
    let mut out: Vec<(String, String)> = defaults
        .split(';')
        .filter_map(|d| d.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    for (name, value) in parse(input.unwrap_or(""), allowed) {
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some(existing) => existing.1 = value,
            None => out.push((name, value)),
        }
    }
    if out.is_empty() {
        return None;
    }
    Some(
        out.iter()
            .map(|(n, v)| format!("{n}:{v}"))
            .collect::<Vec<_>>()
            .join(";"),
    )
}

/// A pixel length from a style or attribute value (`48px`, `48`, `48.5px`).
pub fn pixels(value: &str) -> Option<u32> {
    let number = value.trim().trim_end_matches("px").trim();
    number
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| n.min(100_000.0) as u32)
}

/// One property of a style attribute.
pub fn property(style: &str, name: &str) -> Option<String> {
    style.split(';').find_map(|decl| {
        let (n, v) = decl.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_known_properties_and_drops_tricks() {
        assert_eq!(
            merge(
                "font-size:16pt;color:#1e4e79",
                Some("color: red; behavior: url(x.htc); background-color:url(javascript:alert(1))"),
                TEXT
            )
            .unwrap(),
            "font-size:16pt;color:red"
        );
        assert_eq!(merge("", Some("position:absolute"), TEXT), None);
        assert_eq!(pixels("48px"), Some(48));
        assert_eq!(
            property("position:absolute; left: 10px", "LEFT").unwrap(),
            "10px"
        );
    }
}

//! Inline `style` values: OneNote keeps the text and layout properties it understands and drops
//! the rest (scripts hidden in CSS included). Defaults for headings and tables are merged under
//! what the input asked for.

/// Properties of characters, in the order OneNote writes them (its docs' examples write
/// `font-family;font-size;color` whatever order the input used).
pub const CHARACTER: &[&str] = &[
    "font-family",
    "font-size",
    "color",
    "background-color",
    "font-weight",
    "font-style",
    "text-decoration",
    "vertical-align",
];

/// Properties of a paragraph as a block: they stay on the `p` while its character properties
/// move to a span inside it.
pub const BLOCK: &[&str] = &[
    "text-align",
    "direction",
    "margin-top",
    "margin-bottom",
    "margin-left",
];

/// Properties OneNote keeps on headings: characters and blocks.
pub const TEXT: &[&str] = &TEXT_PROPERTIES;

const TEXT_PROPERTIES: [&str; CHARACTER.len() + BLOCK.len()] = joined(CHARACTER, BLOCK);

/// `first` then `second`, at compile time.
const fn joined<const N: usize>(
    first: &[&'static str],
    second: &[&'static str],
) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < first.len() {
        out[i] = first[i];
        i += 1;
    }
    while i < N {
        out[i] = second[i - first.len()];
        i += 1;
    }
    out
}

/// Properties OneNote keeps on table cells, in the order its docs' example writes them.
pub const CELL: &[&str] = &[
    "background-color",
    "width",
    "border",
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
            // Font names come quoted (`'Segoe UI'`); OneNote writes them bare.
            let value = if name == "font-family" {
                value.trim().trim_matches(['\'', '"'])
            } else {
                value.trim()
            };
            let lower = value.to_ascii_lowercase();
            let dangerous = ["url(", "expression", "javascript:", "\\", "<", ">", "\""]
                .iter()
                .any(|bad| lower.contains(bad));
            (allowed.contains(&name.as_str()) && !value.is_empty() && !dangerous)
                .then(|| (name, value.to_string()))
        })
        .collect()
}

/// `defaults` overridden property by property by the allowed parts of `input`, in the order of
/// `allowed`, with values as OneNote writes them (`16px` → `12pt`, `#ff0000` → `red`).
pub fn merge(defaults: &str, input: Option<&str>, allowed: &[&str]) -> Option<String> {
    // Defaults are the emulator's own constants: taken as they are.
    let mut out: Vec<(String, String)> = defaults
        .split(';')
        .filter_map(|d| d.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    for (name, value) in parse(input.unwrap_or(""), allowed) {
        let value = written_value(&name, value);
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some(existing) => existing.1 = value,
            None => out.push((name, value)),
        }
    }
    if out.is_empty() {
        return None;
    }
    out.sort_by_key(|(name, _)| {
        allowed
            .iter()
            .position(|a| a == name)
            .unwrap_or(allowed.len())
    });
    Some(
        out.iter()
            .map(|(n, v)| format!("{n}:{v}"))
            .collect::<Vec<_>>()
            .join(";"),
    )
}

/// A value as OneNote writes it back: font sizes in points ("converts px to pt. Decimal values
/// are rounded to the nearest n.0pt or n.5pt", https://learn.microsoft.com/en-us/graph/onenote-input-output-html),
/// and the basic colours by name (the docs show `#ff0000` coming back as `red`; the other
/// names are [UNCONFIRMED]).
fn written_value(name: &str, value: String) -> String {
    match name {
        "font-size" => {
            let lower = value.to_ascii_lowercase();
            let points = if let Some(px) = lower.strip_suffix("px") {
                px.trim().parse::<f64>().ok().map(|px| px * 0.75)
            } else if let Some(pt) = lower.strip_suffix("pt") {
                pt.trim().parse::<f64>().ok()
            } else {
                None
            };
            match points.filter(|p| p.is_finite() && *p > 0.0 && *p < 2000.0) {
                Some(p) => {
                    let halves = (p * 2.0).round() / 2.0;
                    if halves.fract() == 0.0 {
                        format!("{halves:.0}pt")
                    } else {
                        format!("{halves:.1}pt")
                    }
                }
                None => value,
            }
        }
        "color" | "background-color" => {
            const NAMES: &[(&str, &str)] = &[
                ("#000000", "black"),
                ("#ffffff", "white"),
                ("#ff0000", "red"),
                ("#008000", "green"),
                ("#0000ff", "blue"),
                ("#ffff00", "yellow"),
                ("#808080", "gray"),
                ("#800000", "maroon"),
                ("#800080", "purple"),
                ("#000080", "navy"),
                ("#008080", "teal"),
                ("#c0c0c0", "silver"),
                ("#00ff00", "lime"),
                ("#00ffff", "aqua"),
                ("#ff00ff", "fuchsia"),
                ("#808000", "olive"),
            ];
            let lower = value.to_ascii_lowercase();
            NAMES
                .iter()
                .find(|(hex, _)| *hex == lower)
                .map_or(value, |(_, name)| name.to_string())
        }
        _ => value,
    }
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
        assert_eq!(
            merge(
                "",
                Some("color:#FF0000;font-size:16px;font-family:Courier"),
                TEXT
            )
            .unwrap(),
            "font-family:Courier;font-size:12pt;color:red"
        );
        assert_eq!(
            merge("", Some("font-size:15px"), TEXT).unwrap(),
            "font-size:11.5pt"
        );
        assert_eq!(merge("", Some("position:absolute"), TEXT), None);
        assert_eq!(
            merge(
                "",
                Some("font-family:'Segoe UI';vertical-align:super"),
                TEXT
            )
            .unwrap(),
            "font-family:Segoe UI;vertical-align:super"
        );
        assert_eq!(pixels("48px"), Some(48));
        assert_eq!(
            property("position:absolute; left: 10px", "LEFT").unwrap(),
            "10px"
        );
    }
}

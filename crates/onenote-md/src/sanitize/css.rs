//! Inline style filtering: a short list of harmless properties, with values checked.
//!
//! Styles carry OneNote's look (colours, fonts, sizes, borders), so a safe subset is kept. What
//! goes: any property not listed (notably `position`, `left`, `top`: the app lays the page out
//! as flowing content; and everything that can load or run something), and any value with
//! `url(`, `expression(`, `javascript:`, `@import`, comments, backslash escapes (which can spell
//! any of those) or markup characters.

use crate::style::declarations;

/// Properties kept in `style` attributes.
pub(super) const ALLOWED_PROPERTIES: &[&str] = &[
    "color",
    "background-color",
    "font-weight",
    "font-style",
    "font-size",
    "font-family",
    "text-decoration",
    "text-align",
    "vertical-align",
    "direction",
    "list-style-type",
    "width",
    "height",
    "margin",
    "margin-top",
    "margin-right",
    "margin-bottom",
    "margin-left",
    "padding",
    "padding-top",
    "padding-right",
    "padding-bottom",
    "padding-left",
    "border",
    "border-top",
    "border-right",
    "border-bottom",
    "border-left",
    "border-width",
    "border-style",
    "border-color",
    "border-collapse",
];

/// Value fragments that can load, run or smuggle something (compared lower-case, spaces
/// removed).
const FORBIDDEN_IN_VALUES: &[&str] = &[
    "url(",
    "image(",
    "image-set(",
    "expression",
    "javascript",
    "vbscript",
    "@import",
    "behavior",
    "binding",
    "attr(",
    "var(",
    "env(",
    "/*",
    "*/",
];

/// Longest value kept, in bytes: real values are short.
const MAX_VALUE_LEN: usize = 200;

/// Fonts OneNote pages name that are fixed-width: without a generic family after them, a
/// browser that lacks the font falls back to its default, a serif, for code.
const MONOSPACE_FONTS: &[&str] = &[
    "consolas",
    "courier new",
    "courier",
    "lucida console",
    "cascadia code",
    "cascadia mono",
    "menlo",
    "monaco",
];

/// Fonts with serifs, which fall back to `serif` (every other named font to `sans-serif`).
const SERIF_FONTS: &[&str] = &[
    "times new roman",
    "times",
    "cambria",
    "georgia",
    "garamond",
    "book antiqua",
    "palatino linotype",
];

/// CSS's generic families: a list ending in one needs no fallback.
const GENERIC_FAMILIES: &[&str] = &[
    "serif",
    "sans-serif",
    "monospace",
    "cursive",
    "fantasy",
    "system-ui",
    "ui-monospace",
    "ui-sans-serif",
    "ui-serif",
    "math",
];

/// The style with only allowed properties and safe values, as `name:value;name:value`.
pub(super) fn filter_style(style: &str) -> String {
    declarations(style)
        .filter(|(name, value)| ALLOWED_PROPERTIES.contains(&&**name) && is_safe_value(value))
        .map(|(name, value)| match &*name {
            "font-family" => format!("{name}:{}", with_generic_family(value)),
            _ => format!("{name}:{value}"),
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// A font list that ends in a generic family, so text keeps its kind (code fixed-width, body
/// text sans-serif) where the named fonts are not installed: `Consolas` → `Consolas,monospace`.
fn with_generic_family(families: &str) -> String {
    let unquote = |family: &str| {
        family
            .trim()
            .trim_matches(|c| c == '\'' || c == '"')
            .trim()
            .to_ascii_lowercase()
    };
    let names: Vec<String> = families.split(',').map(unquote).collect();
    if names
        .iter()
        .any(|name| GENERIC_FAMILIES.contains(&name.as_str()))
    {
        return families.to_string();
    }
    let generic = if names.iter().any(|n| MONOSPACE_FONTS.contains(&n.as_str())) {
        "monospace"
    } else if names.iter().any(|n| SERIF_FONTS.contains(&n.as_str())) {
        "serif"
    } else {
        "sans-serif"
    };
    format!("{},{generic}", families.trim())
}

fn is_safe_value(value: &str) -> bool {
    if value.len() > MAX_VALUE_LEN
        || value
            .chars()
            .any(|c| c.is_control() || matches!(c, '\\' | '<' | '>' | '{' | '}' | '&' | ';'))
    {
        return false;
    }
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    !FORBIDDEN_IN_VALUES
        .iter()
        .any(|forbidden| squeezed.contains(forbidden))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_look_and_drops_the_rest() {
        assert_eq!(
            filter_style(
                "position:absolute;left:48px;top:120px;width:624px;font-family:'Courier New';color:#1e4e79"
            ),
            "width:624px;font-family:'Courier New',monospace;color:#1e4e79"
        );
    }

    #[test]
    fn font_lists_end_in_a_generic_family() {
        for (style, kept) in [
            ("font-family:Consolas", "font-family:Consolas,monospace"),
            ("font-family:Calibri", "font-family:Calibri,sans-serif"),
            (
                "font-family:\"Times New Roman\"",
                "font-family:\"Times New Roman\",serif",
            ),
            (
                "font-family:Consolas, monospace",
                "font-family:Consolas, monospace",
            ),
            (
                "font-family:Arial,Sans-Serif",
                "font-family:Arial,Sans-Serif",
            ),
        ] {
            assert_eq!(filter_style(style), kept, "{style}");
        }
    }

    #[test]
    fn drops_dangerous_values() {
        for style in [
            "background-color: url(https://evil.example/x)",
            "width: expression(alert(1))",
            "color: red; behavior: url(x.htc)",
            "font-family: \\75 rl(x)",
            "color: U R L (x)",
            "color: /* */ red",
            "color: red</style><script>",
            "font-family: JavaScript:alert(1)",
        ] {
            let filtered = filter_style(style);
            assert!(!filtered.contains('('), "{style} -> {filtered}");
            assert!(!filtered.contains('\\'), "{style} -> {filtered}");
            assert!(
                !filtered.to_lowercase().contains("javascript"),
                "{style} -> {filtered}"
            );
        }
    }
}

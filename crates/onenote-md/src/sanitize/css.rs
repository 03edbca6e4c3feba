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

/// The style with only allowed properties and safe values, as `name:value;name:value`.
pub(super) fn filter_style(style: &str) -> String {
    declarations(style)
        .filter(|(name, value)| ALLOWED_PROPERTIES.contains(&&**name) && is_safe_value(value))
        .map(|(name, value)| format!("{name}:{value}"))
        .collect::<Vec<_>>()
        .join(";")
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
            "width:624px;font-family:'Courier New';color:#1e4e79"
        );
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

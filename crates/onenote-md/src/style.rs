//! Reading the inline `style` attributes OneNote writes.
//!
//! OneNote says "bold" with `font-weight:bold` on a span rather than with `<b>`, "code" with a
//! monospace `font-family`, and where a block sits with `position:absolute;left:…;top:…`. This
//! module turns a `style` attribute into those facts. It is a reader, not a CSS engine: it splits
//! declarations on `;` and `:` and looks at the handful of properties that carry meaning.

use std::borrow::Cow;

/// Font families people use for code, compared ignoring case.
const MONOSPACE_FAMILIES: &[&str] = &[
    "consolas",
    "courier new",
    "courier",
    "lucida console",
    "lucida sans typewriter",
    "monospace",
    "menlo",
    "monaco",
    "source code pro",
    "cascadia code",
    "cascadia mono",
    "fira code",
    "fira mono",
    "dejavu sans mono",
    "liberation mono",
    "ubuntu mono",
    "roboto mono",
    "sf mono",
    "jetbrains mono",
];

/// The declarations of a `style` attribute as `(lower-case property, trimmed value)` pairs, in
/// order, skipping anything that is not `name: value`.
pub(crate) fn declarations(style: &str) -> impl Iterator<Item = (Cow<'_, str>, &str)> {
    // Split by hand, byte by byte: a declaration is a few dozen bytes, too short for `split`'s
    // searcher to pay for its set-up, and every element OneNote writes has a style.
    let mut rest = style;
    std::iter::from_fn(move || {
        while !rest.is_empty() {
            let end = rest.bytes().position(|b| b == b';').unwrap_or(rest.len());
            let declaration = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or_default();
            let Some(colon) = declaration.bytes().position(|b| b == b':') else {
                continue;
            };
            // `;` and `:` are ASCII: the slices end on character boundaries.
            let name = declaration[..colon].trim();
            let value = declaration[colon + 1..].trim();
            if !name.is_empty() && !value.is_empty() {
                return Some((lower(name), value));
            }
        }
        None
    })
}

/// `text` in ASCII lower case, copied only when it has upper-case letters.
fn lower(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// What an element's inline style says that matters for conversion. `None` means "not said,
/// inherit"; `Some(false)` means "explicitly off" (`font-weight:normal` inside bold text).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct InlineStyle {
    pub bold: Option<bool>,
    pub italic: Option<bool>,
    pub strike: Option<bool>,
    pub underline: Option<bool>,
    pub monospace: Option<bool>,
    /// `vertical-align:super` / `sub`, as OneNote writes super- and subscript.
    pub superscript: Option<bool>,
    pub subscript: Option<bool>,
    /// `position:absolute`: OneNote's free-floating page content.
    pub absolute: bool,
    pub left: Option<f64>,
    pub top: Option<f64>,
}

impl InlineStyle {
    pub(crate) fn parse(style: &str) -> Self {
        let mut parsed = InlineStyle::default();
        for (name, value) in declarations(style) {
            if name == "font-family" {
                // Font names are compared ignoring case: no lower-case copy of the usual
                // `Calibri` on every paragraph.
                parsed.monospace = Some(is_monospace_family(value));
                continue;
            }
            // Most values are lower case already: copy only the ones that are not.
            let value = lower(value);
            let value: &str = &value;
            match &*name {
                "font-weight" => parsed.bold = font_weight_is_bold(value),
                "vertical-align" => match value {
                    "super" => (parsed.superscript, parsed.subscript) = (Some(true), Some(false)),
                    "sub" => (parsed.superscript, parsed.subscript) = (Some(false), Some(true)),
                    "baseline" => {
                        (parsed.superscript, parsed.subscript) = (Some(false), Some(false))
                    }
                    _ => {}
                },
                "font-style" => {
                    parsed.italic = match value {
                        "italic" | "oblique" => Some(true),
                        "normal" => Some(false),
                        _ => parsed.italic,
                    }
                }
                "text-decoration" | "text-decoration-line" => {
                    // Decorations add up through nesting, so only `none` switches them off.
                    if value.contains("line-through") {
                        parsed.strike = Some(true);
                    }
                    if value.contains("underline") {
                        parsed.underline = Some(true);
                    }
                    if value == "none" {
                        parsed.strike = Some(false);
                        parsed.underline = Some(false);
                    }
                }
                "position" => parsed.absolute = value == "absolute",
                "left" => parsed.left = leading_number(value),
                "top" => parsed.top = leading_number(value),
                _ => {}
            }
        }
        parsed
    }
}

/// Whether a `font-family` value (or a `<font face>`) names a monospace font first, or lists the
/// generic `monospace` family anywhere.
pub(crate) fn is_monospace_family(value: &str) -> bool {
    let mut families = value
        .split(',')
        .map(|family| family.trim().trim_matches(['"', '\'']).trim());
    let first_is_monospace = families.next().is_some_and(|first| {
        MONOSPACE_FAMILIES
            .iter()
            .any(|mono| mono.eq_ignore_ascii_case(first))
    });
    first_is_monospace || families.any(|family| family.eq_ignore_ascii_case("monospace"))
}

fn font_weight_is_bold(value: &str) -> Option<bool> {
    match value {
        "bold" | "bolder" => Some(true),
        "normal" | "lighter" => Some(false),
        number => number.parse::<u16>().ok().map(|weight| weight >= 600),
    }
}

/// `48` from `48px`, `48.5pt`, `-3px`; `None` when the value does not start with a number.
fn leading_number(value: &str) -> Option<f64> {
    let end = value
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+'))))
        .map_or(value.len(), |(i, _)| i);
    value[..end].parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_onenote_writes() {
        let style = InlineStyle::parse(
            "position:absolute;left:48px;top:115.5px;width:624px;FONT-WEIGHT: bold ;font-family:'Courier New'",
        );
        assert!(style.absolute);
        assert_eq!(style.left, Some(48.0));
        assert_eq!(style.top, Some(115.5));
        assert_eq!(style.bold, Some(true));
        assert_eq!(style.monospace, Some(true));
        assert_eq!(style.italic, None);
    }

    #[test]
    fn monospace_families() {
        assert!(is_monospace_family("Consolas"));
        assert!(is_monospace_family("\"Lucida Console\", serif"));
        assert!(is_monospace_family("Calibri, monospace"));
        assert!(!is_monospace_family("Calibri"));
        assert!(!is_monospace_family("Calibri, Consolas"));
    }

    #[test]
    fn weights_and_decorations() {
        assert_eq!(InlineStyle::parse("font-weight:700").bold, Some(true));
        assert_eq!(InlineStyle::parse("font-weight:400").bold, Some(false));
        let style = InlineStyle::parse("text-decoration:underline line-through");
        assert_eq!((style.underline, style.strike), (Some(true), Some(true)));
        assert_eq!(InlineStyle::parse("top:abc").top, None);
    }
}

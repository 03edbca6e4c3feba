//! Character references (`&amp;`, `&#160;`, `&#xA0;`) in text and attribute values, decoded as
//! the HTML standard does
//! (<https://html.spec.whatwg.org/multipage/parsing.html#character-reference-state>) for the
//! references that end with `;`. For the rest the standard's rules depend on what follows and
//! on where the reference stands, so they are left to html5ever.

use std::borrow::Cow;

use html5ever::data::NAMED_ENTITIES;

/// `text` with its character references decoded: `&name;` (any of HTML's named references),
/// `&#NNN;` and `&#xHH;`. An `&` followed by neither a letter, a digit nor `#` is itself.
/// `None` for anything else: a reference without its `;`, an unknown name, or a number the
/// standard replaces. (Only references without their `;` read differently in attribute values
/// and in text, so the two read alike here.)
pub(super) fn decode(text: &str) -> Option<Cow<'_, str>> {
    let bytes = text.as_bytes();
    if memchr::memchr(b'&', bytes).is_none() {
        return Some(Cow::Borrowed(text));
    }
    let mut decoded = String::with_capacity(text.len());
    // `text[..copied]` is in `decoded`. A reference holds no `&`, so each `&` found is at or
    // after it.
    let mut copied = 0;
    for at in memchr::memchr_iter(b'&', bytes) {
        decoded.push_str(&text[copied..at]);
        let rest = &bytes[at + 1..];
        let (length, first, second) = match rest.first() {
            Some(b'#') => {
                let (length, character, none) = numeric_reference(&rest[1..])?;
                (1 + length, character, none)
            }
            Some(b) if b.is_ascii_alphanumeric() => named_reference(rest)?,
            // A lone `&`: it goes out with the text after it.
            _ => {
                copied = at;
                continue;
            }
        };
        decoded.push(first);
        decoded.extend(second);
        copied = at + 1 + length;
    }
    decoded.push_str(&text[copied..]);
    Some(Cow::Owned(decoded))
}

/// A decoded reference: how many bytes after the `&` it takes and the one or two characters it
/// stands for.
type Reference = (usize, char, Option<char>);

/// `name;` at the start of `rest` (just after the `&`).
fn named_reference(rest: &[u8]) -> Option<Reference> {
    let length = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if rest.get(length) != Some(&b';') {
        // Without its `;` a name may be a legacy one read by a longest-prefix rule, or plain
        // text: the standard's rules for which depend on what follows.
        return None;
    }
    // The names are ASCII letters and digits.
    let name = std::str::from_utf8(&rest[..=length]).ok()?;
    let &(first, second) = NAMED_ENTITIES.get(name)?;
    let first = char::from_u32(first)?;
    let second = match second {
        0 => None,
        code => Some(char::from_u32(code)?),
    };
    Some((length + 1, first, second))
}

/// `NNN;` or `xHH;` at the start of `rest` (just after the `&#`).
fn numeric_reference(rest: &[u8]) -> Option<Reference> {
    let (radix, digits_from) = match rest.first() {
        Some(b'x' | b'X') => (16, 1),
        _ => (10, 0),
    };
    let digits = &rest[digits_from..];
    let length = digits.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let digits_text = std::str::from_utf8(&digits[..length]).ok()?;
    if length == 0 || length > 8 || digits.get(length) != Some(&b';') {
        return None;
    }
    let code = u32::from_str_radix(digits_text, radix).ok()?;
    // 0, surrogates, numbers past Unicode and the C1 controls are replaced by the standard;
    // other controls are kept but are a parse error: both are left to html5ever.
    let character =
        char::from_u32(code).filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\x0C'))?;
    Some((digits_from + length + 1, character, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_named_and_numeric_references() {
        assert_eq!(
            decode("a &amp; b &lt;3 &#x41;&#66;").as_deref(),
            Some("a & b <3 AB")
        );
        // `&NotEqualTilde;` is U+2242 U+0338.
        assert_eq!(
            decode("&NotEqualTilde;&nbsp;").as_deref(),
            Some("\u{2242}\u{338}\u{a0}")
        );
        assert_eq!(decode("a & b &").as_deref(), Some("a & b &"));
        assert!(matches!(decode("plain"), Some(Cow::Borrowed("plain"))));
    }

    #[test]
    fn leaves_references_without_their_semicolon_or_replaced_to_html5ever() {
        for text in [
            "&amp",
            "&notit;",
            "&#0;",
            "&#x80;",
            "&#xD800;",
            "&#x110000;",
            "&#1",
            "&#;",
            "&#x;",
            "&#13;",
        ] {
            assert_eq!(decode(text), None, "{text}");
        }
    }
}

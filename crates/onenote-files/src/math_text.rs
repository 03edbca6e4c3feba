//! An equation's text as OneNote's files keep it, read as the tokens of the MathML Graph gives
//! for an equation, so the converter turns it into LaTeX as it does for Graph's pages.
//!
//! OneNote keeps an equation as text formatted as math: letters as Unicode's mathematical
//! alphanumeric symbols (`𝑎` is italic *a*, `𝐱` bold *x*, `ℝ` double-struck *R*), digits and
//! operators as themselves. That linear text becomes MathML tokens here: letters `<mi>` (with
//! their variant), numbers `<mn>`, the rest `<mo>`.
//!
//! A built-up equation (a fraction, a root, a matrix…) also holds structure characters, whose
//! layout the parser gives as inline objects; none of the test files made by OneNote has one,
//! so such an equation is not guessed at: [`tokens`] declines it and the page keeps the
//! equation's text as it is.

/// Characters RichEdit's math keeps an equation's structure with (object start, argument
/// separator, object end…): Unicode's noncharacters U+FDD0–U+FDEF.
const STRUCTURE: std::ops::RangeInclusive<char> = '\u{FDD0}'..='\u{FDEF}';

/// Upper bound on an equation's length in characters: a longer run is kept as text.
const MAX_CHARS: usize = 4096;

/// One MathML token of an equation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// `mi` (an identifier), `mn` (a number) or `mo` (an operator).
    pub tag: &'static str,
    /// MathML's `mathvariant`, when not the tag's own.
    pub variant: Option<&'static str>,
    pub text: String,
}

/// The MathML tokens of a linear equation; `None` when it holds structure this does not write,
/// or nothing at all.
pub fn tokens(linear: &str) -> Option<Vec<Token>> {
    if linear.chars().any(|c| STRUCTURE.contains(&c)) || linear.chars().count() > MAX_CHARS {
        return None;
    }
    let token = |tag, variant, text: String| Token { tag, variant, text };
    let mut tokens = Vec::new();
    let mut chars = linear.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c.is_ascii_digit() {
            let mut number = String::from(c);
            while let Some(&next) = chars.peek() {
                let decimal_point = next == '.'
                    && chars
                        .clone()
                        .nth(1)
                        .is_some_and(|after| after.is_ascii_digit());
                if !(next.is_ascii_digit() || decimal_point) {
                    break;
                }
                number.push(next);
                chars.next();
            }
            tokens.push(token("mn", None, number));
        } else if c.is_ascii_alphabetic() {
            // Upright letters in an equation: a function's name (`sin`) or a word.
            let mut word = String::from(c);
            while let Some(&next) = chars.peek().filter(|n| n.is_ascii_alphabetic()) {
                word.push(next);
                chars.next();
            }
            let variant = (word.len() == 1).then_some("normal");
            tokens.push(token("mi", variant, word));
        } else if let Some((letter, variant)) = math_letter(c) {
            let tag = if letter.is_ascii_digit() { "mn" } else { "mi" };
            tokens.push(token(tag, variant, letter.to_string()));
        } else if c.is_alphabetic() {
            tokens.push(token("mi", None, c.to_string()));
        } else {
            tokens.push(token("mo", None, c.to_string()));
        }
    }
    (!tokens.is_empty()).then_some(tokens)
}

/// A mathematical alphanumeric symbol as its plain letter and MathML variant (`None` for
/// italic, which is how `<mi>` shows a single letter anyway).
/// See Unicode's block U+1D400–U+1D7FF and the letterlike symbols it leaves out.
fn math_letter(c: char) -> Option<(char, Option<&'static str>)> {
    // Latin alphabets: 26 capitals then 26 small letters each.
    const LATIN: [(u32, Option<&str>); 13] = [
        (0x1D400, Some("bold")),
        (0x1D434, None),
        (0x1D468, Some("bold-italic")),
        (0x1D49C, Some("script")),
        (0x1D4D0, Some("bold-script")),
        (0x1D504, Some("fraktur")),
        (0x1D538, Some("double-struck")),
        (0x1D56C, Some("bold-fraktur")),
        (0x1D5A0, Some("sans-serif")),
        (0x1D5D4, Some("bold-sans-serif")),
        (0x1D608, Some("sans-serif-italic")),
        (0x1D63C, Some("sans-serif-bold-italic")),
        (0x1D670, Some("monospace")),
    ];
    // The letters Unicode had before the block, which the block leaves holes for.
    let letterlike = match c {
        'ℎ' => Some(('h', None)),
        'ℬ' => Some(('B', Some("script"))),
        'ℰ' => Some(('E', Some("script"))),
        'ℱ' => Some(('F', Some("script"))),
        'ℋ' => Some(('H', Some("script"))),
        'ℐ' => Some(('I', Some("script"))),
        'ℒ' => Some(('L', Some("script"))),
        'ℳ' => Some(('M', Some("script"))),
        'ℛ' => Some(('R', Some("script"))),
        'ℯ' => Some(('e', Some("script"))),
        'ℊ' => Some(('g', Some("script"))),
        'ℴ' => Some(('o', Some("script"))),
        'ℭ' => Some(('C', Some("fraktur"))),
        'ℌ' => Some(('H', Some("fraktur"))),
        'ℑ' => Some(('I', Some("fraktur"))),
        'ℜ' => Some(('R', Some("fraktur"))),
        'ℨ' => Some(('Z', Some("fraktur"))),
        'ℂ' => Some(('C', Some("double-struck"))),
        'ℍ' => Some(('H', Some("double-struck"))),
        'ℕ' => Some(('N', Some("double-struck"))),
        'ℙ' => Some(('P', Some("double-struck"))),
        'ℚ' => Some(('Q', Some("double-struck"))),
        'ℝ' => Some(('R', Some("double-struck"))),
        'ℤ' => Some(('Z', Some("double-struck"))),
        _ => None,
    };
    if letterlike.is_some() {
        return letterlike;
    }
    let code = u32::from(c);
    for (start, variant) in LATIN {
        if (start..start + 52).contains(&code) {
            let n = code - start;
            let letter = if n < 26 {
                char::from(b'A' + n as u8)
            } else {
                char::from(b'a' + (n - 26) as u8)
            };
            return Some((letter, variant));
        }
    }
    // Italic Greek, the alphabet equations use most: capitals U+1D6E2, small U+1D6FC.
    let greek = |from: u32, base: u32| {
        (from..from + 25)
            .contains(&code)
            .then(|| char::from_u32(base + code - from))
            .flatten()
            .filter(|g| g.is_alphabetic())
    };
    if let Some(letter) = greek(0x1D6E2, 0x391).or_else(|| greek(0x1D6FC, 0x3B1)) {
        return Some((letter, None));
    }
    // Digits: bold, double-struck, sans-serif, sans-serif bold, monospace (ten each).
    if (0x1D7CE..=0x1D7FF).contains(&code) {
        let digit = char::from(b'0' + ((code - 0x1D7CE) % 10) as u8);
        return Some((digit, None));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_of_every_latin_alphabet_map_to_their_plain_letter() {
        assert_eq!(math_letter('𝑎'), Some(('a', None)));
        assert_eq!(math_letter('𝐴'), Some(('A', None)));
        assert_eq!(math_letter('𝐱'), Some(('x', Some("bold"))));
        assert_eq!(math_letter('𝔸'), Some(('A', Some("double-struck"))));
        assert_eq!(math_letter('ℝ'), Some(('R', Some("double-struck"))));
        assert_eq!(math_letter('𝚣'), Some(('z', Some("monospace"))));
        assert_eq!(math_letter('ℎ'), Some(('h', None)));
        assert_eq!(math_letter('𝛼'), Some(('α', None)));
        assert_eq!(math_letter('𝛺'), Some(('Ω', None)));
        assert_eq!(math_letter('x'), None);
    }

    fn written(linear: &str) -> Vec<String> {
        tokens(linear)
            .unwrap()
            .into_iter()
            .map(|t| match t.variant {
                Some(v) => format!("{}[{v}]:{}", t.tag, t.text),
                None => format!("{}:{}", t.tag, t.text),
            })
            .collect()
    }

    #[test]
    fn a_linear_equation_becomes_tokens() {
        assert_eq!(
            written("𝑥 + 2.5 = sin 𝜃 ⋅ 𝐯 − 𝟐"),
            [
                "mi:x",
                "mo:+",
                "mn:2.5",
                "mo:=",
                "mi:sin",
                "mi:θ",
                "mo:⋅",
                "mi[bold]:v",
                "mo:−",
                "mn:2"
            ]
        );
        assert_eq!(written("d"), ["mi[normal]:d"]);
    }

    #[test]
    fn structure_and_emptiness_are_declined() {
        assert_eq!(tokens("\u{FDD0}𝑎\u{FDEE}𝑏\u{FDEF}"), None);
        assert_eq!(tokens("  "), None);
    }
}

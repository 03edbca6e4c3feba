//! The tokens of HTML written plainly, as the HTML standard reads them (§13.2.5 of
//! <https://html.spec.whatwg.org/multipage/parsing.html#tokenization>), or word that the page
//! leaves that plain form.
//!
//! "Plainly" is the markup OneNote writes: tags whose names are letters and digits, attributes
//! with simple names and quoted (or plain unquoted) values, `<!-- comments -->`, an optional
//! `<!DOCTYPE html>`, and character references that end with `;`. For those the result is what
//! html5ever's tokenizer gives. Anything where the standard's error recovery would decide (a `<`
//! in an attribute name, `&` + letters without `;`, `</>`, `<?…>`, a NUL byte, …) is
//! [`Unsupported`], and the caller hands the page to html5ever instead. Being conservative is
//! cheap: it only costs speed.

use std::borrow::Cow;

use super::char_refs::decode;

/// The page leaves the plainly written form; html5ever must read it.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Unsupported;

/// One token.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Token<'a> {
    /// Text, character references decoded. Never empty.
    Text(Cow<'a, str>),
    StartTag(StartTag<'a>),
    /// An end tag's name, in lower case.
    EndTag(Cow<'a, str>),
    Comment(&'a str),
    /// `<!DOCTYPE html>`: the name, in lower case.
    Doctype(Cow<'a, str>),
}

#[derive(Debug, PartialEq, Eq)]
pub(super) struct StartTag<'a> {
    /// In lower case.
    pub name: Cow<'a, str>,
    /// Names in lower case, values decoded; a repeated name keeps its first value, as the
    /// standard says.
    pub attributes: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    pub self_closing: bool,
}

/// Reads tokens from the start of `html`.
pub(super) struct Tokens<'a> {
    html: &'a str,
    at: usize,
}

/// HTML's whitespace (the standard's "ASCII whitespace"; carriage returns are gone before
/// tokenizing).
pub(super) fn is_html_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\x0C')
}

impl<'a> Tokens<'a> {
    /// Tokens of `html`, which must hold no NUL and no carriage return (the caller checks: the
    /// standard turns both into something else before its tokenizer sees them).
    pub(super) fn new(html: &'a str) -> Self {
        Tokens { html, at: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.html.as_bytes()
    }

    /// The next token, or `None` at the end.
    pub(super) fn next_token(&mut self) -> Result<Option<Token<'a>>, Unsupported> {
        let bytes = self.bytes();
        if self.at >= bytes.len() {
            return Ok(None);
        }
        let text_start = self.at;
        let mut search = self.at;
        // A `<` that starts no tag is text, so the text runs to the first one that does.
        let text_end = loop {
            let Some(offset) = memchr::memchr(b'<', &bytes[search..]) else {
                break bytes.len();
            };
            let lt = search + offset;
            match bytes.get(lt + 1) {
                Some(b) if b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?') => break lt,
                _ => search = lt + 1,
            }
        };
        if text_end > text_start {
            self.at = text_end;
            let text = decode(&self.html[text_start..text_end]).ok_or(Unsupported)?;
            return Ok(Some(Token::Text(text)));
        }
        let rest = &bytes[self.at + 1..];
        match rest.first() {
            Some(b'!') => self.markup_declaration().map(Some),
            Some(b'/') => self.end_tag().map(Some),
            Some(b) if b.is_ascii_alphabetic() => self.start_tag().map(Some),
            // `<?…>` is a bogus comment.
            _ => Err(Unsupported),
        }
    }

    /// The text of a raw-text element (`<title>`, `<style>`, `<script>`, `<iframe>`) up to its
    /// end tag `</name>`, which is read too. `rcdata` (for `<title>`) decodes character
    /// references; the others keep their text as written.
    pub(super) fn raw_text(
        &mut self,
        name: &str,
        rcdata: bool,
    ) -> Result<Cow<'a, str>, Unsupported> {
        let bytes = self.bytes();
        let start = self.at;
        let mut search = start;
        let end = loop {
            let offset = memchr::memmem::find(&bytes[search..], b"</").ok_or(Unsupported)?;
            let lt = search + offset;
            let name_end = lt + 2 + name.len();
            let closes = bytes
                .get(lt + 2..name_end)
                .is_some_and(|found| found.eq_ignore_ascii_case(name.as_bytes()));
            match bytes.get(name_end) {
                Some(b'>') if closes => break lt,
                // An end tag with more in it than its name: leave it to html5ever.
                Some(&b) if closes && (is_html_space(b) || b == b'/') => return Err(Unsupported),
                _ => search = lt + 2,
            }
        };
        let text = &self.html[start..end];
        // Script data has escapes of its own (`<!--` … `<script>` …).
        if name == "script" && text.contains("<!--") {
            return Err(Unsupported);
        }
        self.at = end + 2 + name.len() + 1;
        if rcdata {
            decode(text).ok_or(Unsupported)
        } else {
            Ok(Cow::Borrowed(text))
        }
    }

    fn start_tag(&mut self) -> Result<Token<'a>, Unsupported> {
        let name = self.tag_name(self.at + 1)?;
        let mut attributes: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::new();
        let bytes = self.bytes();
        loop {
            self.skip_space();
            match bytes.get(self.at) {
                Some(b'>') => {
                    self.at += 1;
                    return Ok(Token::StartTag(StartTag {
                        name,
                        attributes,
                        self_closing: false,
                    }));
                }
                Some(b'/') if bytes.get(self.at + 1) == Some(&b'>') => {
                    self.at += 2;
                    return Ok(Token::StartTag(StartTag {
                        name,
                        attributes,
                        self_closing: true,
                    }));
                }
                Some(_) => {
                    let (attribute, value) = self.attribute()?;
                    if !attributes.iter().any(|(seen, _)| *seen == attribute) {
                        attributes.push((attribute, value));
                    }
                }
                None => return Err(Unsupported),
            }
        }
    }

    fn end_tag(&mut self) -> Result<Token<'a>, Unsupported> {
        if !self
            .bytes()
            .get(self.at + 2)
            .is_some_and(u8::is_ascii_alphabetic)
        {
            // `</>` is dropped and `</ …>` is a bogus comment.
            return Err(Unsupported);
        }
        let name = self.tag_name(self.at + 2)?;
        self.skip_space();
        if self.bytes().get(self.at) != Some(&b'>') {
            return Err(Unsupported);
        }
        self.at += 1;
        Ok(Token::EndTag(name))
    }

    /// `<!--…-->` or `<!DOCTYPE name>`.
    fn markup_declaration(&mut self) -> Result<Token<'a>, Unsupported> {
        let bytes = self.bytes();
        let rest = &bytes[self.at + 2..];
        if let Some(after) = rest.strip_prefix(b"--") {
            // `<!-->` and `<!--->` end at once; `--!>` also ends a comment.
            if after.starts_with(b">") || after.starts_with(b"->") {
                return Err(Unsupported);
            }
            let start = self.at + 4;
            let length = memchr::memmem::find(after, b"-->").ok_or(Unsupported)?;
            let comment = &self.html[start..start + length];
            if comment.contains("--!") {
                return Err(Unsupported);
            }
            self.at = start + length + 3;
            return Ok(Token::Comment(comment));
        }
        let is_doctype = rest
            .get(..7)
            .is_some_and(|word| word.eq_ignore_ascii_case(b"doctype"))
            && rest.get(7).copied().is_some_and(is_html_space);
        if !is_doctype {
            return Err(Unsupported);
        }
        self.at += 2 + 7;
        self.skip_space();
        if !self
            .bytes()
            .get(self.at)
            .is_some_and(u8::is_ascii_alphabetic)
        {
            return Err(Unsupported);
        }
        let name = self.tag_name(self.at)?;
        self.skip_space();
        if self.bytes().get(self.at) != Some(&b'>') {
            return Err(Unsupported);
        }
        self.at += 1;
        Ok(Token::Doctype(name))
    }

    /// The letters and digits of a name from `from`, in lower case; `self.at` is left after
    /// them. A name must end with whitespace, `/` or `>` (anything else in it is unusual).
    fn tag_name(&mut self, from: usize) -> Result<Cow<'a, str>, Unsupported> {
        let bytes = self.bytes();
        let length = bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let end = from + length;
        match bytes.get(end) {
            Some(&b) if is_html_space(b) || b == b'/' || b == b'>' => {}
            _ => return Err(Unsupported),
        }
        self.at = end;
        Ok(lower_case(&self.html[from..end]))
    }

    /// One attribute, `name`, `name=value`, `name="value"` or `name='value'`.
    fn attribute(&mut self) -> Result<(Cow<'a, str>, Cow<'a, str>), Unsupported> {
        let bytes = self.bytes();
        let start = self.at;
        let length = bytes[start..]
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
            .count();
        let end = start + length;
        match bytes.get(end) {
            Some(&b) if length > 0 && (is_html_space(b) || matches!(b, b'/' | b'>' | b'=')) => {}
            _ => return Err(Unsupported),
        }
        let name = lower_case(&self.html[start..end]);
        self.at = end;
        self.skip_space();
        if bytes.get(self.at) != Some(&b'=') {
            return Ok((name, Cow::Borrowed("")));
        }
        self.at += 1;
        self.skip_space();
        let value = match bytes.get(self.at) {
            Some(&quote @ (b'"' | b'\'')) => {
                let from = self.at + 1;
                let length = memchr::memchr(quote, &bytes[from..]).ok_or(Unsupported)?;
                self.at = from + length + 1;
                // A quoted value must be followed by what separates attributes.
                match bytes.get(self.at) {
                    Some(&b) if is_html_space(b) || b == b'/' || b == b'>' => {}
                    _ => return Err(Unsupported),
                }
                &self.html[from..from + length]
            }
            Some(_) => {
                let from = self.at;
                let length = bytes[from..]
                    .iter()
                    .take_while(|&&b| !is_html_space(b) && b != b'>')
                    .count();
                let value = &self.html[from..from + length];
                if length == 0
                    || value
                        .bytes()
                        .any(|b| matches!(b, b'"' | b'\'' | b'<' | b'=' | b'`'))
                {
                    return Err(Unsupported);
                }
                self.at = from + length;
                value
            }
            None => return Err(Unsupported),
        };
        Ok((name, decode(value).ok_or(Unsupported)?))
    }

    fn skip_space(&mut self) {
        let bytes = self.bytes();
        while bytes.get(self.at).copied().is_some_and(is_html_space) {
            self.at += 1;
        }
    }
}

/// `name` in ASCII lower case, borrowed when it already is.
fn lower_case(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(html: &str) -> Result<Vec<Token<'_>>, Unsupported> {
        let mut tokens = Tokens::new(html);
        let mut all = Vec::new();
        while let Some(token) = tokens.next_token()? {
            all.push(token);
        }
        Ok(all)
    }

    fn start<'a>(
        name: &'a str,
        attributes: &[(&'a str, &'a str)],
        self_closing: bool,
    ) -> Token<'a> {
        Token::StartTag(StartTag {
            name: Cow::Borrowed(name),
            attributes: attributes
                .iter()
                .map(|&(n, v)| (Cow::Borrowed(n), Cow::Borrowed(v)))
                .collect(),
            self_closing,
        })
    }

    #[test]
    fn reads_tags_attributes_text_and_comments() {
        assert_eq!(
            tokens("<!DOCTYPE html><P Style=\"a:b\" data-x='1' id=z hidden>a &amp; b &lt;3 &#x41;&#66; < c<br/></p><!-- n -->").unwrap(),
            vec![
                Token::Doctype(Cow::Borrowed("html")),
                start("p", &[("style", "a:b"), ("data-x", "1"), ("id", "z"), ("hidden", "")], false),
                Token::Text(Cow::Borrowed("a & b <3 AB < c")),
                start("br", &[], true),
                Token::EndTag(Cow::Borrowed("p")),
                Token::Comment(" n "),
            ]
        );
    }

    #[test]
    fn keeps_the_first_of_a_repeated_attribute() {
        assert_eq!(
            tokens("<a href=x HREF=y>").unwrap(),
            vec![start("a", &[("href", "x")], false)]
        );
    }

    #[test]
    fn leaves_what_error_recovery_decides_unsupported() {
        for html in [
            "a &amp b",
            "&notit;",
            "&#0;",
            "&#x80;",
            "&#xD800;",
            "&#1",
            "</>",
            "</ p>",
            "<?xml?>",
            "<![CDATA[x]]>",
            "<!-->",
            "<!--->",
            "<!-- a --!>",
            "<!-- open",
            "<p a=\"x\"b>",
            "<p a=x\"y>",
            "<p a=>",
            "<p / a>",
            "<p \"a\">",
            "</p class=x>",
            "<p",
            "<p a='x",
            "<x-y>",
            "<!DOCTYPE html PUBLIC \"x\">",
        ] {
            assert_eq!(tokens(html), Err(Unsupported), "{html}");
        }
    }

    #[test]
    fn reads_raw_text_to_its_end_tag() {
        let mut tokens = Tokens::new("a</titlex>&amp;</TITLE>b");
        assert_eq!(tokens.raw_text("title", true).unwrap(), "a</titlex>&");
        assert_eq!(
            tokens.next_token().unwrap(),
            Some(Token::Text(Cow::Borrowed("b")))
        );
        let mut tokens = Tokens::new("p{}&amp;</style>");
        assert_eq!(tokens.raw_text("style", false).unwrap(), "p{}&amp;");
        assert_eq!(
            Tokens::new("x</title >").raw_text("title", true),
            Err(Unsupported)
        );
        assert_eq!(
            Tokens::new("<!-- x").raw_text("script", false),
            Err(Unsupported)
        );
        assert_eq!(
            Tokens::new("open").raw_text("title", true),
            Err(Unsupported)
        );
    }
}

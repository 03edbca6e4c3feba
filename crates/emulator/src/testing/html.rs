//! Reading the emulator's (and the app's) HTML pages the way a scripted client must: the first
//! form's action and hidden fields, attribute values, and the entities an HTML escaper writes.

/// The first `<form>` of a page: where it posts and its hidden fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlForm {
    pub action: String,
    pub fields: Vec<(String, String)>,
}

impl HtmlForm {
    /// The first form in `html`, if there is one with an `action`.
    pub fn first_in(html: &str) -> Option<HtmlForm> {
        let start = html.find("<form")?;
        let form = &html[start..];
        let action = attribute(&form[..form.find('>')?], "action")?;
        let mut fields = Vec::new();
        let mut rest = form;
        while let Some(i) = rest.find("<input") {
            rest = &rest[i..];
            let end = rest.find('>')?;
            let tag = &rest[..end];
            if tag.contains("type=\"hidden\"")
                && let (Some(name), Some(value)) = (attribute(tag, "name"), attribute(tag, "value"))
            {
                fields.push((name, value));
            }
            rest = &rest[end..];
        }
        Some(HtmlForm { action, fields })
    }
}

/// The value of attribute `name` in one tag's text (`<input name="a" value="b"`), decoded.
pub fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = tag[start..].find('"')? + start;
    Some(unescape_html(&tag[start..end]))
}

/// Decodes the entities an HTML escaper writes (named and numeric); anything else that starts
/// with `&` is kept as it is.
pub fn unescape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest.find(';').filter(|&j| j <= 10).and_then(|j| {
            let entity = &rest[1..j];
            let c = match entity {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "amp" => Some('&'),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, j))
        });
        match decoded {
            Some((c, j)) => {
                out.push(c);
                rest = &rest[j + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_form_and_its_hidden_fields() {
        let page = r#"<p>x</p><form method="post" action="/t/login?a=1&amp;b=2">
            <input type="hidden" name="state" value="s&quot;1"><input name="username">
            <input type="hidden" name="n" value="&#x27;&#39;&lt;"></form><form action="/other">"#;
        let form = HtmlForm::first_in(page).unwrap();
        assert_eq!(form.action, "/t/login?a=1&b=2");
        assert_eq!(
            form.fields,
            [("state".into(), "s\"1".into()), ("n".into(), "''<".into())]
        );
        assert_eq!(HtmlForm::first_in("<p>no form</p>"), None);
        assert_eq!(unescape_html("a &amp;&bogus; &#233;"), "a &&bogus; é");
    }
}

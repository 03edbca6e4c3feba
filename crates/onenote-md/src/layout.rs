//! Reading order for OneNote's absolutely positioned page content.
//!
//! A OneNote page is a canvas: each block of content is a `<div style="position:absolute;
//! left:…px;top:…px">` (images and attachments can also be positioned directly in `<body>`), and
//! the HTML order says nothing about where a block appears. Both outputs flow the page top to
//! bottom, so body children are put in reading order: by `top`, then by `left`.
//!
//! Content that is not positioned stays with the positioned element before it (it flowed after it
//! in the page); anything before the first positioned element comes first. The sort is stable,
//! so equal positions keep document order.

use std::cmp::Ordering;

use crate::dom::{self, DomNode};
use crate::style::InlineStyle;

/// `(top, left)` of an absolutely positioned element.
type Position = (f64, f64);

/// A positioned element and the unpositioned content after it (`None`: content before the
/// first positioned element).
type Group<'a> = (Option<Position>, Vec<DomNode<'a>>);

/// The children of `body` in reading order.
pub(crate) fn reading_order<'a>(body: &DomNode<'a>) -> Vec<DomNode<'a>> {
    let mut groups: Vec<Group<'a>> = vec![(None, Vec::new())];
    for child in body.children() {
        match position(&child) {
            Some(at) => groups.push((Some(at), vec![child])),
            None => {
                if let Some((_, nodes)) = groups.last_mut() {
                    nodes.push(child);
                }
            }
        }
    }
    groups.sort_by(|(a, _), (b, _)| compare_positions(*a, *b));
    groups.into_iter().flat_map(|(_, nodes)| nodes).collect()
}

/// `(top, left)` of an absolutely positioned element; missing coordinates count as 0.
fn position(node: &DomNode<'_>) -> Option<Position> {
    let style = InlineStyle::parse(dom::attr(dom::element(node)?, "style")?);
    style
        .absolute
        .then(|| (style.top.unwrap_or(0.0), style.left.unwrap_or(0.0)))
}

fn compare_positions(a: Option<Position>, b: Option<Position>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some((top_a, left_a)), Some((top_b, left_b))) => {
            top_a.total_cmp(&top_b).then(left_a.total_cmp(&left_b))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::Page;

    fn order(html: &str) -> Vec<String> {
        let page = Page::parse(html);
        let body = page.body().expect("body");
        reading_order(&body)
            .iter()
            .filter_map(|node| {
                dom::element(node)
                    .and_then(|e| dom::attr(e, "id"))
                    .map(str::to_owned)
            })
            .collect()
    }

    #[test]
    fn sorts_by_top_then_left() {
        let html = r#"<body>
            <div id="c" style="position:absolute;left:400px;top:120px"></div>
            <div id="a" style="position:absolute;left:48px;top:40px"></div>
            <p id="a2">flows after a</p>
            <div id="b" style="position:absolute;left:48px;top:120px"></div>
        </body>"#;
        assert_eq!(order(html), ["a", "a2", "b", "c"]);
    }

    #[test]
    fn leading_flow_content_comes_first() {
        let html =
            r#"<body><p id="x">x</p><div id="y" style="position:absolute;top:0"></div></body>"#;
        assert_eq!(order(html), ["x", "y"]);
    }
}

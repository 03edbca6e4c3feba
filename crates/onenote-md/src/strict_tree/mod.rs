//! The tree of a page written as a tree, built without the HTML parser.
//!
//! In the Markdown converter's profile, html5ever's tokenizer and tree builder took over 60% of
//! the time, far more than the conversion itself. A page as OneNote writes it needs little of
//! that machinery: every element is closed by its own end tag, and each sits where HTML's parser
//! puts it (what `layout_whitespace` calls strict). For such a page, building the tree is
//! appending each element to the innermost open one, plus the few things the parser always
//! does: a `<head>` when the page has none, a `<tbody>` around rows written straight into a
//! `<table>`, and where whitespace and comments outside `<body>` go.
//!
//! [`parse`] does just that, reading the markup with the plain tokenizer in `tokens`. It checks
//! each step with the same rules as the survey, on real tokens this time, and gives up (`None`)
//! the moment the page leaves the form it knows: the caller then parses with html5ever. So a
//! page gets the same tree either way; the tests compare the two on the test corpus, on
//! generated pages and on broken ones, and the `strict_tree` fuzz target on anything.
//!
//! Why not another crate: html5gum, the other tokenizer that follows the standard, was no faster
//! than html5ever's on the corpus (300 rounds: 123 ms against 108 ms), and a tokenizer alone
//! leaves the tree builder, a third of the parse. The plain form is small enough to read here,
//! and anything outside it still goes through html5ever.

#[doc(hidden)]
pub mod agreement;
mod char_refs;
mod tokens;

use std::borrow::Cow;

use ego_tree::{NodeId, Tree};
use html5ever::tendril::StrTendril;
use html5ever::tree_builder::QuirksMode;
use html5ever::{Attribute, LocalName, QualName, local_name, ns};
use scraper::node::{Comment, Doctype, Element, Text};
use scraper::{Html, Node};

use crate::layout_whitespace::Kind;
use tokens::{StartTag, Token, Tokens, is_html_space};

/// The page's tree, with room for `capacity` nodes; `None` when the page is not written as a
/// plain tree, and html5ever must build it.
pub(crate) fn parse(html: &str, capacity: usize) -> Option<Html> {
    // The standard replaces both before tokenizing; html5ever does it on the way.
    if memchr::memchr2(b'\0', b'\r', html.as_bytes()).is_some() {
        return None;
    }
    let mut builder = Builder::new(capacity);
    let mut tokens = Tokens::new(html);
    while let Some(token) = tokens.next_token().ok()? {
        match token {
            Token::Text(text) => builder.text(&text)?,
            Token::StartTag(tag) => builder.start_tag(tag, &mut tokens)?,
            Token::EndTag(name) => builder.end_tag(&name)?,
            Token::Comment(comment) => builder.comment(comment),
            Token::Doctype(name) => builder.doctype(&name)?,
        }
    }
    builder.finish()
}

/// Where in the document the markup has got to: the parser's insertion modes, as far as a page
/// written as a tree reaches them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before `<html>`; a doctype may come.
    BeforeHtml,
    /// In `<html>`, before `<head>` or `<body>`.
    BeforeHead,
    InHead,
    /// After `</head>`, before `<body>`.
    AfterHead,
    InBody,
    /// After `</body>`: whitespace still goes into the body, comments into `<html>`.
    AfterBody,
    /// After `</html>`: whitespace still goes into the body, comments into the document.
    AfterHtml,
}

/// An element that is open.
struct Open {
    id: NodeId,
    name: LocalName,
    kind: Kind,
    /// A `<tbody>` the parser adds, with no tag of its own.
    implied: bool,
}

struct Builder {
    tree: Tree<Node>,
    phase: Phase,
    /// Innermost last.
    open: Vec<Open>,
    html: Option<NodeId>,
    body: Option<NodeId>,
    doctype: bool,
    /// How many `<a>` are open (a count, so that a deep page costs no walk up the stack).
    links_open: usize,
}

impl Builder {
    fn new(capacity: usize) -> Self {
        Builder {
            tree: Tree::with_capacity(Node::Document, capacity),
            phase: Phase::BeforeHtml,
            open: Vec::with_capacity(32),
            html: None,
            body: None,
            doctype: false,
            links_open: 0,
        }
    }

    fn start_tag(&mut self, tag: StartTag<'_>, tokens: &mut Tokens<'_>) -> Option<()> {
        let kind = Kind::of(tag.name.as_bytes());
        match (self.phase, kind) {
            (Phase::BeforeHtml, Kind::Html) => {
                let root = self.tree.root().id();
                let id = self.open_element(root, tag, kind);
                self.html = Some(id);
                self.phase = Phase::BeforeHead;
            }
            (Phase::BeforeHead, Kind::Head) => {
                self.open_element(self.html?, tag, kind);
                self.phase = Phase::InHead;
            }
            (Phase::BeforeHead, Kind::Body) => {
                // The parser makes a `<head>` for a page that has none.
                let html = self.html?;
                self.append_element(html, local_name!("head"), Vec::new());
                self.open_body(tag);
            }
            (Phase::AfterHead, Kind::Body) => self.open_body(tag),
            (Phase::InHead, Kind::HeadContent) => {
                let head = self.open.last()?.id;
                self.leaf_element(head, tag, kind, tokens)?;
            }
            (Phase::InBody, _) => self.start_tag_in_body(tag, kind, tokens)?,
            _ => return None,
        }
        Some(())
    }

    fn start_tag_in_body(
        &mut self,
        tag: StartTag<'_>,
        kind: Kind,
        tokens: &mut Tokens<'_>,
    ) -> Option<()> {
        let parent = self.open.last()?;
        if parent.implied && matches!(kind, Kind::TableSection | Kind::Caption) {
            self.open.pop();
        }
        let parent = self.open.last()?;
        if parent.kind == Kind::Table && kind == Kind::Row {
            let table = parent.id;
            let id = self.append_element(table, local_name!("tbody"), Vec::new());
            self.open.push(Open {
                id,
                name: local_name!("tbody"),
                kind: Kind::TableSection,
                implied: true,
            });
        }
        let parent = self.open.last()?;
        if !parent.kind.holds_as_written(kind) {
            return None;
        }
        // A link inside a link is closed by the parser, not by its end tag.
        if tag.name == "a" {
            if self.links_open > 0 {
                return None;
            }
            self.links_open += 1;
        }
        let parent = parent.id;
        if kind.is_void(tag.name.as_bytes()) || kind.is_raw_text(tag.name.as_bytes()) {
            self.leaf_element(parent, tag, kind, tokens)
        } else {
            self.open_element(parent, tag, kind);
            Some(())
        }
    }

    fn end_tag(&mut self, name: &str) -> Option<()> {
        match self.phase {
            Phase::InHead if name == "head" => {
                self.open.pop();
                self.phase = Phase::AfterHead;
            }
            Phase::InBody => {
                if name == "table" && self.open.last()?.implied {
                    self.open.pop();
                }
                let innermost = self.open.pop()?;
                if &*innermost.name != name {
                    return None;
                }
                if name == "a" {
                    self.links_open = self.links_open.saturating_sub(1);
                }
                if innermost.kind == Kind::Body {
                    self.phase = Phase::AfterBody;
                }
            }
            Phase::AfterBody if name == "html" => {
                self.open.pop();
                self.phase = Phase::AfterHtml;
            }
            _ => return None,
        }
        Some(())
    }

    fn text(&mut self, text: &str) -> Option<()> {
        let blank = text.bytes().all(is_html_space);
        let parent = match self.phase {
            // The parser drops whitespace here.
            Phase::BeforeHtml | Phase::BeforeHead => return blank.then_some(()),
            Phase::InHead | Phase::AfterHead if blank => self.open.last()?.id,
            Phase::InBody => {
                let innermost = self.open.last()?;
                if !(blank || innermost.kind.holds_text()) {
                    return None;
                }
                innermost.id
            }
            Phase::AfterBody | Phase::AfterHtml if blank => self.body?,
            // Text out of place, which the parser moves.
            Phase::InHead | Phase::AfterHead | Phase::AfterBody | Phase::AfterHtml => return None,
        };
        self.append_text(parent, text)
    }

    fn comment(&mut self, comment: &str) {
        let parent = match self.phase {
            Phase::BeforeHtml | Phase::AfterHtml => None,
            Phase::AfterBody => self.html,
            _ => self.open.last().map(|open| open.id),
        };
        let parent = parent.unwrap_or_else(|| self.tree.root().id());
        if let Some(mut parent) = self.tree.get_mut(parent) {
            parent.append(Node::Comment(Comment {
                comment: StrTendril::from_slice(comment),
            }));
        }
    }

    /// `<!DOCTYPE html>`, before anything else but comments.
    fn doctype(&mut self, name: &str) -> Option<()> {
        if self.phase != Phase::BeforeHtml || self.doctype || name != "html" {
            return None;
        }
        self.doctype = true;
        self.tree.root_mut().append(Node::Doctype(Doctype {
            name: StrTendril::from_slice(name),
            public_id: StrTendril::new(),
            system_id: StrTendril::new(),
        }));
        Some(())
    }

    /// The document, if it ended as a tree does: nothing open but `<body>` and `<html>`.
    fn finish(self) -> Option<Html> {
        let ended = match self.phase {
            Phase::InBody => self.open.len() == 2,
            Phase::AfterBody | Phase::AfterHtml => true,
            _ => false,
        };
        if !ended {
            return None;
        }
        let mut document = Html::new_document();
        document.tree = self.tree;
        // As the parser decides from the doctype (or its absence).
        document.quirks_mode = if self.doctype {
            QuirksMode::NoQuirks
        } else {
            QuirksMode::Quirks
        };
        Some(document)
    }

    fn open_body(&mut self, tag: StartTag<'_>) {
        let html = self.html.unwrap_or_else(|| self.tree.root().id());
        self.body = Some(self.open_element(html, tag, Kind::Body));
        self.phase = Phase::InBody;
    }

    /// Appends the element and leaves it open.
    fn open_element(&mut self, parent: NodeId, tag: StartTag<'_>, kind: Kind) -> NodeId {
        let name = LocalName::from(&*tag.name);
        let id = self.append_element(parent, name.clone(), tag.attributes);
        self.open.push(Open {
            id,
            name,
            kind,
            implied: false,
        });
        id
    }

    /// Appends an element that holds no elements: a void one, or one of raw text, whose text
    /// is read here.
    fn leaf_element(
        &mut self,
        parent: NodeId,
        tag: StartTag<'_>,
        kind: Kind,
        tokens: &mut Tokens<'_>,
    ) -> Option<()> {
        let name = tag.name.as_bytes();
        let text = if kind.is_raw_text(name) {
            Some(tokens.raw_text(&tag.name, tag.name == "title").ok()?)
        } else if kind.is_void(name) {
            None
        } else {
            return None;
        };
        let element = self.append_element(parent, LocalName::from(&*tag.name), tag.attributes);
        match text {
            Some(text) if !text.is_empty() => self.append_text(element, &text),
            _ => Some(()),
        }
    }

    fn append_element(
        &mut self,
        parent: NodeId,
        name: LocalName,
        attributes: Vec<(Cow<'_, str>, Cow<'_, str>)>,
    ) -> NodeId {
        let attributes = attributes
            .into_iter()
            .map(|(name, value)| Attribute {
                name: QualName::new(None, ns!(), LocalName::from(&*name)),
                value: StrTendril::from_slice(&value),
            })
            .collect();
        let element = Element::new(QualName::new(None, ns!(html), name), attributes);
        match self.tree.get_mut(parent) {
            Some(mut parent) => parent.append(Node::Element(element)).id(),
            None => self.tree.orphan(Node::Element(element)).id(),
        }
    }

    /// Appends text, joined to the text before it as the parser does.
    fn append_text(&mut self, parent: NodeId, text: &str) -> Option<()> {
        let mut parent = self.tree.get_mut(parent)?;
        if let Some(mut last) = parent.last_child()
            && let Node::Text(before) = last.value()
        {
            before.text.push_slice(text);
            return Some(());
        }
        parent.append(Node::Text(Text {
            text: StrTendril::from_slice(text),
        }));
        Some(())
    }
}

#[cfg(test)]
mod tests;

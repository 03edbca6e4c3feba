//! The output tree of a page: what OneNote's output HTML is made of, built once by
//! [`super::convert`] and written out by [`super::render`] on every read.

/// A node of a page's output tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    Text(String),
    /// OneNote's own markers for content the API cannot show (`<!-- InkNode is not supported -->`).
    Comment(String),
}

/// An output element: the names and attribute names are OneNote's fixed vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub name: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub children: Vec<Node>,
}

impl Element {
    pub fn new(name: &'static str) -> Element {
        Element {
            name,
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    pub fn attr(mut self, name: &'static str, value: impl Into<String>) -> Element {
        self.attrs.push((name, value.into()));
        self
    }

    pub fn attr_opt(self, name: &'static str, value: Option<impl Into<String>>) -> Element {
        match value {
            Some(v) => self.attr(name, v),
            None => self,
        }
    }

    pub fn children(mut self, children: Vec<Node>) -> Element {
        self.children = children;
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl From<Element> for Node {
    fn from(e: Element) -> Node {
        Node::Element(e)
    }
}

/// The Presentation MathML elements equations are written in.
pub const MATH_ELEMENTS: &[&str] = &[
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "mtext",
    "ms",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mover",
    "munder",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mfenced",
    "menclose",
    "mpadded",
    "mphantom",
];

/// Whether a node flows inside a paragraph (as opposed to standing on its own line).
pub fn is_inline(node: &Node) -> bool {
    match node {
        Node::Text(_) => true,
        Node::Comment(_) => false,
        Node::Element(e) => {
            matches!(e.name, "span" | "a" | "br" | "sup" | "sub" | "cite")
                || MATH_ELEMENTS.contains(&e.name)
        }
    }
}

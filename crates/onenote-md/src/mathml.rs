//! Equations: OneNote's MathML (Presentation MathML, docs/protocol.md §10.5) as LaTeX, for the
//! constructs people write — fractions, roots, sub- and superscripts, Greek letters, operators,
//! big operators with limits, accents, fences and matrices. Anything else makes the whole
//! equation `None`: the caller keeps it as MathML rather than write LaTeX that means something
//! else.

use crate::dom::{self, DomNode};

/// The deepest equation translated (deeper ones stay MathML).
const MAX_DEPTH: usize = 40;
/// The longest LaTeX written for one equation.
const MAX_LATEX: usize = 20_000;

/// The MathML vocabulary kept when an equation stays MathML (in the Markdown, and in the page
/// viewer, where the browser draws it). No `annotation-xml` (it can hold HTML) and no `mglyph`
/// (an image by URL).
pub(crate) const MATH_ELEMENTS: &[&str] = &[
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
    "mlabeledtr",
    "mtd",
    "mstyle",
    "mfenced",
    "menclose",
    "mpadded",
    "mphantom",
    "mmultiscripts",
    "mprescripts",
    "none",
    "merror",
    "maction",
];

/// Attributes kept when an equation stays MathML: the ones that change what is drawn. None of
/// them is a URL, a script or a style.
pub(crate) const MATH_ATTRIBUTES: &[&str] = &[
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "separators",
    "accent",
    "accentunder",
    "linethickness",
    "open",
    "close",
    "notation",
    "columnalign",
    "rowalign",
    "scriptlevel",
    "displaystyle",
    "lspace",
    "rspace",
    "width",
    "height",
    "depth",
];

/// The equation as MathML again, with only MathML in it: its elements, their text and the
/// attributes that matter. Everything else (scripts, styles, links, events) goes with its
/// content, so the kept source carries nothing but the equation.
pub(crate) fn clean_source(math: &DomNode<'_>) -> String {
    let mut out = String::new();
    write_clean(math, 0, &mut out);
    out
}

fn write_clean(node: &DomNode<'_>, depth: usize, out: &mut String) {
    if let Some(text) = node.value().as_text() {
        out.push_str(&escape_xml(text));
        return;
    }
    let Some(element) = dom::element(node) else {
        return;
    };
    let name = element.name();
    if depth > MAX_DEPTH || !MATH_ELEMENTS.contains(&name) {
        return;
    }
    out.push('<');
    out.push_str(name);
    for (attribute, value) in element.attrs() {
        if MATH_ATTRIBUTES.contains(&attribute) {
            out.push_str(&format!(" {attribute}=\"{}\"", escape_xml(value)));
        }
    }
    out.push('>');
    for child in node.children() {
        write_clean(&child, depth + 1, out);
    }
    out.push_str(&format!("</{name}>"));
}

fn escape_xml(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The LaTeX for a `math` element, or `None` when it holds something this does not translate.
pub(crate) fn to_latex(math: &DomNode<'_>) -> Option<String> {
    let latex = children(math, 0)?;
    let latex = latex.trim().to_string();
    (!latex.is_empty() && latex.len() <= MAX_LATEX).then_some(latex)
}

fn children(node: &DomNode<'_>, depth: usize) -> Option<String> {
    let mut out = String::new();
    for child in node.children() {
        if child.value().is_element() {
            let part = element(&child, depth + 1)?;
            join(&mut out, &part);
        } else if let Some(text) = child.value().as_text()
            && !text.trim().is_empty()
        {
            join(&mut out, &escape(text.trim()));
        }
    }
    Some(out)
}

/// Appends `part`, with a space where it would otherwise run into what is before it: a command
/// name (`\alpha` then `x` is not `\alphax`) or a one-character script (`^n` then `k` is
/// clearer as `^n k`).
fn join(out: &mut String, part: &str) {
    if part.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        let tail = out.rsplit('\\').next().unwrap_or_default();
        let ends_in_command =
            out.contains('\\') && !tail.is_empty() && tail.chars().all(|c| c.is_ascii_alphabetic());
        let mut last = out.chars().rev();
        let ends_in_short_script = matches!(
            (last.next(), last.next()),
            (Some(c), Some('^' | '_')) if c.is_ascii_alphanumeric()
        );
        if ends_in_command || ends_in_short_script {
            out.push(' ');
        }
    }
    out.push_str(part);
}

/// The element children of a node, for constructs with fixed arguments (`mfrac` has two).
fn arguments<'a>(node: &DomNode<'a>) -> Vec<DomNode<'a>> {
    node.children().filter(|c| c.value().is_element()).collect()
}

fn element(node: &DomNode<'_>, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let tag = dom::element(node)?;
    let name = tag.name();
    let arg =
        |i: usize| -> Option<String> { element_group(&arguments(node).get(i)?.clone(), depth) };
    let args = arguments(node).len();
    let exactly = |n: usize| (args == n).then_some(());
    Some(match name {
        "math" | "mrow" | "mstyle" | "mpadded" => children(node, depth)?,
        "semantics" => element(arguments(node).first()?, depth + 1)?,
        "mphantom" => String::new(),
        "mi" => identifier(&text(node), dom::attr(tag, "mathvariant")),
        "mn" => escape(&text(node)),
        "mo" => operator(&text(node)),
        "mtext" => {
            let text = text(node);
            if text.trim().is_empty() {
                "\\ ".to_string()
            } else {
                format!("\\text{{{}}}", escape_text(&text))
            }
        }
        "ms" => format!("\\text{{\"{}\"}}", escape_text(&text(node))),
        "mspace" => "\\ ".to_string(),
        "msup" => {
            exactly(2)?;
            format!("{}^{}", base(&arg(0)?), group(&arg(1)?))
        }
        "msub" => {
            exactly(2)?;
            format!("{}_{}", base(&arg(0)?), group(&arg(1)?))
        }
        "msubsup" => {
            exactly(3)?;
            format!("{}_{}^{}", base(&arg(0)?), group(&arg(1)?), group(&arg(2)?))
        }
        "mfrac" => {
            exactly(2)?;
            let command = if dom::attr(tag, "linethickness").is_some_and(|t| t.trim() == "0") {
                "binom"
            } else {
                "frac"
            };
            format!("\\{command}{{{}}}{{{}}}", arg(0)?, arg(1)?)
        }
        "msqrt" => format!("\\sqrt{{{}}}", children(node, depth)?),
        "mroot" => {
            exactly(2)?;
            format!("\\sqrt[{}]{{{}}}", arg(1)?, arg(0)?)
        }
        "mover" => {
            exactly(2)?;
            over(&arg(0)?, &text(&arguments(node)[1]), &arg(1)?)
        }
        "munder" => {
            exactly(2)?;
            under(&arg(0)?, &arg(1)?)
        }
        "munderover" => {
            exactly(3)?;
            let (body, below, above) = (arg(0)?, arg(1)?, arg(2)?);
            if is_big_operator(&body) {
                format!("{body}_{}^{}", group(&below), group(&above))
            } else {
                format!("\\overset{{{above}}}{{\\underset{{{below}}}{{{body}}}}}")
            }
        }
        "mfenced" => {
            let open = dom::attr(tag, "open").unwrap_or("(");
            let close = dom::attr(tag, "close").unwrap_or(")");
            let separator = tag
                .attr("separators")
                .and_then(|s| s.trim().chars().next())
                .unwrap_or(',');
            let parts: Option<Vec<String>> = arguments(node)
                .iter()
                .map(|a| element_group(a, depth))
                .collect();
            format!(
                "\\left{}{}\\right{}",
                fence(open)?,
                parts?.join(&operator(&separator.to_string())),
                fence(close)?
            )
        }
        "mtable" => {
            let mut rows = Vec::new();
            for row in arguments(node) {
                if !matches!(dom::element(&row)?.name(), "mtr" | "mlabeledtr") {
                    return None;
                }
                let cells: Option<Vec<String>> = arguments(&row)
                    .iter()
                    .map(|cell| match dom::element(cell)?.name() {
                        "mtd" => children(cell, depth + 1),
                        _ => None,
                    })
                    .collect();
                rows.push(cells?.join(" & "));
            }
            format!("\\begin{{matrix}} {} \\end{{matrix}}", rows.join(" \\\\ "))
        }
        _ => return None,
    })
}

/// An argument's LaTeX (one element).
fn element_group(node: &DomNode<'_>, depth: usize) -> Option<String> {
    element(node, depth + 1)
}

/// A sub- or superscript's argument: braced unless it is one character.
fn group(latex: &str) -> String {
    if latex.chars().count() == 1 {
        latex.to_string()
    } else {
        format!("{{{latex}}}")
    }
}

/// A base of a script: braced when it is more than one symbol, so `x^2` but `{(a+b)}^2`.
fn base(latex: &str) -> String {
    let single = latex.chars().count() == 1
        || (latex.starts_with('\\') && latex[1..].chars().all(|c| c.is_ascii_alphabetic()));
    if single || latex.starts_with("\\left") || latex.starts_with("\\frac") {
        latex.to_string()
    } else {
        format!("{{{latex}}}")
    }
}

fn over(body: &str, accent: &str, above: &str) -> String {
    let command = match accent.trim() {
        "¯" | "‾" | "_" | "\u{0305}" => Some("overline"),
        "^" | "ˆ" | "\u{0302}" => Some("hat"),
        "~" | "˜" | "\u{0303}" => Some("tilde"),
        "→" | "\u{20d7}" => Some("vec"),
        "˙" | "\u{0307}" => Some("dot"),
        "¨" | "\u{0308}" => Some("ddot"),
        "⏞" => Some("overbrace"),
        _ => None,
    };
    match command {
        Some(command) => format!("\\{command}{{{body}}}"),
        None if is_big_operator(body) => format!("{body}^{}", group(above)),
        None => format!("\\overset{{{above}}}{{{body}}}"),
    }
}

fn under(body: &str, below: &str) -> String {
    if is_big_operator(body) || body == "\\lim" {
        format!("{body}_{}", group(below))
    } else if below == "\\underbrace" || below == "⏟" {
        format!("\\underbrace{{{body}}}")
    } else {
        format!("\\underset{{{below}}}{{{body}}}")
    }
}

fn is_big_operator(latex: &str) -> bool {
    matches!(
        latex,
        "\\sum"
            | "\\prod"
            | "\\coprod"
            | "\\int"
            | "\\iint"
            | "\\oint"
            | "\\bigcup"
            | "\\bigcap"
            | "\\lim"
    )
}

/// A fence character for `\left`/`\right`.
fn fence(c: &str) -> Option<&'static str> {
    Some(match c.trim() {
        "(" => "(",
        ")" => ")",
        "[" => "[",
        "]" => "]",
        "{" => "\\{",
        "}" => "\\}",
        "|" => "|",
        "‖" => "\\|",
        "⟨" | "〈" => "\\langle",
        "⟩" | "〉" => "\\rangle",
        "" => ".",
        _ => return None,
    })
}

/// The text of a token element, whitespace collapsed.
fn text(node: &DomNode<'_>) -> String {
    dom::collapse_whitespace(&dom::text_content(node))
}

/// Functions LaTeX has a command for.
const FUNCTIONS: &[&str] = &[
    "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan",
    "log", "ln", "lg", "exp", "lim", "max", "min", "sup", "inf", "det", "gcd", "deg", "dim", "ker",
    "arg",
];

fn identifier(text: &str, variant: Option<&str>) -> String {
    let text = text.trim();
    if FUNCTIONS.contains(&text) {
        return format!("\\{text}");
    }
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        let symbol = symbol(c).map_or_else(|| escape(text), str::to_string);
        return match variant {
            Some("normal") if c.is_ascii_alphabetic() => format!("\\mathrm{{{symbol}}}"),
            Some("bold") => format!("\\mathbf{{{symbol}}}"),
            Some("double-struck") => format!("\\mathbb{{{symbol}}}"),
            _ => symbol,
        };
    }
    format!("\\mathrm{{{}}}", escape(text))
}

fn operator(text: &str) -> String {
    let text = text.trim();
    if FUNCTIONS.contains(&text) {
        return format!("\\{text}");
    }
    text.chars()
        .map(|c| symbol(c).map_or_else(|| escape(&c.to_string()), str::to_string))
        .collect::<Vec<_>>()
        .join("")
}

/// LaTeX commands for the symbols equations use.
fn symbol(c: char) -> Option<&'static str> {
    Some(match c {
        'α' => "\\alpha",
        'β' => "\\beta",
        'γ' => "\\gamma",
        'δ' => "\\delta",
        'ε' | 'ϵ' => "\\epsilon",
        'ζ' => "\\zeta",
        'η' => "\\eta",
        'θ' => "\\theta",
        'ϑ' => "\\vartheta",
        'ι' => "\\iota",
        'κ' => "\\kappa",
        'λ' => "\\lambda",
        'μ' => "\\mu",
        'ν' => "\\nu",
        'ξ' => "\\xi",
        'π' => "\\pi",
        'ρ' => "\\rho",
        'σ' => "\\sigma",
        'ς' => "\\varsigma",
        'τ' => "\\tau",
        'υ' => "\\upsilon",
        'φ' => "\\phi",
        'ϕ' => "\\phi",
        'χ' => "\\chi",
        'ψ' => "\\psi",
        'ω' => "\\omega",
        'Γ' => "\\Gamma",
        'Δ' => "\\Delta",
        'Θ' => "\\Theta",
        'Λ' => "\\Lambda",
        'Ξ' => "\\Xi",
        'Π' => "\\Pi",
        'Σ' => "\\Sigma",
        'Υ' => "\\Upsilon",
        'Φ' => "\\Phi",
        'Ψ' => "\\Psi",
        'Ω' => "\\Omega",
        '−' => "-",
        '±' => "\\pm",
        '∓' => "\\mp",
        '×' => "\\times",
        '÷' => "\\div",
        '·' | '⋅' => "\\cdot",
        '∗' => "\\ast",
        '≤' => "\\leq",
        '≥' => "\\geq",
        '≠' => "\\neq",
        '≈' => "\\approx",
        '≡' => "\\equiv",
        '∼' => "\\sim",
        '≅' => "\\cong",
        '∝' => "\\propto",
        '∞' => "\\infty",
        '∑' => "\\sum",
        '∏' => "\\prod",
        '∐' => "\\coprod",
        '∫' => "\\int",
        '∬' => "\\iint",
        '∮' => "\\oint",
        '∂' => "\\partial",
        '∇' => "\\nabla",
        '√' => "\\surd",
        '→' => "\\to",
        '←' => "\\leftarrow",
        '↔' => "\\leftrightarrow",
        '⇒' => "\\Rightarrow",
        '⇐' => "\\Leftarrow",
        '⇔' => "\\Leftrightarrow",
        '↦' => "\\mapsto",
        '∈' => "\\in",
        '∉' => "\\notin",
        '∋' => "\\ni",
        '⊂' => "\\subset",
        '⊆' => "\\subseteq",
        '⊃' => "\\supset",
        '⊇' => "\\supseteq",
        '∪' => "\\cup",
        '∩' => "\\cap",
        '⋃' => "\\bigcup",
        '⋂' => "\\bigcap",
        '∅' => "\\emptyset",
        '∀' => "\\forall",
        '∃' => "\\exists",
        '¬' => "\\neg",
        '∧' => "\\wedge",
        '∨' => "\\vee",
        '⊕' => "\\oplus",
        '⊗' => "\\otimes",
        '∘' => "\\circ",
        '°' => "^{\\circ}",
        '…' => "\\ldots",
        '⋯' => "\\cdots",
        '⋮' => "\\vdots",
        '⋱' => "\\ddots",
        'ℝ' => "\\mathbb{R}",
        'ℕ' => "\\mathbb{N}",
        'ℤ' => "\\mathbb{Z}",
        'ℚ' => "\\mathbb{Q}",
        'ℂ' => "\\mathbb{C}",
        'ℏ' => "\\hbar",
        'ℓ' => "\\ell",
        '′' => "'",
        '⁡' | '⁢' | '⁣' => "",
        _ => return None,
    })
}

/// Characters LaTeX gives a meaning, escaped; `$` too, so the equation cannot end early.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\backslash "),
            '{' | '}' | '#' | '$' | '%' | '&' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\hat{}"),
            '~' => out.push_str("\\sim "),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Text inside `\text{…}`.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '#' | '$' | '%' | '&' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\^{}"),
            '~' => out.push_str("\\~{}"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    fn latex(mathml: &str) -> Option<String> {
        let html = Html::parse_fragment(mathml);
        let math = html
            .tree
            .root()
            .descendants()
            .find(|n| dom::is_element(n, "math"))
            .expect("a math element");
        to_latex(&math)
    }

    #[test]
    fn common_constructs() {
        let quadratic = "<math><mi>x</mi><mo>=</mo><mfrac><mrow><mo>−</mo><mi>b</mi><mo>±</mo><msqrt><msup><mi>b</mi><mn>2</mn></msup><mo>−</mo><mn>4</mn><mi>a</mi><mi>c</mi></msqrt></mrow><mrow><mn>2</mn><mi>a</mi></mrow></mfrac></math>";
        assert_eq!(
            latex(quadratic).unwrap(),
            "x=\\frac{-b\\pm\\sqrt{b^2-4ac}}{2a}"
        );
        assert_eq!(
            latex("<math><msup><mi>e</mi><mrow><mi>i</mi><mi>π</mi></mrow></msup><mo>+</mo><mn>1</mn><mo>=</mo><mn>0</mn></math>").unwrap(),
            "e^{i\\pi}+1=0"
        );
        assert_eq!(
            latex("<math><munderover><mo>∑</mo><mrow><mi>k</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover><mi>k</mi></math>").unwrap(),
            "\\sum_{k=1}^n k"
        );
        assert_eq!(
            latex("<math><mrow><mo>(</mo><mtable><mtr><mtd><mn>1</mn></mtd><mtd><mn>0</mn></mtd></mtr><mtr><mtd><mn>0</mn></mtd><mtd><mn>1</mn></mtd></mtr></mtable><mo>)</mo></mrow></math>").unwrap(),
            "(\\begin{matrix} 1 & 0 \\\\ 0 & 1 \\end{matrix})"
        );
        assert_eq!(
            latex("<math><mroot><mi>x</mi><mn>3</mn></mroot><mo>≤</mo><msub><mi>α</mi><mi>i</mi></msub></math>").unwrap(),
            "\\sqrt[3]{x}\\leq\\alpha_i"
        );
        assert_eq!(
            latex("<math><mi>sin</mi><mi>θ</mi></math>").unwrap(),
            "\\sin\\theta"
        );
        assert_eq!(
            latex("<math><mover><mi>v</mi><mo>→</mo></mover></math>").unwrap(),
            "\\vec{v}"
        );
    }

    #[test]
    fn what_it_cannot_say_is_none() {
        assert_eq!(latex("<math><menclose><mi>x</mi></menclose></math>"), None);
        assert_eq!(latex("<math><mfrac><mi>x</mi></mfrac></math>"), None);
        assert_eq!(latex("<math></math>"), None);
    }

    #[test]
    fn text_cannot_break_out() {
        let latex = latex("<math><mtext>$ \\end{x} }</mtext><mi>$</mi><mo>}</mo></math>").unwrap();
        let mut depth = 0i32;
        let mut chars = latex.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '$' => panic!("an unescaped $ in {latex}"),
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            assert!(depth >= 0, "{latex}");
        }
        assert_eq!(depth, 0, "{latex}");
    }
}

//! Equations (`math` elements): LaTeX when [`crate::mathml`] can say it — `$…$` inside a line,
//! `$$…$$` when the equation is all its paragraph holds — and otherwise the MathML itself, kept
//! as a fenced `mathml` block so nothing is lost (only its MathML: see `mathml::clean_source`).

use super::{Converter, Ctx, Sink};
use crate::dom::{self, DomNode};
use crate::markdown::model::{Block, Piece, PieceKind};
use crate::mathml;

/// The longest MathML kept as it was.
const MAX_MATHML: usize = 100_000;

impl Converter<'_> {
    pub(super) fn math(&mut self, node: &DomNode<'_>, ctx: &Ctx, sink: &mut Sink) {
        match mathml::to_latex(node) {
            Some(latex) if stands_alone(node) => {
                sink.flush();
                sink.blocks.push(Block::Math(latex));
            }
            Some(latex) => sink.push(Piece {
                kind: PieceKind::Math(latex),
                link: ctx.link.clone(),
            }),
            None => {
                let source = mathml::clean_source(node);
                if source.len() > MAX_MATHML {
                    return;
                }
                sink.flush();
                sink.blocks.push(Block::MathMl(source));
            }
        }
    }
}

/// Whether the equation is the only thing its parent shows (no text or other element beside it).
fn stands_alone(node: &DomNode<'_>) -> bool {
    let Some(parent) = node.parent() else {
        return true;
    };
    parent.children().all(|sibling| {
        sibling.id() == node.id() || dom::is_blank_text(&sibling) || sibling.value().is_comment()
    })
}

//! Whitespace and piece tidying, the way a browser would show the text.
//!
//! HTML collapses runs of whitespace and ignores it at the edges of a block; Markdown does not,
//! and its emphasis markers break when they touch a space (`** bold**` is not bold). So before a
//! run of inline pieces becomes a paragraph it is normalised:
//!
//! 1. whitespace collapses to single spaces, and goes at the start, the end and around `<br>`;
//! 2. spaces at the edges of formatted or linked text move outside it (`<b>bold </b>x` →
//!    `**bold** x`), taking only the formatting both neighbours share;
//! 3. neighbouring pieces with the same formatting and link merge.
//!
//! A no-break space (U+00A0) is content, not whitespace, as in a browser: OneNote uses it to
//! indent code.

use super::model::{Format, Piece, PieceKind};

/// The normalised pieces; empty when there was nothing but whitespace and line breaks.
pub(crate) fn pieces(raw: Vec<Piece>) -> Vec<Piece> {
    let collapsed = collapse(raw);
    let split = split_edge_spaces(collapsed);
    merge(split)
}

/// The same pieces without bold (for places that are bold already, like table headers).
pub(crate) fn without_bold(pieces: &[Piece]) -> Vec<Piece> {
    let unbolded = pieces
        .iter()
        .cloned()
        .map(|mut piece| {
            if let PieceKind::Text { format, .. } = &mut piece.kind {
                format.bold = false;
            }
            piece
        })
        .collect();
    merge(unbolded)
}

/// Whether there is anything to show: an image, an attachment or a visible character.
pub(crate) fn has_visible_content(pieces: &[Piece]) -> bool {
    pieces.iter().any(|piece| match &piece.kind {
        PieceKind::Text { text, .. } => text.chars().any(|c| !c.is_whitespace()),
        PieceKind::Break => false,
        PieceKind::Image { .. } | PieceKind::Attachment { .. } | PieceKind::Math(_) => true,
    })
}

/// The text of a run that is monospace throughout (so a code block), with `<br>` as a newline
/// and no-break spaces as spaces; `None` if any part is not code, is an image, or is a link.
pub(crate) fn code_text(pieces: &[Piece]) -> Option<String> {
    let mut code = String::new();
    let mut any_code = false;
    for piece in pieces {
        if piece.link.is_some() {
            return None;
        }
        match &piece.kind {
            PieceKind::Text { text, format } => {
                if format.code {
                    any_code = true;
                } else if !text.chars().all(char::is_whitespace) {
                    return None;
                }
                code.extend(text.chars().map(|c| if c == '\u{A0}' { ' ' } else { c }));
            }
            PieceKind::Break => code.push('\n'),
            PieceKind::Image { .. } | PieceKind::Attachment { .. } | PieceKind::Math(_) => {
                return None;
            }
        }
    }
    any_code.then_some(code)
}

/// Code ready to fence: trailing spaces gone, no blank lines at either end, at most one blank
/// line in a row; `None` when nothing is left.
pub(crate) fn tidy_code(code: &str) -> Option<String> {
    let mut lines: Vec<&str> = Vec::new();
    for line in code.lines().map(str::trim_end) {
        let repeated_blank = line.is_empty() && lines.last().is_none_or(|last| last.is_empty());
        if !repeated_blank {
            lines.push(line);
        }
    }
    while lines.last().is_some_and(|last| last.is_empty()) {
        lines.pop();
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Step 1: collapse whitespace, drop it at the edges and around breaks, drop control characters.
/// (In place: the pieces kept are moved to the front, the rest cut off at the end.)
fn collapse(mut pieces: Vec<Piece>) -> Vec<Piece> {
    // `pieces[..kept]` is the result so far.
    let mut kept = 0;
    // At the start of a line, or just after a space: a following space would be a repeat.
    let mut after_space = true;
    for index in 0..pieces.len() {
        let keep = match &mut pieces[index].kind {
            PieceKind::Text { text, .. } => {
                collapse_text(text);
                if after_space {
                    let leading = text.len() - text.trim_start_matches(' ').len();
                    text.drain(..leading);
                }
                if text.is_empty() {
                    false
                } else {
                    after_space = text.ends_with(' ');
                    true
                }
            }
            PieceKind::Break => {
                kept = trim_trailing_spaces(&mut pieces[..kept]);
                after_space = true;
                true
            }
            PieceKind::Image { .. } | PieceKind::Attachment { .. } | PieceKind::Math(_) => {
                after_space = false;
                true
            }
        };
        if keep {
            pieces.swap(kept, index);
            kept += 1;
        }
    }
    pieces.truncate(kept);
    // No line breaks at the start or the end of a paragraph.
    let leading_breaks = pieces
        .iter()
        .take_while(|p| p.kind == PieceKind::Break)
        .count();
    pieces.drain(..leading_breaks);
    while pieces.last().is_some_and(|p| p.kind == PieceKind::Break) {
        pieces.pop();
    }
    let kept = trim_trailing_spaces(&mut pieces);
    pieces.truncate(kept);
    pieces
}

/// Runs of ASCII whitespace become one space; other control characters go. Text that is tidy
/// already (most of it) is kept as it is.
fn collapse_text(text: &mut String) {
    let mut previous_space = false;
    let tidy = text.chars().all(|c| {
        let ok = if c == ' ' {
            !previous_space
        } else {
            !c.is_ascii_whitespace() && !c.is_control()
        };
        previous_space = c == ' ';
        ok
    });
    if tidy {
        return;
    }
    let mut collapsed = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_ascii_whitespace() {
            if !in_space {
                collapsed.push(' ');
            }
            in_space = true;
        } else {
            in_space = false;
            if !c.is_control() {
                collapsed.push(c);
            }
        }
    }
    *text = collapsed;
}

/// Trims spaces off the end of the text at the end of `pieces`, dropping text pieces left
/// empty; returns how many pieces are left.
fn trim_trailing_spaces(pieces: &mut [Piece]) -> usize {
    let mut len = pieces.len();
    while let Some(Piece {
        kind: PieceKind::Text { text, .. },
        ..
    }) = len.checked_sub(1).map(|last| &mut pieces[last])
    {
        let trimmed_len = text.trim_end_matches(' ').len();
        text.truncate(trimmed_len);
        if !text.is_empty() {
            break;
        }
        len -= 1;
    }
    len
}

/// Step 2: a space at the edge of formatted or linked text becomes a piece of its own, with the
/// formatting and link its neighbours share (none, when they are in different links).
fn split_edge_spaces(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut split = if pieces.iter().any(has_edge_space_to_split) {
        split_off_edge_spaces(pieces)
    } else {
        pieces
    };
    set_lone_space_formats(&mut split);
    split
}

/// Formatted or linked text with a space at either edge (and more than spaces).
fn has_edge_space_to_split(piece: &Piece) -> bool {
    let PieceKind::Text { text, format } = &piece.kind else {
        return false;
    };
    let plain = *format == Format::default() && piece.link.is_none();
    let core = text.trim_matches(' ');
    !(plain || core.is_empty() || core.len() == text.len())
}

fn split_off_edge_spaces(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut split: Vec<Piece> = Vec::with_capacity(pieces.len() + 4);
    for piece in pieces {
        if !has_edge_space_to_split(&piece) {
            split.push(piece);
            continue;
        }
        let PieceKind::Text { text, format } = &piece.kind else {
            continue;
        };
        let core = text.trim_matches(' ');
        if text.starts_with(' ') {
            split.push(Piece::text(" ", *format, piece.link.clone()));
        }
        split.push(Piece::text(core, *format, piece.link.clone()));
        if text.ends_with(' ') {
            split.push(Piece::text(" ", *format, piece.link.clone()));
        }
    }
    split
}

/// A space takes only what both neighbours have: `**a** b`, not `**a **b`.
fn set_lone_space_formats(split: &mut [Piece]) {
    for index in 0..split.len() {
        if split[index].as_text().is_none_or(|(text, _)| text != " ") {
            continue;
        }
        let neighbour = |at: Option<usize>| {
            at.and_then(|i| split.get(i))
                .and_then(|p| p.as_text().map(|(_, format)| (format, p.link.clone())))
        };
        let (format, link) = match (neighbour(index.checked_sub(1)), neighbour(Some(index + 1))) {
            // Marks are closed at link boundaries, so a space between different links (or a
            // link and plain text) is plain.
            (Some((before, before_link)), Some((after, after_link)))
                if before_link == after_link =>
            {
                (before.common(after), before_link)
            }
            _ => (Format::default(), None),
        };
        split[index] = Piece::text(
            " ",
            Format {
                code: false,
                ..format
            },
            link,
        );
    }
}

/// Step 3: neighbouring text with the same formatting and link becomes one piece.
fn merge(mut pieces: Vec<Piece>) -> Vec<Piece> {
    pieces.dedup_by(|next, kept| {
        if next.link != kept.link {
            return false;
        }
        match (&mut kept.kind, &next.kind) {
            (
                PieceKind::Text {
                    text: kept_text,
                    format: kept_format,
                },
                PieceKind::Text { text, format },
            ) if kept_format == format => {
                kept_text.push_str(text);
                true
            }
            _ => false,
        }
    });
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bold() -> Format {
        Format {
            bold: true,
            ..Format::default()
        }
    }

    fn texts(pieces: &[Piece]) -> Vec<(String, bool)> {
        pieces
            .iter()
            .filter_map(|p| p.as_text().map(|(t, f)| (t.to_owned(), f.bold)))
            .collect()
    }

    #[test]
    fn collapses_and_moves_spaces_out_of_formatting() {
        let raw = vec![
            Piece::text("\n   Budget  is ", Format::default(), None),
            Piece::text(" fixed ", bold(), None),
            Piece::text("\t.", Format::default(), None),
        ];
        assert_eq!(
            texts(&pieces(raw)),
            [
                ("Budget is ".to_owned(), false),
                ("fixed".to_owned(), true),
                (" .".to_owned(), false)
            ]
        );
    }

    #[test]
    fn spaces_between_bold_words_stay_bold() {
        let raw = vec![
            Piece::text("one ", bold(), None),
            Piece::text("two", bold(), None),
        ];
        assert_eq!(texts(&pieces(raw)), [("one two".to_owned(), true)]);
    }

    #[test]
    fn breaks_at_the_edges_go() {
        let brk = || Piece {
            kind: PieceKind::Break,
            link: None,
        };
        let raw = vec![
            brk(),
            Piece::text("a ", Format::default(), None),
            brk(),
            brk(),
        ];
        let normalised = pieces(raw);
        assert_eq!(normalised.len(), 1);
        assert_eq!(texts(&normalised), [("a".to_owned(), false)]);
    }

    #[test]
    fn tidies_code() {
        assert_eq!(
            tidy_code("  \n a  \n\n\n b\n \n").as_deref(),
            Some(" a\n\n b")
        );
        assert_eq!(tidy_code(" \n "), None);
    }
}

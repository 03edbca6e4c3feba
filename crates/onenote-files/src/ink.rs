//! A page's ink strokes written as the InkML Graph gives beside a page (`includeInkML=true`), so
//! the converter draws them as it draws a Graph page's ink: one `inkml:ink` document per drawing,
//! points in himetric units (the parser's ink units are 1/100 mm: the same).
//!
//! Only numbers reach the InkML: coordinates, widths and a `#RRGGBB` colour made here.

use std::fmt::Write as _;

use onenote_parser::contents::{Ink, InkStroke};

/// The most points written for one page (the converter reads no more either).
const MAX_POINTS: usize = 200_000;
/// How deep ink groups may nest.
const MAX_DEPTH: usize = 16;

/// The InkML for a page's drawings, each a group of ink objects drawn as one; `None` when they
/// hold no stroke.
pub fn inkml(drawings: &[Vec<Ink>]) -> Option<String> {
    let mut out = String::new();
    let mut budget = MAX_POINTS;
    for drawing in drawings {
        let mut strokes = Vec::new();
        for ink in drawing {
            collect(ink, 0, &mut strokes);
        }
        if strokes.is_empty() {
            continue;
        }
        let mut brushes = String::new();
        let mut traces = String::new();
        for (n, stroke) in strokes.iter().enumerate() {
            let color = stroke.color().map_or(0, colorref_to_rgb);
            let _ = write!(
                brushes,
                "<inkml:brush xml:id=\"br{n}\"><inkml:brushProperty name=\"width\" value=\"{}\" units=\"himetric\"/><inkml:brushProperty name=\"color\" value=\"#{color:06X}\"/>",
                number(stroke.width().max(1.0))
            );
            if let Some(t) = stroke.transparency() {
                let _ = write!(
                    brushes,
                    "<inkml:brushProperty name=\"transparency\" value=\"{}\"/>",
                    255 - u16::from(t)
                );
            }
            brushes.push_str("</inkml:brush>");
            let _ = write!(traces, "<inkml:trace brushRef=\"#br{n}\">");
            for (i, point) in stroke.absolute_path().iter().enumerate() {
                if budget == 0 {
                    break;
                }
                budget -= 1;
                if i > 0 {
                    traces.push_str(", ");
                }
                let _ = write!(traces, "{} {}", number(point.x()), number(point.y()));
            }
            traces.push_str("</inkml:trace>");
        }
        let _ = write!(
            out,
            "<inkml:ink xmlns:inkml=\"http://www.w3.org/2003/InkML\"><inkml:definitions>{brushes}</inkml:definitions><inkml:traceGroup>{traces}</inkml:traceGroup></inkml:ink>"
        );
    }
    (!out.is_empty()).then_some(out)
}

fn collect<'a>(ink: &'a Ink, depth: usize, strokes: &mut Vec<&'a InkStroke>) {
    strokes.extend(ink.ink_strokes().iter().filter(|s| !s.path().is_empty()));
    if depth < MAX_DEPTH {
        for group in ink.child_groups() {
            collect(group, depth + 1, strokes);
        }
    }
}

/// OneNote keeps colours as a Windows COLORREF (`0x00BBGGRR`).
fn colorref_to_rgb(value: u32) -> u32 {
    let (r, g, b) = (value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff);
    (r << 16) | (g << 8) | b
}

/// A coordinate as text; a number that is not finite becomes 0 (the converter skips it).
fn number(value: f32) -> String {
    if value.is_finite() {
        format!("{value:.0}")
    } else {
        "0".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_turned_from_bgr() {
        assert_eq!(colorref_to_rgb(0x00FF_0000), 0x0000_00FF);
        assert_eq!(colorref_to_rgb(0x0000_00FF), 0x00FF_0000);
    }

    #[test]
    fn nothing_to_draw_is_no_inkml() {
        assert_eq!(inkml(&[]), None);
        assert_eq!(inkml(&[vec![]]), None);
    }
}

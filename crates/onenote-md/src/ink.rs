//! Ink: the InkML OneNote returns beside a page (`includeInkML=true`, docs/protocol.md §10.9)
//! drawn as SVG images.
//!
//! The SVG is written here from the numbers alone — points, pen width and a `#RRGGBB` colour —
//! so nothing of the input reaches it as markup. Coordinates are himetric (1/100 mm) and become
//! CSS pixels (96 per inch). Each `inkml:ink` root is one drawing; a root whose strokes are split
//! into several top-level trace groups gives one drawing per group.

use std::collections::HashMap;
use std::fmt::Write as _;

/// Himetric units per CSS pixel.
const HIMETRIC_PER_PX: f64 = 2540.0 / 96.0;
/// The most points read from one page (the rest is left out, not drawn wrong).
const MAX_POINTS: usize = 200_000;
/// The most drawings one page gives.
const MAX_DRAWINGS: usize = 64;
/// The largest InkML read.
const MAX_INKML: usize = 16 * 1024 * 1024;

/// One drawing: an SVG document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Drawing {
    pub svg: String,
}

#[derive(Debug, Clone)]
struct Pen {
    color: String,
    width_px: f64,
    opacity: f64,
}

impl Default for Pen {
    fn default() -> Self {
        Pen {
            color: "#000000".into(),
            width_px: 53.0 / HIMETRIC_PER_PX,
            opacity: 1.0,
        }
    }
}

struct Stroke {
    pen: Pen,
    points: Vec<(f64, f64)>,
}

/// The drawings of a page's InkML, in document order; empty when it holds no strokes or is not
/// InkML.
pub(crate) fn drawings(inkml: &str) -> Vec<Drawing> {
    if inkml.len() > MAX_INKML {
        return Vec::new();
    }
    // A page may carry several `inkml:ink` documents one after another: read them as one.
    let mut body = String::with_capacity(inkml.len() + 64);
    let mut rest = inkml;
    while let Some(start) = rest.find("<?xml") {
        body.push_str(&rest[..start]);
        match rest[start..].find("?>") {
            Some(end) => rest = &rest[start + end + 2..],
            None => return Vec::new(),
        }
    }
    body.push_str(rest);
    let wrapped = format!("<inks>{body}</inks>");
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 1_000_000,
        ..roxmltree::ParsingOptions::default()
    };
    let Ok(document) = roxmltree::Document::parse_with_options(&wrapped, options) else {
        return Vec::new();
    };
    let mut budget = MAX_POINTS;
    let mut out = Vec::new();
    for ink in document.root_element().children().filter(|n| is(n, "ink")) {
        let pens = pens(&ink);
        let groups: Vec<roxmltree::Node<'_, '_>> =
            ink.children().filter(|n| is(n, "traceGroup")).collect();
        let loose: Vec<roxmltree::Node<'_, '_>> =
            ink.children().filter(|n| is(n, "trace")).collect();
        let mut parts: Vec<Vec<Stroke>> = Vec::new();
        if groups.len() > 1 {
            for group in &groups {
                parts.push(strokes(group, &pens, &mut budget));
            }
        } else {
            let mut all = Vec::new();
            for group in &groups {
                all.extend(strokes(group, &pens, &mut budget));
            }
            parts.push(all);
        }
        if !loose.is_empty() {
            let mut strokes_here = Vec::new();
            for trace in loose {
                strokes_here.extend(stroke(&trace, &pens, &mut budget));
            }
            parts.push(strokes_here);
        }
        for part in parts {
            if let Some(svg) = svg(&part)
                && out.len() < MAX_DRAWINGS
            {
                out.push(Drawing { svg });
            }
        }
    }
    out
}

fn is(node: &roxmltree::Node<'_, '_>, local: &str) -> bool {
    node.is_element() && node.tag_name().name() == local
}

/// The brushes by id (`br0` for `brushRef="#br0"`).
fn pens(ink: &roxmltree::Node<'_, '_>) -> HashMap<String, Pen> {
    let mut pens = HashMap::new();
    for brush in ink.descendants().filter(|n| is(n, "brush")) {
        let Some(id) = brush.attribute(("http://www.w3.org/XML/1998/namespace", "id")) else {
            continue;
        };
        let mut pen = Pen::default();
        for property in brush.children().filter(|n| is(n, "brushProperty")) {
            let value = property.attribute("value").unwrap_or_default().trim();
            match property.attribute("name") {
                Some("color") if is_hex_color(value) => pen.color = value.to_ascii_uppercase(),
                Some("width") => {
                    if let Ok(width) = value.parse::<f64>()
                        && width.is_finite()
                    {
                        pen.width_px = (width / HIMETRIC_PER_PX).clamp(0.2, 60.0);
                    }
                }
                Some("transparency") => {
                    if let Ok(t) = value.parse::<f64>()
                        && t.is_finite()
                    {
                        pen.opacity = (1.0 - t / 255.0).clamp(0.05, 1.0);
                    }
                }
                _ => {}
            }
        }
        pens.insert(id.to_string(), pen);
    }
    pens
}

fn is_hex_color(value: &str) -> bool {
    value.len() == 7 && value.starts_with('#') && value[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// The strokes under a trace group, nested groups included.
fn strokes(
    group: &roxmltree::Node<'_, '_>,
    pens: &HashMap<String, Pen>,
    budget: &mut usize,
) -> Vec<Stroke> {
    group
        .descendants()
        .filter(|n| is(n, "trace"))
        .filter_map(|trace| stroke(&trace, pens, budget))
        .collect()
}

fn stroke(
    trace: &roxmltree::Node<'_, '_>,
    pens: &HashMap<String, Pen>,
    budget: &mut usize,
) -> Option<Stroke> {
    let pen = trace
        .attribute("brushRef")
        .and_then(|r| pens.get(r.trim_start_matches('#')))
        .cloned()
        .unwrap_or_default();
    let mut points = Vec::new();
    for point in trace.text().unwrap_or_default().split(',') {
        if *budget == 0 {
            break;
        }
        let mut numbers = point.split_whitespace().map(str::parse::<f64>);
        let (Some(Ok(x)), Some(Ok(y))) = (numbers.next(), numbers.next()) else {
            continue;
        };
        if x.is_finite() && y.is_finite() && x.abs() < 1e9 && y.abs() < 1e9 {
            points.push((x / HIMETRIC_PER_PX, y / HIMETRIC_PER_PX));
            *budget -= 1;
        }
    }
    (!points.is_empty()).then_some(Stroke { pen, points })
}

/// The SVG of some strokes, cropped to them with room for the pen; `None` without strokes.
fn svg(strokes: &[Stroke]) -> Option<String> {
    let first = strokes.first()?.points.first()?;
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (first.0, first.1, first.0, first.1);
    let mut margin: f64 = 1.0;
    for stroke in strokes {
        margin = margin.max(stroke.pen.width_px);
        for (x, y) in &stroke.points {
            min_x = min_x.min(*x);
            min_y = min_y.min(*y);
            max_x = max_x.max(*x);
            max_y = max_y.max(*y);
        }
    }
    let (left, top) = (min_x - margin, min_y - margin);
    let (width, height) = (max_x - min_x + 2.0 * margin, max_y - min_y + 2.0 * margin);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"{l} {t} {w} {h}\">\n",
        w = number(width),
        h = number(height),
        l = number(left),
        t = number(top),
    );
    for stroke in strokes {
        let mut d = String::new();
        for (i, (x, y)) in stroke.points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{} {} ",
                if i == 0 { 'M' } else { 'L' },
                number(*x),
                number(*y)
            );
        }
        if stroke.points.len() == 1 {
            // A dot: a zero-length line drawn with round caps.
            d.push_str("l0 0 ");
        }
        let opacity = if stroke.pen.opacity < 1.0 {
            format!(" stroke-opacity=\"{}\"", number(stroke.pen.opacity))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{opacity} stroke-linecap=\"round\" stroke-linejoin=\"round\"/>",
            d.trim_end(),
            stroke.pen.color,
            number(stroke.pen.width_px),
        );
    }
    out.push_str("</svg>\n");
    Some(out)
}

/// A coordinate with at most two decimals.
fn number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INK: &str = r##"<?xml version="1.0" encoding="utf-8"?>
<inkml:ink xmlns:inkml="http://www.w3.org/2003/InkML">
<inkml:definitions>
<inkml:brush xml:id="br0"><inkml:brushProperty name="width" value="53" units="himetric" /><inkml:brushProperty name="color" value="#1F4E79" /></inkml:brush>
<inkml:brush xml:id="br1"><inkml:brushProperty name="width" value="106" units="himetric" /><inkml:brushProperty name="color" value="red&quot; onload=&quot;x" /></inkml:brush>
</inkml:definitions>
<inkml:traceGroup>
<inkml:trace xml:id="st0" brushRef="#br0">2540 2540 100, 5080 2540 100</inkml:trace>
<inkml:trace xml:id="st1" brushRef="#br1">2540 5080 100</inkml:trace>
</inkml:traceGroup>
</inkml:ink>"##;

    #[test]
    fn strokes_become_paths_in_pixels() {
        let drawings = drawings(INK);
        assert_eq!(drawings.len(), 1);
        let svg = &drawings[0].svg;
        assert!(svg.contains("M96 96 L192 96"), "{svg}");
        assert!(
            svg.contains("stroke=\"#1F4E79\" stroke-width=\"2\""),
            "{svg}"
        );
        // A colour that is not #RRGGBB is not copied into the SVG.
        assert!(
            !svg.contains("onload") && svg.contains("stroke=\"#000000\""),
            "{svg}"
        );
        assert!(svg.contains("l0 0"), "a one-point stroke is a dot");
    }

    #[test]
    fn several_roots_are_several_drawings_and_junk_is_none() {
        let two = format!("{INK}\n{INK}");
        assert_eq!(drawings(&two).len(), 2);
        assert!(drawings("not xml <").is_empty());
        assert!(drawings("<inkml:ink xmlns:inkml=\"http://www.w3.org/2003/InkML\"><inkml:traceGroup/></inkml:ink>").is_empty());
        assert!(drawings("<!DOCTYPE x [<!ENTITY a \"b\">]><x/>").is_empty());
    }
}

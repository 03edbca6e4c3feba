//! Ink on a page, as `GET …/content?includeInkML=true` returns it: a `multipart/mixed` answer
//! with the page's HTML and its strokes as InkML (`application/inkml+xml`). Microsoft announced
//! the parameter in https://devblogs.microsoft.com/microsoft365dev/onenote-ink-beta-apis and
//! documents it nowhere else; the shape here is what clients of the live service report
//! (https://github.com/sspeiser/onenote-export/issues/2 among them):
//! * the boundary is a GUID, quoted in the `Content-Type`; lines end in CRLF; each part has only
//!   a `Content-Type` (`text/html`, then `application/inkml+xml`, both `charset=utf-8`);
//! * the InkML is OneNote's own spelling: one `inkml:context` with X, Y (himetric) and F
//!   (pressure) channels, one `inkml:brush` per colour and width, and a `trace` per stroke of
//!   absolute `X Y F` points. Ink has no place in the HTML, which keeps
//!   `<!-- InkNode is not supported -->` where the drawing was;
//! * a page without ink answers plain `text/html` even when ink is asked for (reports differ
//!   here; this is what https://github.com/dovrosenberg/onenote-mcp measured).

use std::fmt::Write;

use uuid::Uuid;

/// One stroke: its brush and its points, in himetric (1/100 mm; 1 px = 2540/96 himetric).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stroke {
    /// `#RRGGBB`.
    pub color: String,
    /// Pen width in himetric.
    pub width: u32,
    /// `(x, y, pressure)`; pressure runs 0 to 32767.
    pub points: Vec<(u32, u32, u32)>,
}

/// The InkML document of a page's strokes.
pub fn inkml(strokes: &[Stroke]) -> String {
    let mut brushes: Vec<(&str, u32)> = Vec::new();
    for stroke in strokes {
        if !brushes.contains(&(stroke.color.as_str(), stroke.width)) {
            brushes.push((stroke.color.as_str(), stroke.width));
        }
    }
    let mut out = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n",
        "<inkml:ink xmlns:emma=\"http://www.w3.org/2003/04/emma\" ",
        "xmlns:msink=\"http://schemas.microsoft.com/ink/2010/main\" ",
        "xmlns:inkml=\"http://www.w3.org/2003/InkML\">\r\n",
        "<inkml:definitions>\r\n",
        "<inkml:context xml:id=\"ctxCoordinatesWithPressure\">\r\n",
        "<inkml:inkSource xml:id=\"inkSrcCoordinatesWithPressure\">\r\n",
        "<inkml:traceFormat>\r\n",
        "<inkml:channel name=\"X\" type=\"integer\" max=\"32767\" units=\"himetric\" />\r\n",
        "<inkml:channel name=\"Y\" type=\"integer\" max=\"32767\" units=\"himetric\" />\r\n",
        "<inkml:channel name=\"F\" type=\"integer\" max=\"32767\" units=\"dev\" />\r\n",
        "</inkml:traceFormat>\r\n",
        "<inkml:channelProperties>\r\n",
        "<inkml:channelProperty channel=\"X\" name=\"resolution\" value=\"1\" units=\"1/himetric\" />\r\n",
        "<inkml:channelProperty channel=\"Y\" name=\"resolution\" value=\"1\" units=\"1/himetric\" />\r\n",
        "<inkml:channelProperty channel=\"F\" name=\"resolution\" value=\"1\" units=\"1/dev\" />\r\n",
        "</inkml:channelProperties>\r\n",
        "</inkml:inkSource>\r\n",
        "</inkml:context>\r\n",
    ));
    for (i, (color, width)) in brushes.iter().enumerate() {
        let _ = write!(
            out,
            concat!(
                "<inkml:brush xml:id=\"br{i}\">\r\n",
                "<inkml:brushProperty name=\"width\" value=\"{w}\" units=\"himetric\" />\r\n",
                "<inkml:brushProperty name=\"height\" value=\"{w}\" units=\"himetric\" />\r\n",
                "<inkml:brushProperty name=\"color\" value=\"{c}\" />\r\n",
                "<inkml:brushProperty name=\"transparency\" value=\"0\" />\r\n",
                "<inkml:brushProperty name=\"tip\" value=\"ellipse\" />\r\n",
                "<inkml:brushProperty name=\"rasterOp\" value=\"copyPen\" />\r\n",
                "<inkml:brushProperty name=\"ignorePressure\" value=\"false\" />\r\n",
                "<inkml:brushProperty name=\"antiAliased\" value=\"true\" />\r\n",
                "<inkml:brushProperty name=\"fitToCurve\" value=\"false\" />\r\n",
                "</inkml:brush>\r\n"
            ),
            i = i,
            w = width,
            c = xml_attr(color),
        );
    }
    out.push_str("</inkml:definitions>\r\n<inkml:traceGroup>\r\n");
    for (i, stroke) in strokes.iter().enumerate() {
        let brush = brushes
            .iter()
            .position(|b| *b == (stroke.color.as_str(), stroke.width))
            .unwrap_or(0);
        let points: Vec<String> = stroke
            .points
            .iter()
            .map(|(x, y, f)| format!("{x} {y} {f}"))
            .collect();
        let _ = write!(
            out,
            "<inkml:trace xml:id=\"st{i}\" contextRef=\"#ctxCoordinatesWithPressure\" brushRef=\"#br{brush}\">{}</inkml:trace>\r\n",
            points.join(", ")
        );
    }
    out.push_str("</inkml:traceGroup>\r\n</inkml:ink>\r\n");
    out
}

/// The `multipart/mixed` answer: its `Content-Type` and its body.
pub fn multipart(html: &str, strokes: &[Stroke], boundary: Uuid) -> (String, String) {
    let mut body = String::with_capacity(html.len() + 4096);
    let _ = write!(
        body,
        "--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{}\r\n",
        html.replace("\r\n", "\n").replace('\n', "\r\n")
    );
    let _ = write!(
        body,
        "--{boundary}\r\nContent-Type: application/inkml+xml; charset=utf-8\r\n\r\n{}\r\n--{boundary}--\r\n",
        inkml(strokes)
    );
    (format!("multipart/mixed; boundary=\"{boundary}\""), body)
}

fn xml_attr(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strokes_share_brushes_and_the_parts_are_framed() {
        let pen = |color: &str, points| Stroke {
            color: color.into(),
            width: 53,
            points,
        };
        let strokes = [
            pen("#0000FF", vec![(100, 200, 9000), (300, 400, 9100)]),
            pen("#0000FF", vec![(500, 600, 9200)]),
            pen("#FF0000", vec![(700, 800, 9300)]),
        ];
        let ink = inkml(&strokes);
        assert_eq!(ink.matches("<inkml:brush ").count(), 2);
        assert!(ink.contains("brushRef=\"#br0\">100 200 9000, 300 400 9100</inkml:trace>"));
        assert!(ink.contains(
            "xml:id=\"st2\" contextRef=\"#ctxCoordinatesWithPressure\" brushRef=\"#br1\""
        ));

        let boundary = Uuid::from_u128(7);
        let (content_type, body) = multipart("<html>\n</html>", &strokes, boundary);
        assert_eq!(
            content_type,
            format!("multipart/mixed; boundary=\"{boundary}\"")
        );
        assert_eq!(body.matches(&format!("--{boundary}\r\n")).count(), 2);
        assert!(body.ends_with(&format!("--{boundary}--\r\n")));
        assert!(body.contains("<html>\r\n</html>"));
    }
}

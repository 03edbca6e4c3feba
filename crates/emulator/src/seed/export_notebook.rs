//! The export-sized notebook: what a whole-notebook exporter meets in a real one, in one seeded
//! user's OneNote (Katherine's, so the demo's users stay quick to read). It is built from rules,
//! not listed, and is the same on every start (same ids, titles and bytes):
//!
//! * more than 250 pages, over section groups three deep (`Missions > Apollo > Apollo 11`);
//! * a section with more than 100 pages (`Trajectories`), with subpages at levels 1 and 2;
//! * links between pages, in both of the forms the OneNote client writes, and one to a page
//!   deleted since (on `Telemetry dump`);
//! * more than 60 images and attachments, one of them larger than 5 MB;
//! * duplicate titles in one section, titles with characters no file system takes (`:`, `/`,
//!   `?`, `<`, `>`, `|`, `*`, `"`, `\`, reserved Windows names, trailing dots and spaces), an
//!   untitled page, an empty page, a page that is only an image, and an empty section.

use super::builtin_notebooks::tiny_pdf;
use super::onenote::{
    NotebookSeed, PageSeed, ResourceData, ResourceSeed, SectionGroupSeed, SectionSeed,
};

/// The notebook's name (links name pages by their path from it).
pub const EXPORT_NOTEBOOK: &str = "Flight Research";
/// How many top-level pages the big section has; every tenth has two subpages.
const TRAJECTORIES: u32 = 120;
/// The size of the large attachment.
pub const LARGE_ATTACHMENT_BYTES: u64 = 6 * 1024 * 1024;

/// The export-sized notebook.
pub fn export_notebook() -> NotebookSeed {
    NotebookSeed {
        display_name: EXPORT_NOTEBOOK.into(),
        is_default: true,
        created: Some("2024-02-20T08:00:00Z".into()),
        sections: vec![
            trajectories(),
            awkward_names(),
            instruments(),
            SectionSeed::new("Unfiled", vec![]),
        ],
        section_groups: vec![missions()],
        files: None,
    }
}

/// A small picture whose size and drawing vary with `n`.
fn png(name: &str, n: u32) -> ResourceSeed {
    ResourceSeed::png(name, 120 + (n % 5) * 40, 90 + (n % 3) * 30, n)
}

/// `Trajectories`: the big section. Page `n` links to the page before it (client form) and to
/// a mission page (web form); every fifth has a plot; every tenth has two subpages.
fn trajectories() -> SectionSeed {
    let mut pages = Vec::new();
    for n in 1..=TRAJECTORIES {
        let mut body = format!(
            "<h1>Trajectory {n}</h1>\n<p>Launch azimuth {azimuth}°, burn time {burn} s.</p>\n<ul><li>Apogee {apogee} km</li><li>Perigee {perigee} km</li></ul>\n<p data-tag=\"to-do{done}\">Check the figures of run {n}</p>",
            azimuth = 70 + n % 40,
            burn = 300 + n * 3,
            apogee = 250 + n * 7 % 90,
            perigee = 160 + n * 3 % 40,
            done = if n % 4 == 0 { ":completed" } else { "" },
        );
        if n > 1 {
            body.push_str(&format!(
                "\n<p>Follows <a href=\"seed:client/{EXPORT_NOTEBOOK} > Trajectories > Trajectory {}\">Trajectory {}</a>.</p>",
                n - 1,
                n - 1
            ));
        }
        if n % 15 == 0 {
            body.push_str(&format!(
                "\n<p>Flown on <a href=\"seed:page/{EXPORT_NOTEBOOK} > Missions > Mercury > Friendship 7 > Orbit > Orbit {}\">orbit {}</a>.</p>",
                n / 15,
                n / 15
            ));
        }
        let mut page = PageSeed::new(format!("Trajectory {n}"), body);
        if n % 5 == 0 {
            page.body.push_str(&format!(
                "\n<img src=\"name:plot\" alt=\"Plot of run {n}\" />"
            ));
            page.resources.push(png("plot", n));
        }
        pages.push(page);
        if n % 10 == 0 {
            for (level, part) in [(1, "details"), (2, "raw figures")] {
                pages.push(PageSeed {
                    level,
                    ..PageSeed::new(
                        format!("Trajectory {n} {part}"),
                        format!("<p>The {part} of trajectory {n}.</p>"),
                    )
                });
            }
        }
    }
    SectionSeed::new("Trajectories", pages)
}

/// Titles a file system will not take, duplicates, and pages with almost nothing on them.
fn awkward_names() -> SectionSeed {
    let titled = |title: &str| {
        PageSeed::new(
            title,
            format!(
                "<p>A page called {}.</p>",
                title.replace('&', "&amp;").replace('<', "&lt;")
            ),
        )
    };
    let mut pages: Vec<PageSeed> = [
        "Notes",
        "Notes",
        "Notes",
        "Q3: plan/review?",
        "a<b>c|d*e\"f",
        "back\\slash",
        "CON",
        "aux.txt",
        "Trailing dot.",
        "Trailing space ",
        "Émigré café — naïve",
        "Emoji 🚀 launch",
        "",
    ]
    .iter()
    .map(|t| titled(t))
    .collect();
    pages.push(titled(&format!(
        "A very long title {}",
        "that goes on ".repeat(20)
    )));
    pages.push(PageSeed::new("Empty page", ""));
    pages.push(PageSeed {
        resources: vec![png("only", 99)],
        ..PageSeed::new("Only an image", "<img src=\"name:only\" alt=\"\" />")
    });
    SectionSeed::new("Awkward names", pages)
}

/// Images and attachments: ten instrument pages with four pictures each and a file each, and
/// the large telemetry dump.
fn instruments() -> SectionSeed {
    let mut pages = Vec::new();
    for n in 1..=10u32 {
        let mut body = format!("<h1>Instrument {n}</h1>\n<p>Readings and photographs.</p>");
        let mut resources = Vec::new();
        for i in 1..=4 {
            let name = format!("photo{i}");
            body.push_str(&format!(
                "\n<img src=\"name:{name}\" alt=\"Instrument {n}, view {i}\" />"
            ));
            resources.push(png(&name, n * 10 + i));
        }
        let (file, content_type, data) = if n % 2 == 0 {
            (
                format!("calibration-{n}.csv"),
                "text/csv",
                ResourceData::Text(format!("reading,value\nzero,{}\nspan,{}\n", n, n * 100)),
            )
        } else {
            (
                format!("manual-{n}.pdf"),
                "application/pdf",
                ResourceData::Text(tiny_pdf(&format!("Instrument {n} manual"))),
            )
        };
        body.push_str(&format!(
            "\n<object data=\"name:file\" data-attachment=\"{file}\" type=\"{content_type}\" />"
        ));
        resources.push(ResourceSeed {
            name: "file".into(),
            content_type: content_type.into(),
            data,
        });
        pages.push(PageSeed {
            resources,
            ..PageSeed::new(format!("Instrument {n}"), body)
        });
    }
    pages.push(PageSeed {
        resources: vec![ResourceSeed {
            name: "dump".into(),
            content_type: "application/octet-stream".into(),
            data: ResourceData::Generated {
                size: LARGE_ATTACHMENT_BYTES,
                seed: 7,
            },
        }],
        ..PageSeed::new(
            "Telemetry dump",
            "<p>The full telemetry of the last flight:</p>\n<object data=\"name:dump\" data-attachment=\"telemetry.bin\" type=\"application/octet-stream\" />\n<p>It replaces <a href=\"seed:missing\">the old telemetry plan</a>, deleted since.</p>",
        )
    });
    SectionSeed::new("Instruments", pages)
}

/// `Missions`: section groups three deep.
fn missions() -> SectionGroupSeed {
    let phase = |mission: &str, name: &str, count: u32| {
        let pages = (1..=count)
            .map(|n| {
                PageSeed::new(
                    format!("{name} {n}"),
                    format!(
                        "<h2>{mission}: {name} {n}</h2>\n<p>Log of {} {n}.</p>\n<p>See <a href=\"seed:client/{EXPORT_NOTEBOOK} > Trajectories > Trajectory {}\">its trajectory</a>.</p>",
                        name.to_lowercase(),
                        n * 3
                    ),
                )
            })
            .collect();
        SectionSeed::new(name, pages)
    };
    let group =
        |name: &str, sections: Vec<SectionSeed>, groups: Vec<SectionGroupSeed>| SectionGroupSeed {
            display_name: name.into(),
            sections,
            section_groups: groups,
        };
    group(
        "Missions",
        vec![],
        vec![
            group(
                "Mercury",
                vec![],
                vec![group(
                    "Friendship 7",
                    vec![
                        phase("Friendship 7", "Launch", 15),
                        phase("Friendship 7", "Orbit", 15),
                        phase("Friendship 7", "Re-entry", 15),
                    ],
                    vec![],
                )],
            ),
            group(
                "Apollo",
                vec![],
                vec![group(
                    "Apollo 11",
                    vec![
                        phase("Apollo 11", "Lunar orbit", 20),
                        phase("Apollo 11", "Landing", 20),
                    ],
                    vec![],
                )],
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(sections: &[SectionSeed], groups: &[SectionGroupSeed]) -> Vec<PageSeed> {
        let mut out: Vec<PageSeed> = sections.iter().flat_map(|s| s.pages.clone()).collect();
        for g in groups {
            out.extend(pages(&g.sections, &g.section_groups));
        }
        out
    }

    #[test]
    fn the_notebook_is_export_sized() {
        let notebook = export_notebook();
        let all = pages(&notebook.sections, &notebook.section_groups);
        assert!(all.len() >= 250, "{} pages", all.len());
        assert!(notebook.sections.iter().any(|s| s.pages.len() > 100));
        assert!(notebook.sections.iter().any(|s| s.pages.is_empty()));
        let files: usize = all.iter().map(|p| p.resources.len()).sum();
        assert!(files >= 60, "{files} images and attachments");
        assert!(all.iter().any(|p| p.resources.iter().any(|r| matches!(
            r.data,
            ResourceData::Generated { size, .. } if size >= 5 * 1024 * 1024
        ))));
        assert!(all.iter().any(|p| p.level == 2));
        let depth = notebook.section_groups[0].section_groups[0]
            .section_groups
            .len();
        assert_eq!(depth, 1, "three levels of groups");
    }
}

//! The built-in groups and sites of Contoso and their notebooks: a class team that Ada and
//! Grace both belong to, with a class-style notebook (section groups for the collaboration
//! space, the content library and each student, enough pages to page through), and a
//! SharePoint site of Ada's with a lab notebook. Alan belongs to neither, so tests have a
//! non-member at hand.

use uuid::uuid;

use super::model::{GroupSeed, SiteSeed};
use super::onenote::{NotebookSeed, PageSeed, SectionGroupSeed, SectionSeed};

pub const PHYSICS_TEAM: &str = "Physics 101";
pub const RESEARCH_SITE: &str = "Research";

/// Contoso's groups.
pub fn contoso_groups() -> Vec<GroupSeed> {
    vec![
        GroupSeed {
            id: uuid!("6f1a2b3c-4d5e-4f60-8172-8394a5b6c7d8"),
            display_name: PHYSICS_TEAM.into(),
            description: Some("Autumn term class team".into()),
            team: true,
            members: vec!["ada@contoso.example".into(), "grace@contoso.example".into()],
            notebooks: vec![class_notebook()],
        },
        // A group with no notebook: listed by `/me/memberOf`, shows nothing on `/onenote`.
        GroupSeed {
            id: uuid!("7a2b3c4d-5e6f-4071-8283-94a5b6c7d8e9"),
            display_name: "Book club".into(),
            description: None,
            team: false,
            members: vec!["ada@contoso.example".into()],
            notebooks: vec![],
        },
    ]
}

/// Contoso's sites.
pub fn contoso_sites() -> Vec<SiteSeed> {
    vec![SiteSeed {
        id: uuid!("8b3c4d5e-6f70-4182-9394-a5b6c7d8e9fa"),
        display_name: RESEARCH_SITE.into(),
        name: "research".into(),
        members: vec!["ada@contoso.example".into()],
        notebooks: vec![lab_notebook()],
    }]
}

fn class_notebook() -> NotebookSeed {
    let notebook = "Physics 101 Notebook";
    let welcome = PageSeed::new(
        "Welcome",
        format!(
            "<h1>Welcome to Physics 101</h1>\
             <p>Start with <a href=\"seed:client/{notebook} > _Content Library > Lectures > Lecture 1: Motion\">the first lecture</a>.</p>\
             <p data-tag=\"important\">Homework is due on Fridays.</p>"
        ),
    );
    let lectures: Vec<PageSeed> = (1..=12)
        .map(|n| {
            let topic = [
                "Motion", "Forces", "Energy", "Momentum", "Rotation", "Gravity", "Oscillations",
                "Waves", "Sound", "Heat", "Light", "Review",
            ][n - 1];
            PageSeed::new(
                format!("Lecture {n}: {topic}"),
                format!(
                    "<h1>Lecture {n}: {topic}</h1>\
                     <ul><li>Reading: chapter {n}</li><li>Problems {n}.1 to {n}.9</li></ul>\
                     <table><tr><td>Quantity</td><td>Unit</td></tr><tr><td>{topic}</td><td>SI</td></tr></table>"
                ),
            )
        })
        .collect();
    let student = |name: &str| SectionGroupSeed {
        display_name: name.into(),
        sections: vec![
            SectionSeed::new(
                "Homework",
                vec![PageSeed::new(
                    format!("{name}'s homework 1"),
                    format!(
                        "<p data-tag=\"to-do:completed\">Problem 1.1</p><p data-tag=\"to-do\">Problem 1.2</p>\
                         <p>See <a href=\"seed:client/{notebook} > _Content Library > Lectures > Lecture 1: Motion\">Lecture 1</a>.</p>"
                    ),
                )],
            ),
            SectionSeed::new("Quizzes", vec![]),
        ],
        section_groups: vec![],
    };
    NotebookSeed {
        display_name: notebook.into(),
        is_default: false,
        created: None,
        sections: vec![SectionSeed {
            is_default: true,
            ..SectionSeed::new("_Welcome", vec![welcome])
        }],
        section_groups: vec![
            SectionGroupSeed {
                display_name: "_Collaboration Space".into(),
                sections: vec![SectionSeed {
                    generated_pages: 30,
                    ..SectionSeed::new("Class discussion", vec![])
                }],
                section_groups: vec![],
            },
            SectionGroupSeed {
                display_name: "_Content Library".into(),
                sections: vec![SectionSeed::new("Lectures", lectures)],
                section_groups: vec![],
            },
            SectionGroupSeed {
                display_name: "Students".into(),
                sections: vec![],
                section_groups: vec![student("Ada"), student("Grace")],
            },
        ],
        files: None,
    }
}

fn lab_notebook() -> NotebookSeed {
    let notebook = "Lab Notebook";
    NotebookSeed {
        display_name: notebook.into(),
        is_default: false,
        created: None,
        sections: vec![
            SectionSeed {
                is_default: true,
                ..SectionSeed::new(
                    "Experiments",
                    vec![
                        PageSeed::new(
                            "Spectrometer calibration",
                            format!(
                                "<h1>Spectrometer calibration</h1><p>Wavelengths checked against the neon lamp.</p>\
                                 <p>Results go to <a href=\"seed:client/{notebook} > Results > Results log\">the results log</a>.</p>"
                            ),
                        ),
                        PageSeed::new(
                            "Safety briefing",
                            "<p data-tag=\"important\">Goggles on in the laser room.</p>",
                        ),
                    ],
                )
            },
            SectionSeed::new(
                "Results",
                vec![PageSeed::new(
                    "Results log",
                    "<table><tr><td>Run</td><td>Peak (nm)</td></tr><tr><td>1</td><td>585.2</td></tr></table>",
                )],
            ),
        ],
        section_groups: vec![],
        files: None,
    }
}

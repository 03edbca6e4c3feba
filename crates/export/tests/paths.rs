//! Vault paths that cannot collide: random notebooks — titles in any script, titles ending in
//! `.md`, Windows device names (superscript digits included), case and normalisation twins, the
//! vault's own names (`resources`, `index`, `_export`), very long titles, deep subpage trees and
//! nested section groups, attachments named like pages — laid out, and every page, folder and
//! file checked: each has its own path (compared as the strictest file system compares), no file
//! stands where a folder is or above anything, every name is valid on Linux, macOS and Windows,
//! every path fits Windows' limit, and laying the vault out again over its own manifest keeps
//! every path. Plus the collisions found by hand, named.

use std::collections::{BTreeMap, HashMap, HashSet};

use export::layout::{self, Plan};
use export::manifest::{Manifest, PageEntry, ResourceEntry, SectionEntry};
use export::paths::{MAX_PATH_UNITS, valid_everywhere};
use graph::onenote::{NotebookTree, Page};
use proptest::prelude::*;
use serde_json::json;
use unicode_normalization::UnicodeNormalization;

/// Titles that have broken vaults, or could.
const HOSTILE: &[&str] = &[
    "a.md",
    "a",
    "A",
    "a.md.md",
    "resources",
    "resources.md",
    "Resources",
    "index",
    "index.md",
    "_export",
    "CON",
    "com1",
    "COM¹",
    "LPT²",
    "lpt³.txt",
    "café",
    "cafe\u{301}",
    "CAFÉ",
    "Notes.",
    " Notes ",
    ".hidden",
    "C# [draft] ^2 | final",
    "Q3: plan/review?",
    "",
    "..",
    "1",
    "1.md",
];

fn title() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(HOSTILE).prop_map(str::to_string),
        2 => "\\PC{0,30}",
        1 => "[a-zA-Z0-9 .]{0,12}(\\.md)?",
        1 => "\\PC{150,220}",
    ]
}

/// A section's pages: titles and levels (each at most one deeper than the one before).
fn pages() -> impl Strategy<Value = Vec<(String, i32)>> {
    proptest::collection::vec((title(), 0..4i32), 0..12).prop_map(|pages| {
        let mut level = -1;
        pages
            .into_iter()
            .map(|(title, wanted)| {
                level = wanted.min(level + 1).max(0);
                (title, level)
            })
            .collect()
    })
}

#[derive(Debug, Clone)]
struct Group {
    name: String,
    sections: Vec<(String, Vec<(String, i32)>)>,
    groups: Vec<Group>,
}

fn group(depth: u32) -> BoxedStrategy<Group> {
    let sections = proptest::collection::vec((title(), pages()), 0..3);
    if depth == 0 {
        return (title(), sections)
            .prop_map(|(name, sections)| Group {
                name,
                sections,
                groups: vec![],
            })
            .boxed();
    }
    (
        title(),
        sections,
        proptest::collection::vec(group(depth - 1), 0..2),
    )
        .prop_map(|(name, sections, groups)| Group {
            name,
            sections,
            groups,
        })
        .boxed()
}

/// Random notebooks, as Graph lists them, with each section's pages; and each page's
/// attachments' names.
#[derive(Debug, Clone)]
struct World {
    trees: Vec<NotebookTree>,
    pages: HashMap<String, Vec<Page>>,
    attachments: HashMap<String, Vec<String>>,
}

fn world() -> impl Strategy<Value = World> {
    let attachments = proptest::collection::vec(
        (
            title(),
            proptest::sample::select(&["png", "md", "pdf", ""][..]),
        ),
        0..3,
    );
    (
        proptest::collection::vec(group(3), 1..3),
        proptest::collection::vec(attachments, 64),
    )
        .prop_map(|(notebooks, attachments)| {
            let mut next = 0;
            let mut world = World {
                trees: vec![],
                pages: HashMap::new(),
                attachments: HashMap::new(),
            };
            let mut id = |kind: &str| {
                next += 1;
                format!("{kind}-{next}")
            };
            for notebook in notebooks {
                let tree = json!({
                    "notebook": {"id": id("notebook"), "displayName": notebook.name},
                    "sections": [], "groups": [],
                });
                let mut tree: NotebookTree = serde_json::from_value(tree).unwrap();
                tree.sections = sections(&notebook.sections, &mut id, &mut world, &attachments);
                tree.groups = notebook
                    .groups
                    .iter()
                    .map(|g| group_tree(g, &mut id, &mut world, &attachments))
                    .collect();
                world.trees.push(tree);
            }
            world
        })
}

fn sections(
    wanted: &[(String, Vec<(String, i32)>)],
    id: &mut impl FnMut(&str) -> String,
    world: &mut World,
    attachments: &[Vec<(String, &str)>],
) -> Vec<graph::onenote::Section> {
    wanted
        .iter()
        .map(|(name, pages)| {
            let section_id = id("section");
            let mut listed = Vec::new();
            for (title, level) in pages {
                let page_id = id("page");
                let names = &attachments[listed.len() % attachments.len()];
                world.attachments.insert(
                    page_id.clone(),
                    names
                        .iter()
                        .map(|(stem, ext)| match ext {
                            &"" => stem.clone(),
                            ext => format!("{stem}.{ext}"),
                        })
                        .collect(),
                );
                listed.push(
                    serde_json::from_value(json!({
                        "id": page_id, "title": title, "level": level,
                        "lastModifiedDateTime": "2024-01-01T00:00:00Z",
                    }))
                    .unwrap(),
                );
            }
            world.pages.insert(section_id.clone(), listed);
            serde_json::from_value(json!({"id": section_id, "displayName": name})).unwrap()
        })
        .collect()
}

fn group_tree(
    group: &Group,
    id: &mut impl FnMut(&str) -> String,
    world: &mut World,
    attachments: &[Vec<(String, &str)>],
) -> graph::onenote::GroupTree {
    let mut tree: graph::onenote::GroupTree = serde_json::from_value(json!({
        "group": {"id": id("group"), "displayName": group.name},
        "sections": [], "groups": [],
    }))
    .unwrap();
    tree.sections = sections(&group.sections, id, world, attachments);
    tree.groups = group
        .groups
        .iter()
        .map(|g| group_tree(g, id, world, attachments))
        .collect();
    tree
}

/// The vault laid out, with every page's attachments claimed as the run claims them: every
/// path and what it is (`true`: a folder).
struct Laid {
    plan: Plan,
    resources: BTreeMap<String, Vec<String>>,
}

fn lay_out(world: &World, previous: Option<&Manifest>) -> Laid {
    let mut plan = layout::plan(&world.trees, &world.pages, previous);
    let mut resources = BTreeMap::new();
    for page in &plan.pages {
        let folder = plan.section(&page.section).unwrap().resources.clone();
        let kept = previous.and_then(|m| m.pages.get(&page.id));
        let files = match kept {
            Some(entry) => entry.resources.iter().map(|r| r.path.clone()).collect(),
            None => world.attachments[&page.id]
                .iter()
                .map(|name| {
                    let (stem, ext) = match name.rsplit_once('.') {
                        Some((stem, ext)) if !stem.is_empty() => (stem, Some(ext)),
                        _ => (name.as_str(), None),
                    };
                    plan.paths.file(&folder, stem, ext)
                })
                .collect(),
        };
        resources.insert(page.id.clone(), files);
    }
    Laid { plan, resources }
}

/// The manifest an export of `laid` writes.
fn manifest(laid: &Laid) -> Manifest {
    Manifest {
        scope: "all".into(),
        scope_id: None,
        pages: laid
            .plan
            .pages
            .iter()
            .map(|p| {
                let entry = PageEntry {
                    title: p.title.clone(),
                    path: p.path.clone(),
                    children: Some(p.children.clone()),
                    section: p.section.clone(),
                    modified: p.modified.clone(),
                    link_id: None,
                    resources: laid.resources[&p.id]
                        .iter()
                        .map(|path| ResourceEntry {
                            id: String::new(),
                            path: path.clone(),
                            sha256: String::new(),
                            bytes: 0,
                        })
                        .collect(),
                    broken_links: vec![],
                };
                (p.id.clone(), entry)
            })
            .collect(),
        sections: laid
            .plan
            .sections
            .iter()
            .map(|s| {
                let entry = SectionEntry {
                    name: s.name.clone(),
                    folder: s.folder.clone(),
                    link_id: None,
                    file: None,
                };
                (s.id.clone(), entry)
            })
            .collect(),
    }
}

fn fold(path: &str) -> String {
    path.nfc().flat_map(char::to_lowercase).collect()
}

/// Checks every rule over the laid-out vault; the first broken one, in words.
fn check(laid: &Laid) -> Result<(), String> {
    let plan = &laid.plan;
    let mut files: Vec<&str> = vec![export::MANIFEST_PATH, export::REPORT_PATH];
    files.extend(plan.pages.iter().map(|p| p.path.as_str()));
    files.extend(plan.notebooks.iter().map(|n| n.index.as_str()));
    files.extend(plan.sections.iter().map(|s| s.index.as_str()));
    files.extend(laid.resources.values().flatten().map(String::as_str));
    let mut folders: Vec<&str> = plan.notebooks.iter().map(|n| n.folder.as_str()).collect();
    folders.extend(plan.sections.iter().map(|s| s.folder.as_str()));
    folders.extend(plan.sections.iter().map(|s| s.resources.as_str()));
    folders.extend(plan.pages.iter().map(|p| p.children.as_str()));

    let mut seen = HashSet::new();
    for file in &files {
        if !seen.insert(fold(file)) {
            return Err(format!("two files at {file:?}"));
        }
    }
    let folder_keys: HashSet<String> = folders.iter().map(|f| fold(f)).collect();
    for file in &files {
        if folder_keys.contains(&fold(file)) {
            return Err(format!("{file:?} is a file and a folder"));
        }
    }
    let file_keys: HashSet<String> = files.iter().map(|f| fold(f)).collect();
    for path in files.iter().chain(&folders) {
        let parts: Vec<&str> = path.split('/').collect();
        for end in 1..parts.len() {
            if file_keys.contains(&fold(&parts[..end].join("/"))) {
                return Err(format!("{path:?} is below a file"));
            }
        }
        if let Some(bad) = parts.iter().find(|p| !valid_everywhere(p)) {
            return Err(format!(
                "{path:?}: {bad:?} is not a name every system takes"
            ));
        }
        if path.contains("#") || path.contains('[') || path.contains('^') {
            return Err(format!("{path:?} breaks Obsidian's links"));
        }
        let units = path.encode_utf16().count();
        if units > MAX_PATH_UNITS {
            return Err(format!("{path:?} is {units} UTF-16 units long"));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_item_has_its_own_valid_path_and_keeps_it(world in world()) {
        let first = lay_out(&world, None);
        if let Err(broken) = check(&first) {
            return Err(TestCaseError::fail(broken));
        }
        let previous = manifest(&first);
        let again = lay_out(&world, Some(&previous));
        if let Err(broken) = check(&again) {
            return Err(TestCaseError::fail(format!("on update: {broken}")));
        }
        for (before, after) in first.plan.pages.iter().zip(&again.plan.pages) {
            prop_assert_eq!(&before.path, &after.path, "a page moved on update");
            prop_assert_eq!(&before.children, &after.children);
        }
        for (before, after) in first.plan.sections.iter().zip(&again.plan.sections) {
            prop_assert_eq!(&before.folder, &after.folder, "a section moved on update");
        }
    }
}

/// One section named `S` with these pages (title, level) and attachments on the first page.
fn one_section(pages: &[(&str, i32)], attachments: &[&str]) -> Laid {
    let tree: NotebookTree = serde_json::from_value(json!({
        "notebook": {"id": "nb", "displayName": "N"},
        "sections": [{"id": "s", "displayName": "S"}], "groups": [],
    }))
    .unwrap();
    let listed: Vec<Page> = pages
        .iter()
        .enumerate()
        .map(|(i, (title, level))| {
            serde_json::from_value(json!({"id": format!("p{i}"), "title": title, "level": level}))
                .unwrap()
        })
        .collect();
    let mut world = World {
        trees: vec![tree],
        pages: HashMap::from([("s".to_string(), listed)]),
        attachments: HashMap::new(),
    };
    for i in 0..pages.len() {
        let names = if i == 0 { attachments } else { &[][..] };
        world.attachments.insert(
            format!("p{i}"),
            names.iter().map(|n| n.to_string()).collect(),
        );
    }
    let laid = lay_out(&world, None);
    check(&laid).unwrap();
    laid
}

fn page_paths(laid: &Laid) -> Vec<(&str, &str)> {
    laid.plan
        .pages
        .iter()
        .map(|p| (p.path.as_str(), p.children.as_str()))
        .collect()
}

#[test]
fn a_page_titled_like_its_neighbours_subpage_folder_gets_its_own() {
    // `a.md` and `a.md.md`, each with a subpage: the old layout trimmed `.md` repeatedly and
    // gave both subpages the folder `a`.
    let laid = one_section(
        &[("a.md.md", 0), ("Child", 1), ("a.md", 0), ("Child", 1)],
        &[],
    );
    let paths = page_paths(&laid);
    assert_eq!(paths[0], ("N/S/a.md.md.md", "N/S/a.md.md"));
    assert_eq!(paths[1].0, "N/S/a.md.md/Child.md");
    // `a.md.md` is the first page's subpages' folder, so the second page cannot have it.
    assert_eq!(paths[2], ("N/S/a.md (2).md", "N/S/a.md (2)"));
    assert_eq!(paths[3].0, "N/S/a.md (2)/Child.md");
}

#[test]
fn a_page_called_resources_never_shares_the_files_folder() {
    let laid = one_section(&[("resources", 0), ("photo", 1)], &["photo.md", "x.png"]);
    let paths = page_paths(&laid);
    assert_eq!(paths[0], ("N/S/resources (2).md", "N/S/resources (2)"));
    assert_eq!(paths[1].0, "N/S/resources (2)/photo.md");
    assert_eq!(
        laid.resources["p0"],
        ["N/S/resources/photo.md", "N/S/resources/x.png"]
    );
}

#[test]
fn case_twins_get_folders_that_differ_on_windows_and_macos() {
    let laid = one_section(&[("A", 0), ("Child", 1), ("a", 0), ("Child", 1)], &[]);
    let paths = page_paths(&laid);
    assert_eq!(paths[1].0, "N/S/A/Child.md");
    assert_eq!(paths[3].0, "N/S/a (2)/Child.md");
}

#[test]
fn nfc_and_nfd_twins_are_one_name() {
    let laid = one_section(&[("café", 0), ("cafe\u{301}", 0)], &[]);
    let paths = page_paths(&laid);
    assert_eq!(paths[0].0, "N/S/café.md");
    assert_eq!(paths[1].0, "N/S/café (2).md");
}

#[test]
fn windows_device_names_with_superscript_digits_are_renamed() {
    let laid = one_section(&[("COM¹", 0), ("LPT²", 0), ("COM1", 0)], &[]);
    let paths = page_paths(&laid);
    assert_eq!(paths[0].0, "N/S/_COM¹.md");
    assert_eq!(paths[1].0, "N/S/_LPT².md");
    assert_eq!(paths[2].0, "N/S/_COM1.md");
}

#[test]
fn a_deep_subpage_tree_stays_within_windows_limit() {
    let long = "A rather long page title that goes on and on ".repeat(3);
    let pages: Vec<(&str, i32)> = (0..12).map(|level| (long.as_str(), level)).collect();
    let laid = one_section(&pages, &[]);
    for (file, _) in page_paths(&laid) {
        assert!(file.encode_utf16().count() <= MAX_PATH_UNITS, "{file}");
    }
}

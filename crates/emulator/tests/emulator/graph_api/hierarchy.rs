//! Notebooks, section groups, sections and pages: entity shapes in every path spelling, paging
//! boundaries and every query option.

use super::*;

#[tokio::test]
async fn hierarchy_entity_shapes_and_spellings() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);
    let root = format!("{}/v1.0/users/{ADA}/onenote", emu.base_url);

    let notebooks = ada.json("/me/onenote/notebooks").await;
    assert_eq!(
        notebooks["@odata.context"],
        format!(
            "{}/v1.0/$metadata#users('ada%40contoso.example')/onenote/notebooks",
            emu.base_url
        )
    );
    let list = notebooks["value"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    let names: Vec<&str> = list
        .iter()
        .map(|n| n["displayName"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "notebooks are ordered by name");
    let personal = find(list, "displayName", "Ada's Notebook");
    let id = personal["id"].as_str().unwrap();
    assert!(id.starts_with("1-"));
    assert_eq!(personal["self"], format!("{root}/notebooks/{id}"));
    assert_eq!(
        personal["sectionsUrl"],
        format!("{root}/notebooks/{id}/sections")
    );
    assert_eq!(personal["userRole"], "Owner");
    assert_eq!(personal["isDefault"], true);
    assert_eq!(personal["createdBy"]["user"]["displayName"], "Ada Lovelace");
    assert!(
        personal["links"]["oneNoteWebUrl"]["href"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );

    // The same list through the two /users spellings.
    assert_eq!(
        ada.json("/users/ada@contoso.example/onenote/notebooks")
            .await["value"],
        notebooks["value"]
    );
    assert_eq!(
        ada.json("/users('ada@contoso.example')/onenote/notebooks")
            .await["value"],
        notebooks["value"]
    );

    // All sections, nested ones included, with default parent expansions.
    let sections = ada.json("/me/onenote/sections").await["value"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(sections.len(), 7, "{sections:#?}");
    let older = find(&sections, "displayName", "2019");
    assert_eq!(older["parentSectionGroup"]["displayName"], "Older");
    assert!(
        older["parentSectionGroup@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/parentSectionGroup/$entity")
    );
    let quick = find(&sections, "displayName", "Quick Notes");
    assert_eq!(quick["parentSectionGroup"], Value::Null);
    assert_eq!(quick["parentNotebook"]["displayName"], "Ada's Notebook");

    let groups = ada.json("/me/onenote/sectionGroups").await["value"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(groups.len(), 3);
    let archive = find(&groups, "displayName", "Archive");
    let nested = ada
        .json(&format!(
            "/me/onenote/sectionGroups/{}/sectionGroups",
            archive["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(nested["value"][0]["displayName"], "Older");

    // Pages: parentSection expansion, level/order only with pagelevel=true.
    let section_pages = ada
        .json(&format!(
            "/me/onenote/sections/{}/pages",
            quick["id"].as_str().unwrap()
        ))
        .await;
    let page = &section_pages["value"][0];
    assert!(page.get("level").is_none() && page.get("displayName").is_none());
    assert_eq!(page["parentSection"]["displayName"], "Quick Notes");
    let context = page["parentSection@odata.context"].as_str().unwrap();
    assert!(
        context.contains("/onenote/pages('1-")
            && context.contains("%21")
            && context.ends_with("/parentSection/$entity"),
        "{context}"
    );
    assert_eq!(
        page["contentUrl"],
        format!("{root}/pages/{}/content", page["id"].as_str().unwrap())
    );
    let levels = ada
        .json(&format!(
            "/me/onenote/sections/{}/pages?pagelevel=true",
            quick["id"].as_str().unwrap()
        ))
        .await;
    let levels = levels["value"].as_array().unwrap();
    assert!(
        levels
            .iter()
            .all(|p| p["level"].is_number() && p["order"].is_number())
    );
    assert!(levels.iter().any(|p| p["level"] == 2));
    let misuse = ada.get("/me/onenote/pages?pagelevel=true").await;
    assert_eq!((misuse.status, misuse.error_code()), (400, "20104".into()));
    let one = ada
        .json(&format!(
            "/me/onenote/pages/{}?pagelevel=true",
            page["id"].as_str().unwrap()
        ))
        .await;
    assert!(one["level"].is_number());
    assert!(
        one["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/onenote/pages/$entity")
    );

    // Parent navigation routes.
    let parent = ada
        .json(&format!(
            "/me/onenote/pages/{}/parentNotebook",
            page["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(parent["displayName"], "Ada's Notebook");
}

/// A seed whose user has sections with exactly 20, 21, 100 and 101 pages.
fn paging_seed() -> emulator::seed::Seed {
    let mut seed = builtin();
    let user = &mut seed.tenants[0].users[2];
    user.notebooks = vec![NotebookSeed {
        display_name: "Paging".into(),
        is_default: true,
        created: None,
        sections: [20, 21, 100, 101]
            .iter()
            .map(|n| SectionSeed {
                display_name: format!("S{n}"),
                is_default: false,
                pages: vec![],
                generated_pages: *n,
            })
            .collect(),
        section_groups: vec![],
        files: None,
    }];
    seed
}

#[tokio::test]
async fn paging_boundaries() {
    let emu = TestEmulator::start_with(paging_seed(), false).await;
    let alan = Graph::new(&emu, &token(&emu, ALAN, "Notes.Read").await);
    let sections = alan.json("/me/onenote/sections").await["value"]
        .as_array()
        .unwrap()
        .clone();
    let id = |n: u32| {
        find(&sections, "displayName", &format!("S{n}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };

    for (n, requests) in [(20, 1), (21, 2), (100, 5), (101, 6)] {
        let (pages, made) = alan
            .all(&format!("/me/onenote/sections/{}/pages", id(n)))
            .await;
        assert_eq!(
            (pages.len(), made),
            (n as usize, requests),
            "section of {n}"
        );
        let mut ids: Vec<_> = pages.iter().map(|p| p["id"].as_str().unwrap()).collect();
        ids.dedup();
        assert_eq!(ids.len(), n as usize, "no page twice");
    }
    // With $top there is no nextLink, even when more exist.
    let top = alan
        .json(&format!("/me/onenote/sections/{}/pages?$top=100", id(101)))
        .await;
    assert_eq!(top["value"].as_array().unwrap().len(), 100);
    assert!(top.get("@odata.nextLink").is_none());
    let top = alan
        .json(&format!("/me/onenote/sections/{}/pages?$top=100", id(100)))
        .await;
    assert_eq!(top["value"].as_array().unwrap().len(), 100);
    let too_many = alan
        .get(&format!("/me/onenote/sections/{}/pages?$top=101", id(101)))
        .await;
    assert_eq!(
        (too_many.status, too_many.error_code()),
        (400, "20129".into())
    );
    let thousand = alan.get("/me/onenote/pages?$top=1000").await;
    assert_eq!(thousand.error_code(), "20129");
    // $skip, and the global list with its default order (newest first).
    let skipped = alan
        .json(&format!("/me/onenote/sections/{}/pages?$skip=15", id(21)))
        .await;
    assert_eq!(skipped["value"].as_array().unwrap().len(), 6);
    let (all, _) = alan.all("/me/onenote/pages").await;
    assert_eq!(all.len(), 242);
    let dates: Vec<&str> = all
        .iter()
        .map(|p| p["lastModifiedDateTime"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let first = alan.json("/me/onenote/pages").await;
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.starts_with(&format!(
            "{}/v1.0/users/{ALAN}/onenote/pages?",
            emu.base_url
        )) && next.ends_with("$skip=20"),
        "{next}"
    );
}

#[tokio::test]
async fn query_options() {
    let emu = TestEmulator::start().await;
    let ada = Graph::new(&emu, &token(&emu, ADA, "Notes.Read").await);

    // $select, with the context naming the selection.
    let selected = ada.json("/me/onenote/pages?$select=id,title&$top=3").await;
    assert!(
        selected["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("/onenote/pages(id,title)")
    );
    let keys: Vec<String> = selected["value"][0]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, ["id", "title"]);
    assert_eq!(
        ada.get("/me/onenote/pages?$select=nope").await.error_code(),
        "20145"
    );

    // $orderby asc/desc, old property names too.
    let asc = ada.json("/me/onenote/notebooks?$orderby=displayName").await;
    let desc = ada.json("/me/onenote/notebooks?$orderby=name desc").await;
    let mut reversed = desc["value"].as_array().unwrap().clone();
    reversed.reverse();
    assert_eq!(&reversed, asc["value"].as_array().unwrap());
    let by_title = ada
        .json("/me/onenote/pages?$orderby=title asc&$top=100")
        .await;
    let titles: Vec<String> = by_title["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(titles.windows(2).all(|w| w[0] <= w[1]));

    // $filter: eq, ne, contains, startswith, tolower, and/or, parent paths; and $count.
    let welcome = ada
        .json("/me/onenote/pages?$filter=title eq 'Welcome'")
        .await;
    assert_eq!(welcome["value"].as_array().unwrap().len(), 1);
    let logs = ada
        .json("/me/onenote/pages?$filter=contains(tolower(title),'log entry')&$count=true")
        .await;
    assert_eq!(logs["@odata.count"], 120);
    assert_eq!(logs["value"].as_array().unwrap().len(), 20);
    assert!(
        logs["@odata.nextLink"]
            .as_str()
            .unwrap()
            .contains("filter=")
    );
    let either = ada
        .json("/me/onenote/pages?$filter=startswith(title,'Week') or title eq 'Tables'")
        .await;
    assert_eq!(either["value"].as_array().unwrap().len(), 2);
    let not_journal = ada
        .json("/me/onenote/pages?$filter=parentSection/displayName ne 'Journal'&$count=true&$top=1")
        .await;
    let ada_seed = builtin().tenants[0]
        .users
        .iter()
        .find(|u| u.user_principal_name == ADA)
        .cloned()
        .unwrap();
    let seeded_outside_journal: usize = emulator::seed::builtin_notebooks(&ada_seed)
        .iter()
        .map(|n| pages_outside(&n.sections, &n.section_groups, "Journal"))
        .sum();
    assert_eq!(not_journal["@odata.count"], seeded_outside_journal);
    let sections = ada
        .json("/me/onenote/sections?$filter=isDefault eq true")
        .await;
    assert_eq!(sections["value"][0]["displayName"], "Quick Notes");
    for bad in [
        "title eq",
        "frob(title)",
        "unknownProp eq 1",
        "contains(title)",
        "title eq 'x",
    ] {
        let answer = ada.get(&format!("/me/onenote/pages?$filter={bad}")).await;
        assert_eq!(
            (answer.status, answer.error_code()),
            (400, "20143".into()),
            "{bad}"
        );
    }

    // $expand, nested, with $levels; cycles and unsupported navigations are refused.
    let expanded = ada
        .json("/me/onenote/notebooks?$expand=sections,sectionGroups($expand=sections)")
        .await;
    let project = expanded["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["displayName"] != "Ada's Notebook")
        .unwrap();
    let archive = find(
        project["sectionGroups"].as_array().unwrap(),
        "displayName",
        "Archive",
    );
    assert_eq!(archive["sections"][0]["displayName"], "2024");
    assert!(archive.get("sectionGroups").is_none());
    assert!(project["sectionGroups@odata.context"].is_string());
    let deep = ada
        .json("/me/onenote/notebooks?$expand=sectionGroups($levels=max;$expand=sections)")
        .await;
    let project = deep["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["displayName"] != "Ada's Notebook")
        .unwrap();
    let archive = find(
        project["sectionGroups"].as_array().unwrap(),
        "displayName",
        "Archive",
    );
    assert_eq!(
        archive["sectionGroups"][0]["sections"][0]["displayName"],
        "2019"
    );
    // `$select` picks properties; what `$expand` adds is there all the same, at every level.
    let selected = ada
        .json(
            "/me/onenote/notebooks?$select=id,displayName&$expand=sectionGroups($levels=max;\
             $select=displayName;$expand=sections($select=displayName))",
        )
        .await;
    let project = selected["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["displayName"] != "Ada's Notebook")
        .unwrap();
    assert!(project.get("isDefault").is_none(), "only what was selected");
    let archive = find(
        project["sectionGroups"].as_array().unwrap(),
        "displayName",
        "Archive",
    );
    assert!(archive.get("id").is_none(), "only what was selected");
    assert_eq!(
        archive["sectionGroups"][0]["sections"][0],
        serde_json::json!({"displayName": "2019"})
    );
    let with_parent = ada
        .json("/me/onenote/pages?$expand=parentNotebook,parentSection&$top=1")
        .await;
    assert!(with_parent["value"][0]["parentNotebook"]["isDefault"].is_boolean());
    assert!(with_parent["value"][0]["parentSection"]["pagesUrl"].is_string());
    assert_eq!(
        ada.get("/me/onenote/notebooks?$expand=sections($expand=parentNotebook)")
            .await
            .error_code(),
        "20142"
    );
    assert_eq!(
        ada.get("/me/onenote/pages?$expand=sections")
            .await
            .error_code(),
        "20103"
    );
    assert_eq!(
        ada.get("/me/onenote/pages?$expand=title")
            .await
            .error_code(),
        "20144"
    );
    assert_eq!(
        ada.get("/me/onenote/pages?$search=x").await.error_code(),
        "20108"
    );
}

/// Seeded pages in `sections` and `groups` (and groups within) except in sections named `but`.
fn pages_outside(
    sections: &[emulator::seed::SectionSeed],
    groups: &[emulator::seed::SectionGroupSeed],
    but: &str,
) -> usize {
    let here: usize = sections
        .iter()
        .filter(|s| s.display_name != but)
        .map(|s| s.pages.len() + s.generated_pages as usize)
        .sum();
    here + groups
        .iter()
        .map(|g| pages_outside(&g.sections, &g.section_groups, but))
        .sum::<usize>()
}

//! A user whose every name is an attack, for the XSS tests.

/// A user whose every name is an attack, for the XSS tests: sign in as `HOSTILE_UPN`.
pub const HOSTILE_UPN: &str = "hostile@contoso.example";

/// Markup that runs script if a page ever emits it unescaped. Each names where it was put, so
/// a failure says which field leaked.
pub fn payload(place: &str) -> String {
    match place {
        "display name" => "<img src=x onerror=alert(1)>".to_string(),
        _ => format!("\"'><script>alert('{place}')</script><img src=x onerror=alert('{place}')>"),
    }
}

/// The built-in seed plus [`HOSTILE_UPN`], whose display name, given name, job title, notebook,
/// section group, section and page title (and page body) are script payloads.
pub fn hostile_seed() -> emulator::seed::Seed {
    use emulator::seed::{NotebookSeed, PageSeed, SectionGroupSeed, SectionSeed};
    let mut seed = emulator::seed::builtin();
    let mut user = seed.tenants[0].users[0].clone();
    user.id = uuid::Uuid::new_v4();
    user.user_principal_name = HOSTILE_UPN.into();
    user.mail = Some(HOSTILE_UPN.into());
    user.display_name = payload("display name");
    user.given_name = Some(payload("given name"));
    user.job_title = Some(payload("job title"));
    let page = |title: &str| PageSeed::new(title, format!("<p>Body {}</p>", payload("page body")));
    user.notebooks = vec![NotebookSeed {
        display_name: payload("notebook"),
        is_default: true,
        created: None,
        sections: vec![SectionSeed {
            display_name: payload("section"),
            is_default: true,
            pages: vec![page(&payload("page title"))],
            generated_pages: 0,
        }],
        section_groups: vec![SectionGroupSeed {
            display_name: payload("section group"),
            sections: vec![SectionSeed {
                display_name: payload("nested section"),
                is_default: false,
                pages: vec![page("A plain title")],
                generated_pages: 0,
            }],
            section_groups: Vec::new(),
        }],
        files: None,
    }];
    seed.tenants[0].users.push(user);
    seed
}

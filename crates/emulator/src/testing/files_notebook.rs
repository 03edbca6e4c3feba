//! A notebook made by OneNote itself, for tests of the file-backed notebook (`seed::files`):
//! the notebook folder vendored for onenote-files' tests (`Open Notebook`: sections, a section
//! group, a recycle bin), read where it lies in this repository.

use std::path::PathBuf;

use crate::seed::{NotebookSeed, Seed};

/// The vendored notebook folder.
pub fn vendored_notebook_folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../onenote-files/tests/files/onenote.rs")
}

/// The built-in seed with `upn`'s notebooks replaced by the vendored notebook, served by the
/// page API and held in the user's drive.
pub fn seed_with_vendored_notebook(upn: &str) -> Seed {
    let mut seed = crate::seed::builtin();
    let user = seed
        .tenants
        .iter_mut()
        .flat_map(|t| t.users.iter_mut())
        .find(|u| u.user_principal_name == upn)
        .expect("a user of the built-in seed");
    user.notebooks = vec![NotebookSeed {
        display_name: "Open Notebook".into(),
        is_default: true,
        created: None,
        sections: vec![],
        section_groups: vec![],
        files: Some(vendored_notebook_folder()),
    }];
    seed
}

//! What an export covers: all the user's notebooks, everything they can reach (their own and
//! every group's and site's, each under its own top folder), one notebook, or one section (with
//! the section groups above it, so its place in the vault is the same as in a whole-notebook
//! export) — or OneNote files the owner uploaded, read whole.

use graph::onenote::{GroupTree, NotebookTree, Section};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", content = "id", rename_all = "lowercase")]
pub enum Scope {
    All,
    /// The user's own notebooks and those of every group and site they can read.
    Everything,
    Notebook(String),
    Section(String),
    /// The OneNote files uploaded with the job (in its folder), not OneNote through Graph.
    Files,
}

impl Scope {
    /// `all`, `notebook` or `section`.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Everything => "everything",
            Scope::Notebook(_) => "notebook",
            Scope::Section(_) => "section",
            Scope::Files => "files",
        }
    }

    pub fn id(&self) -> Option<&str> {
        match self {
            Scope::All | Scope::Everything | Scope::Files => None,
            Scope::Notebook(id) | Scope::Section(id) => Some(id),
        }
    }

    /// The trees cut down to the scope (empty when what it names is not there).
    pub fn narrow(&self, trees: Vec<NotebookTree>) -> Vec<NotebookTree> {
        match self {
            Scope::All | Scope::Everything | Scope::Files => trees,
            Scope::Notebook(id) => trees.into_iter().filter(|t| &t.notebook.id == id).collect(),
            Scope::Section(id) => trees
                .into_iter()
                .filter_map(|mut tree| {
                    tree.sections.retain(|s| &s.id == id);
                    tree.groups = keep_section(tree.groups, id);
                    (!tree.sections.is_empty() || !tree.groups.is_empty()).then_some(tree)
                })
                .collect(),
        }
    }

    /// A name for the export, from the trees it covers.
    pub fn label(&self, trees: &[NotebookTree]) -> String {
        match self {
            Scope::All => "All notebooks".to_string(),
            Scope::Everything => "Everything you can reach".to_string(),
            Scope::Files => trees
                .iter()
                .map(|t| t.notebook.display_name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            Scope::Notebook(_) => trees
                .first()
                .map(|t| t.notebook.display_name.clone())
                .unwrap_or_default(),
            Scope::Section(_) => trees
                .first()
                .and_then(|t| sections(t).into_iter().next())
                .map(|s| s.display_name.clone())
                .unwrap_or_default(),
        }
    }
}

/// The groups that hold section `id`, each cut down to the way to it.
fn keep_section(groups: Vec<GroupTree>, id: &str) -> Vec<GroupTree> {
    groups
        .into_iter()
        .filter_map(|mut group| {
            group.sections.retain(|s| s.id == id);
            group.groups = keep_section(group.groups, id);
            (!group.sections.is_empty() || !group.groups.is_empty()).then_some(group)
        })
        .collect()
}

/// Every section of a notebook: its own first, then each group's, depth first (the order the
/// vault is laid out in).
pub fn sections(tree: &NotebookTree) -> Vec<&Section> {
    fn walk<'a>(groups: &'a [GroupTree], out: &mut Vec<&'a Section>) {
        for group in groups {
            out.extend(&group.sections);
            walk(&group.groups, out);
        }
    }
    let mut out: Vec<&Section> = tree.sections.iter().collect();
    walk(&tree.groups, &mut out);
    out
}

//! `GET /onenote`: the user's notebooks with their section groups (nested) and sections.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use graph::onenote::{GroupTree, Section};

use super::access::OneNote;
use crate::context::RequestContext;
use crate::csrf::Csrf;
use crate::error::AppError;
use crate::extract::SignedIn;
use crate::pages::{Layout, render};

/// One line of a notebook's outline.
pub struct Row {
    pub depth: usize,
    pub is_section: bool,
    pub id: String,
    pub name: String,
}

pub struct NotebookView {
    pub id: String,
    pub name: String,
    pub is_default: bool,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "onenote_index.html")]
struct IndexPage {
    layout: Layout,
    notebooks: Vec<NotebookView>,
    /// For the Export buttons' forms.
    csrf: String,
}

pub async fn index(
    State(onenote): State<OneNote>,
    State(csrf): State<std::sync::Arc<Csrf>>,
    ctx: RequestContext,
    SignedIn(mut session): SignedIn,
) -> Result<Response, AppError> {
    let trees = onenote
        .call(&mut session, "/onenote", async |graph, token, user| {
            graph.onenote_tree(token.expose(), &user).await
        })
        .await?;
    let notebooks = trees
        .into_iter()
        .map(|tree| {
            let mut rows = Vec::new();
            outline(&tree.sections, &tree.groups, 0, &mut rows);
            NotebookView {
                id: tree.notebook.id,
                name: tree.notebook.display_name,
                is_default: tree.notebook.is_default,
                rows,
            }
        })
        .collect();
    Ok(render(
        &IndexPage {
            layout: Layout::new(&ctx, session.user()),
            notebooks,
            csrf: csrf.token(&session),
        },
        StatusCode::OK,
    ))
}

/// Sections first, then each group with what it holds, one level deeper.
fn outline(sections: &[Section], groups: &[GroupTree], depth: usize, rows: &mut Vec<Row>) {
    for s in sections {
        rows.push(Row {
            depth,
            is_section: true,
            id: s.id.clone(),
            name: s.display_name.clone(),
        });
    }
    for g in groups {
        rows.push(Row {
            depth,
            is_section: false,
            id: g.group.id.clone(),
            name: g.group.display_name.clone(),
        });
        outline(&g.sections, &g.groups, (depth + 1).min(5), rows);
    }
}

//! The emulator's starting world: tenants with users, app registrations, and (per user) OneNote
//! notebooks. A built-in seed makes the emulator useful with zero configuration; `--seed FILE`
//! replaces it with a TOML or JSON file of the same shape (see `examples/seed.toml`).

mod builtin;
mod builtin_notebooks;
mod builtin_shared;
mod export_notebook;
pub mod files;
mod model;
pub mod onenote;

pub use builtin::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD, builtin};
pub use builtin_notebooks::{JOURNAL_PAGES, builtin_notebooks, tiny_pdf};
pub use builtin_shared::{PHYSICS_TEAM, RESEARCH_SITE};
pub use export_notebook::{EXPORT_NOTEBOOK, LARGE_ATTACHMENT_BYTES, export_notebook};
pub use model::{ClientSeed, GroupSeed, Seed, SeedError, SiteSeed, TenantSeed, UserSeed};
pub use onenote::{
    NotebookSeed, PageSeed, ResourceSeed, SectionGroupSeed, SectionSeed, StrokeSeed,
};

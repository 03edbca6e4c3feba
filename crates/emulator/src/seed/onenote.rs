//! The shape of seeded OneNote content. Pages are written in OneNote's *input* HTML (what a
//! client would POST) and go through the same conversion as pages created over the API, so seeded
//! and created pages read back alike.

use serde::{Deserialize, Serialize};

/// A notebook with its sections and section groups.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotebookSeed {
    pub display_name: String,
    #[serde(default)]
    pub is_default: bool,
    /// RFC 3339; defaults to a fixed date so seeded output is reproducible.
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub sections: Vec<SectionSeed>,
    #[serde(default)]
    pub section_groups: Vec<SectionGroupSeed>,
    /// A notebook folder of OneNote's own files (its `.onetoc2`, `.one` sections, section-group
    /// subfolders): the page API serves their pages in place of `sections` and
    /// `section_groups`, and the owner's drive holds the folder as the notebook's package item.
    #[serde(default)]
    pub files: Option<std::path::PathBuf>,
}

/// A section group; groups nest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionGroupSeed {
    pub display_name: String,
    #[serde(default)]
    pub sections: Vec<SectionSeed>,
    #[serde(default)]
    pub section_groups: Vec<SectionGroupSeed>,
}

/// A section and its pages.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionSeed {
    pub display_name: String,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub pages: Vec<PageSeed>,
    /// Adds this many short generated pages ("Log entry 1", …) after `pages`, for paging tests.
    #[serde(default)]
    pub generated_pages: u32,
}

impl SectionSeed {
    /// A section that is not the default one, with these pages.
    pub fn new(name: impl Into<String>, pages: Vec<PageSeed>) -> SectionSeed {
        SectionSeed {
            display_name: name.into(),
            is_default: false,
            pages,
            generated_pages: 0,
        }
    }
}

/// A page in OneNote input HTML. `<img src="name:x">` and `<object data="name:x">` refer to the
/// page's `resources` by name.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageSeed {
    pub title: String,
    /// Body HTML (what goes inside `<body>`).
    pub body: String,
    /// Subpage indent level (0, 1 or 2), as `pagelevel=true` reports it.
    #[serde(default)]
    pub level: u8,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default = "default_lang")]
    pub lang: String,
    #[serde(default)]
    pub resources: Vec<ResourceSeed>,
    /// Strokes drawn on the page; its body marks where with `<!-- InkNode is not supported -->`.
    #[serde(default)]
    pub ink: Vec<StrokeSeed>,
}

/// One ink stroke: a pen colour (`#RRGGBB`), a width and absolute `[x, y, pressure]` points, in
/// himetric (1/100 mm) as OneNote's InkML writes them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrokeSeed {
    pub color: String,
    pub width: u32,
    pub points: Vec<[u32; 3]>,
}

impl PageSeed {
    /// A level-0 page in the default language, with default timestamps, no resources and no ink.
    pub fn new(title: impl Into<String>, body: impl Into<String>) -> PageSeed {
        PageSeed {
            title: title.into(),
            body: body.into(),
            level: 0,
            created: None,
            modified: None,
            lang: default_lang(),
            resources: Vec::new(),
            ink: Vec::new(),
        }
    }
}

fn default_lang() -> String {
    "en-GB".into()
}

/// A binary part of a page: an image or an attachment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSeed {
    pub name: String,
    pub content_type: String,
    #[serde(flatten)]
    pub data: ResourceData,
}

impl ResourceSeed {
    /// A generated PNG picture.
    pub fn png(name: impl Into<String>, width: u32, height: u32, pattern: u32) -> ResourceSeed {
        ResourceSeed {
            name: name.into(),
            content_type: "image/png".into(),
            data: ResourceData::Png {
                width,
                height,
                pattern,
            },
        }
    }
}

/// Where a resource's bytes come from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceData {
    /// Literal text (CSV, notes, source code attachments).
    Text(String),
    /// Bytes in standard base64.
    Base64(String),
    /// A generated PNG picture of the given size; `pattern` varies the picture.
    Png {
        width: u32,
        height: u32,
        #[serde(default)]
        pattern: u32,
    },
    /// `size` bytes that look random, the same for the same `seed`: large attachments without
    /// large seed files.
    Generated {
        size: u64,
        #[serde(default)]
        seed: u64,
    },
}

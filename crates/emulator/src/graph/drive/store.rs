//! Every user's drive, as far as notebooks need it: the root, a `Notebooks` folder, and for each
//! notebook seeded from files (`seed::files`) a `package` item (type `oneNote`) whose children
//! are the notebook folder's files and subfolders as they lie on disk. Files are read from disk
//! when downloaded, until the admin API replaces one (its bytes are then kept in memory and its
//! version goes up, so its `eTag`, `cTag` and modified time change).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::graph::onenote::store::{Owner, derived_uuid};
use crate::seed::{Seed, TenantSeed, UserSeed};

/// When seeded drive items were made and last changed.
const SEEDED: OffsetDateTime = datetime!(2025-01-06 09:00 UTC);
/// How deep a seeded notebook folder is followed.
const MAX_DEPTH: usize = 16;

/// What an item is.
#[derive(Debug, Clone)]
pub enum Kind {
    Folder,
    /// A OneNote notebook: Graph's `package` facet with type `oneNote`.
    Notebook,
    File(Content),
}

/// Where a file's bytes are.
#[derive(Debug, Clone)]
pub enum Content {
    OnDisk(PathBuf),
    Replaced(Bytes),
}

impl Content {
    pub fn bytes(&self) -> std::io::Result<Bytes> {
        match self {
            Content::OnDisk(path) => std::fs::read(path).map(Bytes::from),
            Content::Replaced(bytes) => Ok(bytes.clone()),
        }
    }

    pub fn size(&self) -> u64 {
        match self {
            Content::OnDisk(path) => std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            Content::Replaced(bytes) => bytes.len() as u64,
        }
    }
}

/// One drive item.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub kind: Kind,
    /// Goes up each time the item changes; part of its `eTag` and `cTag`.
    pub version: u32,
    pub modified: OffsetDateTime,
    /// The item's path below the root, `/`-separated (`Notebooks/Work/Section.one`).
    pub path: String,
}

/// One user's drive.
#[derive(Debug, Clone)]
pub struct Drive {
    pub id: String,
    pub owner: Uuid,
    pub owner_name: String,
    /// The web address of the drive's root (`…/personal/{alias}/Documents`).
    pub web_root: String,
    /// By id, and in the order they were made (a folder's children are listed in that order).
    pub items: Vec<Item>,
    pub by_id: HashMap<String, usize>,
}

impl Drive {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.by_id.get(id).map(|&i| &self.items[i])
    }

    pub fn root(&self) -> &Item {
        &self.items[0]
    }

    pub fn children(&self, id: &str) -> Vec<&Item> {
        self.items
            .iter()
            .filter(|i| i.parent.as_deref() == Some(id))
            .collect()
    }

    /// The item at `path` below the root.
    pub fn at_path(&self, path: &str) -> Option<&Item> {
        let path = path.trim_matches('/');
        self.items.iter().find(|i| i.path == path)
    }

    pub fn web_url(&self, item: &Item) -> String {
        if item.path.is_empty() {
            return self.web_root.clone();
        }
        let encoded: Vec<String> = item.path.split('/').map(encode).collect();
        format!("{}/{}", self.web_root, encoded.join("/"))
    }

    fn add(&mut self, name: &str, parent: Option<&str>, path: String, kind: Kind) -> String {
        let id = item_id(self.owner, &path);
        self.by_id.insert(id.clone(), self.items.len());
        self.items.push(Item {
            id: id.clone(),
            name: name.to_string(),
            parent: parent.map(str::to_string),
            kind,
            version: 1,
            modified: SEEDED,
            path,
        });
        id
    }

    /// Adds the notebook folder `folder` as the package `name` inside `parent`.
    fn add_notebook(&mut self, parent: &str, name: &str, folder: &Path) {
        let path = format!("{}/{name}", self.item(parent).map_or("", |p| &p.path));
        let id = self.add(name, Some(parent), path.clone(), Kind::Notebook);
        self.add_folder_contents(&id, &path, folder, 0);
    }

    fn add_folder_contents(
        &mut self,
        parent: &str,
        parent_path: &str,
        folder: &Path,
        depth: usize,
    ) {
        let Ok(entries) = std::fs::read_dir(folder) else {
            tracing::warn!(folder = %folder.display(), "a seeded notebook folder cannot be read");
            return;
        };
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        entries.sort();
        for entry in entries {
            let Some(name) = entry
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            let name = name.as_str();
            let path = format!("{parent_path}/{name}");
            if entry.is_dir() {
                if depth < MAX_DEPTH {
                    let id = self.add(name, Some(parent), path.clone(), Kind::Folder);
                    self.add_folder_contents(&id, &path, &entry, depth + 1);
                }
            } else {
                self.add(name, Some(parent), path, Kind::File(Content::OnDisk(entry)));
            }
        }
    }
}

/// Every user's drive.
#[derive(Debug, Default)]
pub struct Drives {
    by_user: RwLock<HashMap<Uuid, Arc<Drive>>>,
}

impl Drives {
    /// Each seeded user's drive, with the notebooks seeded from files.
    pub fn from_seed(seed: &Seed) -> Drives {
        let mut by_user = HashMap::new();
        for tenant in &seed.tenants {
            for user in &tenant.users {
                by_user.insert(user.id, Arc::new(drive(tenant, user)));
            }
        }
        Drives {
            by_user: RwLock::new(by_user),
        }
    }

    /// `user`'s drive as it is now (a replaced file makes a new one).
    pub fn of(&self, user: Uuid) -> Option<Arc<Drive>> {
        self.read().get(&user).cloned()
    }

    /// Replaces the bytes of the file at `path` in `user`'s drive; its new version.
    pub fn replace(&self, user: Uuid, path: &str, bytes: Bytes) -> Option<u32> {
        let mut drives = self
            .by_user
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let drive = Arc::make_mut(drives.get_mut(&user)?);
        let path = path.trim_matches('/');
        let item = drive
            .items
            .iter_mut()
            .find(|i| i.path == path && matches!(i.kind, Kind::File(_)))?;
        item.kind = Kind::File(Content::Replaced(bytes));
        item.version += 1;
        item.modified = OffsetDateTime::now_utc();
        Some(item.version)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Uuid, Arc<Drive>>> {
        self.by_user
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn drive(tenant: &TenantSeed, user: &UserSeed) -> Drive {
    let owner = Owner::user(
        user.id,
        &user.user_principal_name,
        &user.display_name,
        tenant.label(),
    );
    let mut drive = Drive {
        id: format!(
            "b!{}",
            derived_uuid(&[&user.id.to_string(), "drive"]).simple()
        ),
        owner: user.id,
        owner_name: user.display_name.clone(),
        web_root: owner.documents_url(),
        items: Vec::new(),
        by_id: HashMap::new(),
    };
    let root = drive.add("root", None, String::new(), Kind::Folder);
    let notebooks = drive.add("Notebooks", Some(&root), "Notebooks".into(), Kind::Folder);
    for notebook in &user.notebooks {
        if let Some(folder) = &notebook.files {
            drive.add_notebook(&notebooks, &notebook.display_name, folder);
        }
    }
    drive
}

/// An id shaped like OneDrive for Business's (`01` and 32 base-32 characters), derived from the
/// owner and the path so a seed always gives the same ids.
fn item_id(owner: Uuid, path: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let uuid = derived_uuid(&[&owner.to_string(), "item", path]);
    let bits = uuid.as_u128();
    let mut id = String::from("01");
    for i in 0..32 {
        id.push(ALPHABET[((bits >> (i * 4)) & 0x1f) as usize] as char);
    }
    id
}

/// A path segment as OneDrive writes it in web addresses.
pub fn encode(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC).to_string()
}

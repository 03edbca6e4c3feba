//! Where an export's items live when it reads more than the owner's own notebooks. An export of
//! a group's or a site's notebook reads everything at that one [`Location`]; an export of
//! everything the owner can reach lists their own notebooks and every group's and site's, and
//! then has to send each later call — a section's pages, a page's content, a resource — to the
//! place its item came from. Graph's ids do not say where they live, so [`Places`] remembers it
//! as the items are listed: sections from the tree, pages from their section's list, resources
//! from their page's HTML. A place whose notebooks OneNote would not list is left out of the
//! export, and the report says which and why.
//!
//! Listing every place is many calls (one per group and site); when OneNote's limit stops it
//! halfway, the run tries the listing again later. What was listed is kept for that: the
//! listing goes on where it stopped instead of spending the window on the same places again
//! (which, with more places than a window holds, would never end).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use graph::onenote::NotebookTree;
use graph::{Location, SharedPlace};

/// The top folder of the owner's own notebooks in an export of everything.
pub const OWN_NOTEBOOKS: &str = "Your notebooks";

/// Which notebooks a source reads, and where each item it has listed lives.
#[derive(Clone, Default)]
pub struct Places {
    /// Where every call goes when the export is of one place.
    pub fixed: Location,
    /// Whether the export is of everything the owner can reach.
    pub everything: bool,
    found: Arc<Mutex<Found>>,
}

#[derive(Default)]
struct Found {
    /// Item id (notebook, section, page or resource) → its place.
    items: HashMap<String, Location>,
    /// Each place listed in this run, in order, with what its listing gave (nothing for a
    /// place left out).
    listed: Vec<(Location, Vec<NotebookTree>)>,
    /// Places left out: (name, why).
    left_out: Vec<(String, String)>,
    /// The owner's groups and sites, once found.
    discovered: Option<Vec<SharedPlace>>,
}

impl Places {
    /// The owner's own notebooks.
    pub fn own() -> Places {
        Places::default()
    }

    /// One group's or site's notebooks.
    pub fn at(location: Location) -> Places {
        Places {
            fixed: location,
            ..Places::default()
        }
    }

    /// The owner's own notebooks and every group's and site's.
    pub fn everything() -> Places {
        Places {
            everything: true,
            ..Places::default()
        }
    }

    /// Notes that the notebooks of `trees` (the MCP tools say where each is) and their
    /// sections are at `location`, and keeps the listing for the rest of the run.
    pub fn listed(&self, location: &Location, trees: &[NotebookTree]) {
        let mut found = self.lock();
        for tree in trees {
            let ids = std::iter::once(&tree.notebook.id)
                .chain(export::scope::sections(tree).into_iter().map(|s| &s.id));
            for id in ids {
                found.items.insert(id.clone(), location.clone());
            }
        }
        match found
            .listed
            .iter_mut()
            .find(|(listed, _)| listed == location)
        {
            Some((_, kept)) => *kept = trees.to_vec(),
            None => found.listed.push((location.clone(), trees.to_vec())),
        }
    }

    /// What the place's listing gave earlier in this run, if it was listed.
    pub fn kept(&self, location: &Location) -> Option<Vec<NotebookTree>> {
        self.lock()
            .listed
            .iter()
            .find(|(listed, _)| listed == location)
            .map(|(_, trees)| trees.clone())
    }

    /// The owner's groups and sites, if found earlier in this run.
    pub fn discovered(&self) -> Option<Vec<SharedPlace>> {
        self.lock().discovered.clone()
    }

    /// Keeps the owner's groups and sites for the rest of the run.
    pub fn discover(&self, places: Vec<SharedPlace>) {
        self.lock().discovered = Some(places);
    }

    /// Notes that `items` (pages of a section, resources of a page) are where `parent` is.
    pub fn inherit<'a>(&self, parent: &str, items: impl IntoIterator<Item = &'a str>) {
        if !self.everything {
            return;
        }
        let mut found = self.lock();
        let Some(location) = found.items.get(parent).cloned() else {
            return;
        };
        for item in items {
            found.items.insert(item.to_string(), location.clone());
        }
    }

    /// Where an item is: where it was listed, or the export's one place.
    pub fn of(&self, item: &str) -> Location {
        if !self.everything {
            return self.fixed.clone();
        }
        self.lock()
            .items
            .get(item)
            .cloned()
            .unwrap_or_else(|| self.fixed.clone())
    }

    /// Whether the item was listed (a resource of a page whose content a stopped run kept on
    /// disk was not: its page's HTML was never read in this run).
    pub fn knows(&self, item: &str) -> bool {
        !self.everything || self.lock().items.contains_key(item)
    }

    /// Notes that the notebooks of the place called `name` are left out, and why.
    pub fn leave_out(&self, location: &Location, name: &str, why: &str) {
        self.listed(location, &[]);
        self.lock()
            .left_out
            .push((name.to_string(), why.to_string()));
    }

    /// The places left out, for the report.
    pub fn left_out(&self) -> Vec<export::Skipped> {
        self.lock()
            .left_out
            .iter()
            .map(|(name, why)| export::Skipped {
                kind: "notebooks".into(),
                name: name.clone(),
                reason: why.clone(),
            })
            .collect()
    }

    /// Every place listed with notebooks, in order.
    pub fn all(&self) -> Vec<Location> {
        if !self.everything {
            return vec![self.fixed.clone()];
        }
        self.lock()
            .listed
            .iter()
            .filter(|(_, trees)| !trees.is_empty())
            .map(|(location, _)| location.clone())
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Found> {
        self.found
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The resource ids a page's HTML names (`…/onenote/resources/{id}/…`).
pub fn resource_ids(html: &str) -> Vec<&str> {
    const MARK: &str = "/onenote/resources/";
    html.match_indices(MARK)
        .filter_map(|(at, _)| {
            let rest = &html[at + MARK.len()..];
            let id = &rest[..rest.find('/')?];
            onenote_md::is_valid_resource_id(id).then_some(id)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_go_where_their_parent_was_listed() {
        let places = Places::everything();
        let group = Location::Group("6f1a2b3c-4d5e-4f60-8172-8394a5b6c7d8".into());
        let tree: NotebookTree = serde_json::from_value(serde_json::json!({
            "notebook": {"id": "1-n", "displayName": "N"},
            "sections": [{"id": "1-s", "displayName": "S"}],
            "groups": [{"group": {"id": "1-g", "displayName": "G"},
                        "sections": [{"id": "1-t", "displayName": "T"}], "groups": []}]
        }))
        .unwrap();
        places.listed(&group, &[tree]);
        places.inherit("1-t", ["1-p"]);
        places.inherit(
            "1-p",
            resource_ids("<img src=\"https://g/v1.0/groups/x/onenote/resources/1-r!1-s/$value\">"),
        );
        assert_eq!(places.of("1-s"), group);
        assert_eq!(places.of("1-r!1-s"), group);
        assert!(!places.knows("1-other"));
        assert_eq!(places.of("1-other"), Location::Me);
        assert_eq!(places.all(), [group]);
        assert_eq!(resource_ids("…/onenote/resources/../x"), Vec::<&str>::new());
    }
}

//! Collecting the resources of one page as they are met, each once.

use std::collections::HashMap;

use super::names::FileNames;
use super::reference::{ResourceKind, ResourceRef};

/// The resources met so far while converting one page, in order of first appearance.
///
/// A resource that appears twice (the same image pasted twice) is one file, so asking again for
/// an id returns the first [`ResourceRef`].
#[derive(Debug, Default)]
pub(crate) struct ResourceCollector {
    refs: Vec<ResourceRef>,
    by_id: HashMap<String, usize>,
    names: FileNames,
}

impl ResourceCollector {
    /// Records an image (`id` must already be validated) and returns its reference.
    pub(crate) fn image(
        &mut self,
        id: &str,
        source_url: &str,
        alt: &str,
        content_type: Option<&str>,
    ) -> &ResourceRef {
        self.record(id, source_url, ResourceKind::Image, content_type, |names| {
            names.image(alt, content_type)
        })
    }

    /// Records an attachment (`id` must already be validated) and returns its reference.
    pub(crate) fn attachment(
        &mut self,
        id: &str,
        source_url: &str,
        name: &str,
        content_type: Option<&str>,
    ) -> &ResourceRef {
        self.record(
            id,
            source_url,
            ResourceKind::Attachment,
            content_type,
            |names| names.attachment(name, content_type),
        )
    }

    /// Records an image the page carries itself (its bytes are known) and returns its reference.
    pub(crate) fn carried_image(
        &mut self,
        bytes: Vec<u8>,
        alt: &str,
        content_type: &str,
    ) -> &ResourceRef {
        let reference = ResourceRef {
            id: String::new(),
            file_name: self.names.image(alt, Some(content_type)),
            kind: ResourceKind::Image,
            content_type: Some(content_type.to_owned()),
            source_url: String::new(),
            bytes: Some(bytes),
        };
        self.refs.push(reference);
        self.refs.last().expect("just pushed")
    }

    /// Everything recorded, in order of first appearance.
    pub(crate) fn into_refs(self) -> Vec<ResourceRef> {
        self.refs
    }

    fn record(
        &mut self,
        id: &str,
        source_url: &str,
        kind: ResourceKind,
        content_type: Option<&str>,
        name: impl FnOnce(&mut FileNames) -> String,
    ) -> &ResourceRef {
        let index = match self.by_id.get(id) {
            Some(&index) => index,
            None => {
                let reference = ResourceRef {
                    id: id.to_owned(),
                    file_name: name(&mut self.names),
                    kind,
                    content_type: content_type
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned),
                    source_url: source_url.to_owned(),
                    bytes: None,
                };
                self.refs.push(reference);
                self.by_id.insert(id.to_owned(), self.refs.len() - 1);
                self.refs.len() - 1
            }
        };
        &self.refs[index]
    }
}

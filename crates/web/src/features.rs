//! The app's optional features and the extra permissions each needs, in one table. Signing in
//! asks only for `SCOPE`; a feature's scopes are asked for the first time it is used
//! (incremental consent), and kept on later sign-ins once granted.

/// A feature that needs permissions beyond the sign-in scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// Reading the user's notebooks (`/onenote…`).
    OneNote,
    /// Reading the user's files: a fast export fetches a notebook's own files from its drive.
    Files,
    /// Reading notebooks of the user's groups (teams) and SharePoint sites.
    Shared,
}

impl Feature {
    pub const ALL: [Feature; 3] = [Feature::OneNote, Feature::Files, Feature::Shared];

    /// The name in `/login?consent=…`.
    pub fn name(self) -> &'static str {
        match self {
            Feature::OneNote => "onenote",
            Feature::Files => "files",
            Feature::Shared => "shared",
        }
    }

    /// The feature a `consent=` value names; free-form scopes are never accepted, so a link
    /// cannot make the app ask for arbitrary permissions.
    pub fn from_name(name: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The delegated Graph scopes the feature needs.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            Feature::OneNote => &["Notes.Read"],
            // The least that reads a notebook in the user's own OneDrive.
            Feature::Files => &["Files.Read"],
            // `Notes.Read.All` is the only delegated scope that reaches notebooks the user does
            // not own; `Sites.Read.All` lists the sites they follow (`/me/followedSites`). Their
            // groups come from `/me/memberOf`, which `User.Read` already allows. Neither needs
            // an administrator's consent unless the tenant says so.
            Feature::Shared => &["Notes.Read", "Notes.Read.All", "Sites.Read.All"],
        }
    }

    /// `base` plus this feature's scopes (each once, compared case-insensitively as Entra does).
    pub fn scopes_with(self, base: &[String]) -> Vec<String> {
        let mut scopes = base.to_vec();
        for extra in self.scopes() {
            if !scopes.iter().any(|s| s.eq_ignore_ascii_case(extra)) {
                scopes.push(extra.to_string());
            }
        }
        scopes
    }
}

#[cfg(test)]
mod tests {
    use super::Feature;

    #[test]
    fn names_round_trip_and_scopes_are_added_once() {
        for feature in Feature::ALL {
            assert_eq!(Feature::from_name(feature.name()), Some(feature));
        }
        assert_eq!(Feature::from_name("Notes.ReadWrite.All"), None);
        let base = vec!["User.Read".to_string(), "notes.read".to_string()];
        assert_eq!(Feature::OneNote.scopes_with(&base), base);
        assert_eq!(
            Feature::OneNote.scopes_with(&["User.Read".into()]),
            ["User.Read", "Notes.Read"]
        );
    }
}

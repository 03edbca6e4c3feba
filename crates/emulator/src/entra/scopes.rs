//! Scope strings as Entra reads them: OIDC scopes, Microsoft Graph permissions in their three
//! spellings (`User.Read`, `https://graph.microsoft.com/User.Read`,
//! `00000003-0000-0000-c000-000000000000/User.Read`) and `/.default`. Graph permissions are kept
//! canonical for consent and token claims, and echoed in the client's own spelling in token
//! responses (MSAL matches cached scopes case-sensitively).

use std::collections::BTreeSet;

use super::error::EntraError;

/// Graph's application id, also the `aud` of Graph access tokens.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

const GRAPH_PREFIXES: [&str; 3] = [
    "https://graph.microsoft.com/",
    "00000003-0000-0000-c000-000000000000/",
    "https://graph.microsoft.us/",
];

/// Delegated Graph permissions the emulator knows, and whether a user may consent to them.
const GRAPH_PERMISSIONS: &[(&str, bool)] = &[
    ("User.Read", true),
    ("User.ReadBasic.All", true),
    ("User.Read.All", false),
    ("Notes.Read", true),
    ("Notes.Create", true),
    ("Notes.ReadWrite", true),
    ("Notes.Read.All", true),
    ("Notes.ReadWrite.All", true),
    ("Files.Read", true),
    ("Files.ReadWrite", true),
    ("Files.Read.All", true),
    ("Files.ReadWrite.All", true),
    ("Sites.Read.All", true),
    ("Directory.Read.All", false),
];

const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// One requested scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// `openid`, `profile`, `email`, `offline_access`.
    Oidc(&'static str),
    /// A Graph permission: its canonical name and the spelling the client used.
    Graph { name: &'static str, spelled: String },
    /// `https://graph.microsoft.com/.default` (or another spelling of it).
    GraphDefault { spelled: String },
}

/// A parsed `scope` parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet {
    pub scopes: Vec<Scope>,
}

impl ScopeSet {
    /// Parses a space-separated scope list. Unknown scopes are AADSTS70011.
    pub fn parse(raw: &str) -> Result<ScopeSet, EntraError> {
        let mut scopes: Vec<Scope> = Vec::new();
        for word in raw.split_whitespace() {
            let scope = parse_one(word).ok_or_else(|| EntraError::invalid_scope(word))?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        let has_default = scopes
            .iter()
            .any(|s| matches!(s, Scope::GraphDefault { .. }));
        let has_named = scopes.iter().any(|s| matches!(s, Scope::Graph { .. }));
        if has_default && has_named {
            // Entra refuses to mix /.default with named permissions of the same resource.
            return Err(EntraError::invalid_scope(raw));
        }
        Ok(ScopeSet { scopes })
    }

    pub fn has(&self, oidc: &str) -> bool {
        self.scopes
            .iter()
            .any(|s| matches!(s, Scope::Oidc(n) if *n == oidc))
    }

    pub fn is_default(&self) -> bool {
        self.scopes
            .iter()
            .any(|s| matches!(s, Scope::GraphDefault { .. }))
    }

    /// Canonical Graph permission names asked for by name.
    pub fn graph_names(&self) -> BTreeSet<&'static str> {
        self.scopes
            .iter()
            .filter_map(|s| match s {
                Scope::Graph { name, .. } => Some(*name),
                _ => None,
            })
            .collect()
    }

    /// The names consent is about: Graph permissions plus the OIDC scopes.
    pub fn consentable(&self) -> BTreeSet<&'static str> {
        let mut all = self.graph_names();
        for s in &self.scopes {
            if let Scope::Oidc(n) = s {
                all.insert(n);
            }
        }
        all
    }

    /// The `scope` value of a token response: the Graph permissions in the client's spelling,
    /// then `profile openid email` where asked (Entra never echoes `offline_access`).
    pub fn response_scope(&self, granted_graph: &BTreeSet<&'static str>) -> String {
        let mut out: Vec<String> = Vec::new();
        for s in &self.scopes {
            if let Scope::Graph { name, spelled } = s
                && granted_graph.contains(name)
            {
                out.push(spelled.clone());
            }
        }
        // Permissions granted through `.default` are echoed in their canonical short form.
        if self.is_default() {
            out.extend(granted_graph.iter().map(|n| n.to_string()));
        }
        for oidc in ["profile", "openid", "email"] {
            if self.has(oidc) {
                out.push(oidc.to_string());
            }
        }
        out.join(" ")
    }
}

fn parse_one(word: &str) -> Option<Scope> {
    if let Some(oidc) = OIDC_SCOPES.iter().find(|s| s.eq_ignore_ascii_case(word)) {
        return Some(Scope::Oidc(oidc));
    }
    let short = GRAPH_PREFIXES
        .iter()
        .find_map(|p| strip_prefix_ignore_case(word, p))
        .unwrap_or(word);
    if short == ".default" && short != word {
        return Some(Scope::GraphDefault {
            spelled: word.to_string(),
        });
    }
    graph_permission(short).map(|name| Scope::Graph {
        name,
        spelled: word.to_string(),
    })
}

fn strip_prefix_ignore_case<'a>(word: &'a str, prefix: &str) -> Option<&'a str> {
    let head = word.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &word[prefix.len()..])
}

/// The canonical name of a delegated Graph permission (names are case-insensitive).
pub fn graph_permission(name: &str) -> Option<&'static str> {
    GRAPH_PERMISSIONS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(n, _)| *n)
}

/// Every delegated Graph permission the emulator knows.
pub fn all_graph_permissions() -> impl Iterator<Item = &'static str> {
    GRAPH_PERMISSIONS.iter().map(|(n, _)| *n)
}

/// Graph application permissions (app roles) the client-credentials grant can carry.
const GRAPH_APPLICATION_PERMISSIONS: [&str; 3] =
    ["User.Read.All", "Directory.Read.All", "Notes.Read.All"];

/// The canonical name of a Graph application permission.
pub fn application_permission(name: &str) -> Option<&'static str> {
    GRAPH_APPLICATION_PERMISSIONS
        .iter()
        .find(|n| n.eq_ignore_ascii_case(name))
        .copied()
}

/// Whether only an administrator may grant this permission.
pub fn needs_admin_consent(name: &str) -> bool {
    GRAPH_PERMISSIONS
        .iter()
        .any(|(n, user_consentable)| *n == name && !user_consentable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_spellings_of_one_permission() {
        let set = ScopeSet::parse(
            "user.read https://graph.microsoft.com/Notes.Read 00000003-0000-0000-c000-000000000000/Notes.Create openid",
        )
        .unwrap();
        let names: Vec<_> = set.graph_names().into_iter().collect();
        assert_eq!(names, ["Notes.Create", "Notes.Read", "User.Read"]);
        let granted = set.graph_names();
        assert_eq!(
            set.response_scope(&granted),
            "user.read https://graph.microsoft.com/Notes.Read 00000003-0000-0000-c000-000000000000/Notes.Create openid"
        );
    }

    #[test]
    fn unknown_and_mixed_scopes_are_rejected() {
        assert_eq!(ScopeSet::parse("Mail.Fly").unwrap_err().code, 70011);
        assert!(ScopeSet::parse("https://graph.microsoft.com/.default User.Read").is_err());
        assert!(ScopeSet::parse(".default").is_err());
    }

    #[test]
    fn offline_access_is_never_echoed() {
        let set = ScopeSet::parse("User.Read offline_access openid profile").unwrap();
        assert_eq!(
            set.response_scope(&set.graph_names()),
            "User.Read profile openid"
        );
    }
}

//! Every path in the vault is decided here, by one registry of what is taken, so no two things
//! can ever share a path — on Linux, macOS or Windows, and in Obsidian.
//!
//! OneNote allows titles no file system does (`Q3: plan/review?`, `CON`, `Notes.`), titles that
//! are one file on some systems and two on others (`A` and `a` on Windows and macOS; `café`
//! typed as one character on Windows and as `e` + accent on macOS), and titles that look like
//! the vault's own files (`resources`, `index`, `a.md`). So:
//!
//! * a name is made safe ([`safe_stem`]): `\ / : * ? " < > |` and control characters become
//!   `_`, and so do `# ^ [ ]` (Obsidian cannot link to a note whose name has them);
//!   bidirectional controls go (they can make `exe.pdf` look like `pdf.exe`); whitespace runs are
//!   one space; spaces and dots at both ends are trimmed (Windows drops them at the end; at the
//!   start they would hide the file from Obsidian and file managers); Windows' device names
//!   (`CON`, `COM1`, `LPT¹`, … with any extension) get a `_` in front; the name is in Unicode NFC;
//! * names are compared as the strictest file system would: NFC and case-folded;
//! * files and folders share one namespace per folder: a page `X.md` and its subpages' folder
//!   `X` are claimed together, so a page titled `a.md` (file `a.md.md`, folder `a.md`) and one
//!   titled `a` (file `a.md`: taken, so `a (2).md`) never meet, and a page called `resources`
//!   gets `resources (2)` because each section's files are in its `resources/` folder;
//! * a name taken gets ` (2)`, ` (3)`, … before its extension;
//! * every path, relative to the vault, is at most [`MAX_PATH_UNITS`] UTF-16 units, and every
//!   name at most [`MAX_NAME_BYTES`] bytes: a name is shortened to fit, and where a deep tree
//!   leaves no room, subpages go beside their parent instead of below it
//!   (see [`VaultPaths::page`]).
//!
//! Paths kept from an earlier export are registered first ([`VaultPaths::keep`]), so an update
//! moves nothing that did not move in OneNote.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

/// The longest vault-relative path, in UTF-16 units (what Windows counts). Windows' classic
/// limit is 260 for the whole path, drive and folders included: this leaves 59 for the folder
/// the vault is unzipped into (`C:\Users\someone\Documents\OneNote vault\` is 40).
pub const MAX_PATH_UNITS: usize = 200;
/// The longest name (file or folder) in bytes of UTF-8, before a ` (n)` and the extension.
/// Linux and macOS allow 255 bytes, Windows 255 UTF-16 units (never more than the bytes).
pub const MAX_NAME_BYTES: usize = 100;
/// The shortest a name is cut to when a path is long; below that, a subpage goes up a level.
const MIN_NAME_UNITS: usize = 12;
/// Room a notebook's, group's or section's folder leaves for what goes in it: a section's
/// `resources/` folder and a file of a dozen characters with its ` (n)` and extension.
pub const CONTENT_ROOM: usize = "resources/".len() + MIN_NAME_UNITS + 12;

/// What a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Folder,
}

/// Where a page goes: its Markdown file, and the folder its subpages go in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagePath {
    pub file: String,
    /// Beside the file (`X.md` and `X/`), or — when a deep tree leaves no room — the page's own
    /// folder, so its subpages sit beside it.
    pub children: String,
}

/// What holds a path in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Taken {
    File,
    Folder,
    /// A folder only because something kept from an earlier export is in it: the notebook or
    /// group of that name may adopt it ([`VaultPaths::try_adopt_folder`]).
    Implied,
}

impl From<Kind> for Taken {
    fn from(kind: Kind) -> Taken {
        match kind {
            Kind::File => Taken::File,
            Kind::Folder => Taken::Folder,
        }
    }
}

/// The paths taken in one vault.
#[derive(Debug, Default, Clone)]
pub struct VaultPaths {
    /// Folded path → what took it. The root is `""`, a folder.
    taken: HashMap<String, Taken>,
}

impl VaultPaths {
    pub fn new() -> VaultPaths {
        let mut taken = HashMap::new();
        taken.insert(String::new(), Taken::Folder);
        VaultPaths { taken }
    }

    /// Whether `path` (or anything that is the same file somewhere) is taken.
    pub fn is_taken(&self, path: &str) -> bool {
        self.taken.contains_key(&fold(path))
    }

    /// Registers a path an earlier export used (and its folders). `false` when it cannot be
    /// kept — it collides with something registered already, or breaks a rule this version
    /// keeps — and then the caller claims a new one.
    pub fn keep(&mut self, path: &str, kind: Kind) -> bool {
        if path.is_empty() || path.encode_utf16().count() > MAX_PATH_UNITS {
            return false;
        }
        let parts: Vec<&str> = path.split('/').collect();
        if !parts.iter().all(|p| keepable(p)) {
            return false;
        }
        for end in 1..parts.len() {
            if self.taken.get(&fold(&parts[..end].join("/"))) == Some(&Taken::File) {
                return false;
            }
        }
        match (self.taken.get(&fold(path)).copied(), kind) {
            // A folder several kept things share is fine; anything else is a collision.
            (Some(Taken::Folder | Taken::Implied), Kind::Folder) => {
                self.taken.insert(fold(path), Taken::Folder);
                return true;
            }
            (Some(_), _) => return false,
            (None, _) => {}
        }
        for end in 1..parts.len() {
            self.taken
                .entry(fold(&parts[..end].join("/")))
                .or_insert(Taken::Implied);
        }
        self.taken.insert(fold(path), kind.into());
        true
    }

    /// Frees `path` (a file a changed page no longer has, or a page that was deleted).
    pub fn release(&mut self, path: &str) {
        self.taken.remove(&fold(path));
    }

    /// A folder for `wanted` in `parent` that leaves `room` UTF-16 units for what goes in it;
    /// `None` when `parent` has no such room left.
    pub fn folder(&mut self, parent: &str, wanted: &str, room: usize) -> Option<String> {
        let path = self.unique(parent, wanted, &[("", Kind::Folder)], room)?;
        Some(path.into_iter().next()?.0)
    }

    /// The folder a kept path implied for `wanted` in `parent`, adopted — or else a new one as
    /// [`VaultPaths::folder`] gives.
    pub fn try_adopt_folder(&mut self, parent: &str, wanted: &str, room: usize) -> Option<String> {
        let candidate = join(parent, &safe_stem(wanted));
        if self.taken.get(&fold(&candidate)) == Some(&Taken::Implied) {
            self.taken.insert(fold(&candidate), Taken::Folder);
            return Some(candidate);
        }
        self.folder(parent, wanted, room)
    }

    /// [`VaultPaths::try_adopt_folder`] where there must be a folder: without room for the
    /// name, a numbered one (a parent made by this registry always has room for that).
    pub fn adopt_folder(&mut self, parent: &str, wanted: &str, room: usize) -> String {
        if let Some(folder) = self.try_adopt_folder(parent, wanted, room) {
            return folder;
        }
        self.numbered(parent, "", Taken::Folder)
    }

    /// `1`, `2`, … with `suffix`: the first free one in `parent`.
    fn numbered(&mut self, parent: &str, suffix: &str, taken: Taken) -> String {
        let mut n = 1;
        loop {
            let path = join(parent, &format!("{n}{suffix}"));
            if !self.is_taken(&path) {
                self.taken.insert(fold(&path), taken);
                return path;
            }
            n += 1;
        }
    }

    /// A file for `wanted` with `extension` (e.g. `png`, or none) in `parent`. A folder made by
    /// this registry always has room for one; `parent` is registered as a folder if needed.
    pub fn file(&mut self, parent: &str, wanted: &str, extension: Option<&str>) -> String {
        let suffix = extension.map(|e| format!(".{}", safe_extension(e)));
        let suffix = suffix.as_deref().unwrap_or("");
        if let Some(paths) = self.unique(parent, wanted, &[(suffix, Kind::File)], 0) {
            return paths[0].0.clone();
        }
        // A parent deeper than this registry makes (a kept path): the shortest name there is.
        self.numbered(parent, suffix, Taken::File)
    }

    /// Where a page titled `title` goes in `parent`: its file `X.md` and its subpages' folder
    /// `X`, claimed together. When `parent` is too deep for a folder below the page, the
    /// subpages' folder is `parent` itself: they go beside the page.
    pub fn page(&mut self, parent: &str, title: &str) -> PagePath {
        let below = MIN_NAME_UNITS + ".md".len() + 1;
        let both = [(".md", Kind::File), ("", Kind::Folder)];
        if let Some(paths) = self.unique(parent, title, &both, below) {
            return PagePath {
                file: paths[0].0.clone(),
                children: paths[1].0.clone(),
            };
        }
        PagePath {
            file: self.file(parent, title, Some("md")),
            children: parent.to_string(),
        }
    }

    /// The first free name made from `wanted` in `parent`, taken with every suffix in `forms`
    /// at once (e.g. `X.md` and `X`), each path leaving `room` units after it (folders) — or
    /// `None` if even the shortest name does not fit.
    fn unique(
        &mut self,
        parent: &str,
        wanted: &str,
        forms: &[(&str, Kind)],
        room: usize,
    ) -> Option<Vec<(String, Kind)>> {
        if self.taken.get(&fold(parent)) == Some(&Taken::File) {
            return None;
        }
        let stem = safe_stem(wanted);
        let parent_units = if parent.is_empty() {
            0
        } else {
            parent.encode_utf16().count() + 1
        };
        let longest_suffix = forms
            .iter()
            .map(|(s, kind)| s.len() + if *kind == Kind::Folder { room } else { 0 })
            .max()
            .unwrap_or(0);
        for n in 1u32.. {
            let counter = if n == 1 {
                String::new()
            } else {
                format!(" ({n})")
            };
            let budget = MAX_PATH_UNITS
                .checked_sub(parent_units + longest_suffix + counter.len())
                .filter(|b| *b >= MIN_NAME_UNITS.min(stem.encode_utf16().count()))?;
            let name = format!("{}{counter}", shortened(&stem, budget));
            let paths: Vec<(String, Kind)> = forms
                .iter()
                .map(|(suffix, kind)| (join(parent, &format!("{name}{suffix}")), *kind))
                .collect();
            if paths.iter().all(|(p, _)| !self.is_taken(p)) {
                if !parent.is_empty() {
                    self.keep(parent, Kind::Folder);
                }
                for (path, kind) in &paths {
                    self.taken.insert(fold(path), (*kind).into());
                }
                return Some(paths);
            }
        }
        None
    }
}

/// `parent/name`, or `name` at the root.
pub fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}/{name}")
    }
}

/// `("a/b", "c.md")` for `a/b/c.md`; `("", "c")` for `c`.
pub fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// How the strictest file system compares a path: NFC, then case-folded.
fn fold(path: &str) -> String {
    path.nfc().flat_map(char::to_lowercase).collect()
}

/// `stem` cut to at most `units` UTF-16 units (at a character boundary, ends trimmed again).
fn shortened(stem: &str, units: usize) -> String {
    if stem.encode_utf16().count() <= units {
        return stem.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in stem.chars() {
        used += c.len_utf16();
        if used > units {
            break;
        }
        out.push(c);
    }
    let out = out.trim_end_matches([' ', '.']).to_string();
    if out.is_empty() { "_".to_string() } else { out }
}

/// `wanted` as a safe name stem (no extension added); see the module comment.
pub fn safe_stem(wanted: &str) -> String {
    let mut out = String::with_capacity(wanted.len());
    for c in wanted.nfc() {
        let c = match c {
            '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            '#' | '^' | '[' | ']' => '_',
            c if c.is_whitespace() => ' ',
            c if is_bidi_control(c) => continue,
            c if c.is_control() => '_',
            c => c,
        };
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    let mut stem = out.trim_matches([' ', '.']).to_string();
    if stem.len() > MAX_NAME_BYTES {
        let mut end = MAX_NAME_BYTES;
        while !stem.is_char_boundary(end) {
            end -= 1;
        }
        stem.truncate(end);
        stem = stem.trim_end_matches([' ', '.']).to_string();
    }
    if stem.is_empty() {
        return "Untitled".to_string();
    }
    if is_device_name(&stem) {
        return format!("_{stem}");
    }
    stem
}

/// An extension as a file system takes it (a few safe characters, never empty).
fn safe_extension(extension: &str) -> String {
    let clean: String = extension
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect();
    if clean.is_empty() {
        "bin".to_string()
    } else {
        clean.to_ascii_lowercase()
    }
}

/// Windows will not create `CON`, `NUL`, `COM1`, `LPT¹`… whatever follows after a dot (or
/// spaces before it). `CONIN$` and `CONOUT$` are the console's own.
/// See <https://learn.microsoft.com/windows/win32/fileio/naming-a-file>.
fn is_device_name(stem: &str) -> bool {
    let base = stem
        .split('.')
        .next()
        .unwrap_or(stem)
        .trim_end()
        .to_uppercase();
    if matches!(
        base.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) {
        return true;
    }
    let mut chars = base.chars();
    let prefix: String = chars.by_ref().take(3).collect();
    let rest: Vec<char> = chars.collect();
    (prefix == "COM" || prefix == "LPT")
        && rest.len() == 1
        && (rest[0].is_ascii_digit() || matches!(rest[0], '¹' | '²' | '³'))
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether a name from an earlier export still follows every rule here (then it is kept).
fn keepable(name: &str) -> bool {
    valid_everywhere(name)
        && !name.starts_with(['.', ' '])
        && !name.contains(['#', '^', '[', ']'])
        && name.len() <= MAX_NAME_BYTES + 24
        && name.nfc().eq(name.chars())
}

/// Whether `name` can be a file or folder name on Linux, macOS and Windows alike (what the
/// property tests check every name against).
pub fn valid_everywhere(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.ends_with([' ', '.'])
        && !name.chars().any(|c| {
            c.is_control() || matches!(c, '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
        })
        && !is_device_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_file_system_takes() {
        for (wanted, safe) in [
            ("Q3: plan/review?", "Q3_ plan_review_"),
            ("a<b>c|d*e\"f", "a_b_c_d_e_f"),
            ("C# notes [draft] ^1", "C_ notes _draft_ _1"),
            ("back\\slash", "back_slash"),
            ("CON", "_CON"),
            ("aux.txt", "_aux.txt"),
            ("COM1", "_COM1"),
            ("COM¹", "_COM¹"),
            ("lpt³.md", "_lpt³.md"),
            ("COM10", "COM10"),
            ("Trailing dot.", "Trailing dot"),
            ("Trailing space ", "Trailing space"),
            (".hidden", "hidden"),
            ("  ", "Untitled"),
            ("", "Untitled"),
            ("report\u{202e}fdp.exe", "reportfdp.exe"),
            ("Émigré café", "Émigré café"),
            ("cafe\u{301}", "caf\u{e9}"),
        ] {
            assert_eq!(safe_stem(wanted), safe, "{wanted:?}");
        }
        let long = safe_stem(&"é".repeat(200));
        assert!(long.len() <= MAX_NAME_BYTES && long.chars().all(|c| c == 'é'));
    }

    #[test]
    fn case_and_normalisation_twins_are_one_name() {
        let mut paths = VaultPaths::new();
        let s = paths.folder("", "S", CONTENT_ROOM).unwrap();
        assert_eq!(paths.file(&s, "Notes", Some("md")), "S/Notes.md");
        assert_eq!(paths.file(&s, "notes", Some("md")), "S/notes (2).md");
        assert_eq!(paths.file(&s, "café", Some("md")), "S/café.md");
        assert_eq!(paths.file(&s, "CAFE\u{301}", Some("md")), "S/CAFÉ (2).md");
        assert_eq!(paths.folder("", "s", CONTENT_ROOM).unwrap(), "s (2)");
    }

    #[test]
    fn a_page_and_its_subpages_folder_are_claimed_together() {
        let mut paths = VaultPaths::new();
        let s = paths.folder("", "S", CONTENT_ROOM).unwrap();
        paths.folder(&s, "resources", 0).unwrap();
        let a_md = paths.page(&s, "a.md");
        assert_eq!(
            (a_md.file.as_str(), a_md.children.as_str()),
            ("S/a.md.md", "S/a.md")
        );
        let a = paths.page(&s, "a");
        assert_eq!(
            (a.file.as_str(), a.children.as_str()),
            ("S/a (2).md", "S/a (2)")
        );
        let resources = paths.page(&s, "resources");
        assert_eq!(resources.children, "S/resources (2)");
        // A file can never be claimed where a folder is, nor below a file.
        assert!(!paths.keep("S/a.md", Kind::File));
        assert!(!paths.keep("S/a.md.md/x.md", Kind::File));
    }

    #[test]
    fn deep_trees_stay_within_the_path_limit() {
        let mut paths = VaultPaths::new();
        let mut parent = paths.folder("", &"N".repeat(90), CONTENT_ROOM).unwrap();
        let mut flattened = false;
        for level in 0..40 {
            let page = paths.page(&parent, &format!("{level} {}", "long title ".repeat(10)));
            assert!(
                page.file.encode_utf16().count() <= MAX_PATH_UNITS,
                "{}",
                page.file
            );
            flattened |= page.children == parent;
            parent = page.children;
        }
        assert!(
            flattened,
            "subpages went beside their parent once the tree was deep"
        );
    }
}

//! File and folder names every file system takes, unique within their folder.
//!
//! OneNote allows titles no file system does: `Q3: plan/review?`, `CON`, `Notes.` (Windows drops
//! the dot), two pages both called `Notes` (or `notes`: macOS and Windows ignore case). A vault
//! must unzip the same everywhere, so every name is made safe here:
//!
//! * `\ / : * ? " < > |` and control characters become `_` (bidirectional controls go: they can
//!   make `exe.pdf` look like `pdf.exe`); runs of whitespace are one space;
//! * spaces and dots at the ends are trimmed (Windows cannot keep them); an empty name is
//!   `Untitled`;
//! * Windows' device names (`CON`, `NUL`, `COM1`, … with any extension) get a `_` in front;
//! * a name is at most 100 bytes before its extension (paths stay under Windows' 260);
//! * a name already taken in the folder (ignoring case) gets ` (2)`, ` (3)`, … before the
//!   extension.

use std::collections::{HashMap, HashSet};

/// The longest name, in bytes, before its extension.
const MAX_STEM_BYTES: usize = 100;

/// The names taken in each folder of a vault.
#[derive(Debug, Default, Clone)]
pub struct Names {
    /// Folder → the lower-cased names taken in it.
    taken: HashMap<String, HashSet<String>>,
}

impl Names {
    /// Marks `name` as taken in `folder` (names kept from an earlier export).
    pub fn reserve(&mut self, folder: &str, name: &str) {
        self.taken
            .entry(folder.to_string())
            .or_default()
            .insert(name.to_lowercase());
    }

    /// Frees `name` in `folder` (a page that was deleted).
    pub fn release(&mut self, folder: &str, name: &str) {
        if let Some(names) = self.taken.get_mut(folder) {
            names.remove(&name.to_lowercase());
        }
    }

    /// A safe name for `wanted` (with `extension`, e.g. `md`, or none for a folder), not taken in
    /// `folder` yet, and takes it.
    pub fn claim(&mut self, folder: &str, wanted: &str, extension: Option<&str>) -> String {
        let stem = safe_stem(wanted);
        let taken = self.taken.entry(folder.to_string()).or_default();
        let with_extension = |stem: &str| match extension {
            Some(extension) => format!("{stem}.{extension}"),
            None => stem.to_string(),
        };
        let mut name = with_extension(&stem);
        let mut counter = 1;
        while taken.contains(&name.to_lowercase()) {
            counter += 1;
            name = with_extension(&format!("{stem} ({counter})"));
        }
        taken.insert(name.to_lowercase());
        name
    }
}

/// `wanted` as a safe name stem (no extension added).
pub fn safe_stem(wanted: &str) -> String {
    let mut out = String::with_capacity(wanted.len());
    for c in wanted.chars() {
        let c = match c {
            '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
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
    if stem.len() > MAX_STEM_BYTES {
        let mut end = MAX_STEM_BYTES;
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

/// Windows will not create `CON`, `NUL`, `COM1` … whatever follows after a dot.
fn is_device_name(stem: &str) -> bool {
    let base = stem
        .split('.')
        .next()
        .unwrap_or(stem)
        .trim_end()
        .to_ascii_uppercase();
    matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((base.starts_with("COM") || base.starts_with("LPT"))
            && base.len() == 4
            && base.as_bytes()[3].is_ascii_digit()
            && base.as_bytes()[3] != b'0')
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_file_system_takes() {
        for (wanted, safe) in [
            ("Q3: plan/review?", "Q3_ plan_review_"),
            ("a<b>c|d*e\"f", "a_b_c_d_e_f"),
            ("back\\slash", "back_slash"),
            ("CON", "_CON"),
            ("aux.txt", "_aux.txt"),
            ("COM1", "_COM1"),
            ("Trailing dot.", "Trailing dot"),
            ("Trailing space ", "Trailing space"),
            ("  ", "Untitled"),
            ("", "Untitled"),
            ("report\u{202e}fdp.exe", "reportfdp.exe"),
            ("Émigré café", "Émigré café"),
        ] {
            assert_eq!(safe_stem(wanted), safe, "{wanted:?}");
        }
        let long = safe_stem(&"é".repeat(200));
        assert!(long.len() <= MAX_STEM_BYTES && long.chars().all(|c| c == 'é'));
    }

    #[test]
    fn names_are_unique_ignoring_case() {
        let mut names = Names::default();
        assert_eq!(names.claim("S", "Notes", Some("md")), "Notes.md");
        assert_eq!(names.claim("S", "notes", Some("md")), "notes (2).md");
        assert_eq!(names.claim("S", "NOTES", Some("md")), "NOTES (3).md");
        assert_eq!(
            names.claim("T", "Notes", Some("md")),
            "Notes.md",
            "another folder"
        );
        assert_eq!(
            names.claim("S", "Notes", None),
            "Notes",
            "a folder beside the file"
        );
        names.release("S", "Notes.md");
        assert_eq!(names.claim("S", "Notes", Some("md")), "Notes.md");
    }
}

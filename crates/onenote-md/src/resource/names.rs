//! Safe, unique file names for the resources a page links to.
//!
//! The Markdown links to `resources/<name>` and the web app writes the files under those names
//! into a zip, so a name must be harmless on every file system a person unzips on: no path
//! separators, no `..`, no control or bidirectional-override characters (which can make
//! `report` + U+202E + `fdp.exe` display as `reportexe.pdf`), none of the characters Windows forbids, no
//! reserved device names. Names are unique ignoring letter case, because macOS and Windows
//! ignore it too.
//!
//! * Images are named after their alt text (`Floor plan` → `floor-plan.png`), or `image-N` when
//!   there is none, with the extension taken from the declared MIME type.
//! * Attachments keep the name the person gave the file (`Budget Q3.xlsx`), cleaned.
//! * Clashes get a counter before the extension: `report.pdf`, `report-2.pdf`, `report-3.pdf`.

use std::collections::HashSet;

/// The folder resources live in, relative to the Markdown file.
const RESOURCE_DIR: &str = "resources/";
/// Longest image name taken from alt text, in characters (before the extension).
const MAX_IMAGE_STEM: usize = 40;
/// Longest attachment name, in characters (before the extension).
const MAX_ATTACHMENT_STEM: usize = 100;
/// OneNote writes this before the OCR text it puts in `alt`; it says nothing about the image.
const MACHINE_ALT_PREFIX: &str = "machine generated alternative text:";
/// Used when nothing is known about an image's format. Browsers sniff image bytes anyway.
const UNKNOWN_IMAGE_EXTENSION: &str = "bin";

/// Hands out file names for one page, remembering which are taken.
#[derive(Debug, Default)]
pub(crate) struct FileNames {
    /// Names already handed out, lower-cased.
    taken: HashSet<String>,
    /// How many images had to be called `image-N`.
    unnamed_images: usize,
}

impl FileNames {
    /// A name for an image with this alt text and MIME type, e.g. `resources/floor-plan.png`.
    pub(crate) fn image(&mut self, alt: &str, content_type: Option<&str>) -> String {
        let stem = image_stem(alt).unwrap_or_else(|| {
            self.unnamed_images += 1;
            format!("image-{}", self.unnamed_images)
        });
        let extension = content_type
            .and_then(extension_for)
            .unwrap_or(UNKNOWN_IMAGE_EXTENSION);
        self.claim(&stem, Some(extension))
    }

    /// A name for an attachment the page calls `name` (its `data-attachment`).
    pub(crate) fn attachment(&mut self, name: &str, content_type: Option<&str>) -> String {
        let cleaned = clean_file_name(name);
        let (stem, extension) = match split_extension(&cleaned) {
            Some((stem, extension)) => (stem, Some(extension)),
            None => (cleaned.as_str(), content_type.and_then(extension_for)),
        };
        let stem = truncate_chars(stem, MAX_ATTACHMENT_STEM);
        let stem = if stem.is_empty() { "attachment" } else { stem };
        if is_device_name(stem) {
            self.claim(&format!("_{stem}"), extension)
        } else {
            self.claim(stem, extension)
        }
    }

    /// `resources/stem.extension`, or `stem-2.extension`, `stem-3.extension`, … whichever is
    /// free first.
    fn claim(&mut self, stem: &str, extension: Option<&str>) -> String {
        let mut path = String::with_capacity(RESOURCE_DIR.len() + stem.len() + 16);
        let mut counter = 1;
        loop {
            path.clear();
            path.push_str(RESOURCE_DIR);
            path.push_str(stem);
            if counter > 1 {
                path.push('-');
                path.push_str(&counter.to_string());
            }
            if let Some(extension) = extension {
                path.push('.');
                path.push_str(extension);
            }
            let name = path[RESOURCE_DIR.len()..].to_lowercase();
            if !self.taken.contains(&name) {
                self.taken.insert(name);
                return path;
            }
            counter += 1;
        }
    }
}

/// The file extension for a MIME type, for the types OneNote pages carry.
///
/// `image/svg+xml` keeps `.svg`: the bytes are SVG, and a wrong extension would only stop the
/// image from showing. An SVG can carry script, so whoever serves these files must send them as
/// downloads or with a restrictive Content-Security-Policy (the web app does); as an `<img>` in
/// rendered Markdown, SVG script never runs.
pub(crate) fn extension_for(content_type: &str) -> Option<&'static str> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let extension = match essence.as_str() {
        "image/png" => "png",
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "jpg",
        "image/gif" => "gif",
        "image/bmp" | "image/x-ms-bmp" => "bmp",
        "image/tiff" => "tif",
        "image/webp" => "webp",
        "image/svg+xml" => "svg",
        "image/x-icon" | "image/vnd.microsoft.icon" => "ico",
        "image/heic" => "heic",
        "image/emf" | "image/x-emf" => "emf",
        "image/wmf" | "image/x-wmf" => "wmf",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "text/csv" => "csv",
        "text/html" => "html",
        "application/json" => "json",
        "application/zip" => "zip",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.ms-powerpoint" => "ppt",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
        "audio/mpeg" => "mp3",
        "audio/wav" | "audio/x-wav" => "wav",
        "video/mp4" => "mp4",
        _ => return None,
    };
    Some(extension)
}

/// A lower-case, hyphenated ASCII name from alt text, or `None` when the alt text has no ASCII
/// letters or digits (then the image is called `image-N`).
fn image_stem(alt: &str) -> Option<String> {
    let alt = alt.trim();
    let alt = match alt.get(..MACHINE_ALT_PREFIX.len()) {
        Some(head) if head.eq_ignore_ascii_case(MACHINE_ALT_PREFIX) => {
            &alt[MACHINE_ALT_PREFIX.len()..]
        }
        _ => alt,
    };
    let mut stem = String::new();
    for word in alt
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        let separator = usize::from(!stem.is_empty());
        if stem.len() + separator + word.len() > MAX_IMAGE_STEM {
            if stem.is_empty() {
                // One very long word: cut it.
                stem.push_str(&word[..MAX_IMAGE_STEM]);
            }
            break;
        }
        if separator == 1 {
            stem.push('-');
        }
        stem.push_str(&word.to_ascii_lowercase());
    }
    (!stem.is_empty()).then_some(stem)
}

/// A file name with everything unsafe replaced: path separators and characters Windows forbids
/// become `_`, control and bidirectional-formatting characters go, runs of spaces and of dots
/// shrink to one, and spaces and dots at either end are trimmed.
fn clean_file_name(name: &str) -> String {
    let mut cleaned = String::with_capacity(name.len());
    for c in name.chars() {
        let c = match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_whitespace() => ' ',
            c if c.is_control() || is_bidi_control(c) => continue,
            c => c,
        };
        let repeats = matches!(c, ' ' | '.') && cleaned.ends_with(c);
        if !repeats {
            cleaned.push(c);
        }
    }
    cleaned.trim_matches([' ', '.']).to_owned()
}

/// Characters that reorder how text is displayed (LRE, RLO, isolates, marks …).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// An attachment's name as shown to a person (link text, not a path): whitespace collapsed, no
/// control or bidirectional-formatting characters (which could disguise the file's extension).
pub(crate) fn display_name(raw: &str) -> String {
    // Most names have nothing to remove.
    let clean = !raw.is_empty()
        && !raw.starts_with(' ')
        && !raw.ends_with(' ')
        && !raw.contains("  ")
        && raw
            .chars()
            .all(|c| (c == ' ' || !c.is_whitespace()) && !c.is_control() && !is_bidi_control(c));
    if clean {
        return raw.to_owned();
    }
    let visible: String = raw
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|&c| !c.is_control() && !is_bidi_control(c))
        .collect();
    let name = visible.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        "attachment".to_owned()
    } else {
        name
    }
}

/// `("report", "pdf")` for `report.pdf`; `None` when there is no short alphanumeric extension.
fn split_extension(name: &str) -> Option<(&str, &str)> {
    let (stem, extension) = name.rsplit_once('.')?;
    let plausible = !stem.is_empty()
        && (1..=10).contains(&extension.len())
        && extension.bytes().all(|b| b.is_ascii_alphanumeric());
    plausible.then_some((stem.trim_end(), extension))
}

/// The first `max` characters of `text`.
fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => text[..end].trim_end_matches([' ', '.']),
        None => text,
    }
}

/// Windows will not create files called `CON`, `NUL`, `COM1` … whatever their extension.
fn is_device_name(stem: &str) -> bool {
    let is = |name: &str| stem.eq_ignore_ascii_case(name);
    let numbered = |prefix: &str| {
        stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit()
            && stem
                .get(..3)
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    is("CON") || is("PRN") || is("AUX") || is("NUL") || numbered("COM") || numbered("LPT")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_named_after_their_alt_text() {
        let mut names = FileNames::default();
        assert_eq!(
            names.image("Floor plan", Some("image/png")),
            "resources/floor-plan.png"
        );
        assert_eq!(
            names.image("Floor plan", Some("image/jpeg")),
            "resources/floor-plan.jpg"
        );
        assert_eq!(
            names.image("FLOOR  plan!", Some("image/png")),
            "resources/floor-plan-2.png"
        );
        assert_eq!(names.image("", Some("image/gif")), "resources/image-1.gif");
        assert_eq!(names.image("مخطط", None), "resources/image-2.bin");
        assert_eq!(
            names.image(
                "Machine generated alternative text: Sales by region 2024",
                Some("image/png")
            ),
            "resources/sales-by-region-2024.png"
        );
    }

    #[test]
    fn attachments_keep_their_name_but_lose_what_is_unsafe() {
        let mut names = FileNames::default();
        assert_eq!(
            names.attachment("Budget Q3.xlsx", None),
            "resources/Budget Q3.xlsx"
        );
        assert_eq!(
            names.attachment("budget q3.XLSX", None),
            "resources/budget q3-2.XLSX"
        );
        assert_eq!(
            names.attachment("../../etc/passwd", None),
            "resources/_._etc_passwd"
        );
        assert_eq!(
            names.attachment("..", Some("application/pdf")),
            "resources/attachment.pdf"
        );
        assert_eq!(
            names.attachment("report\u{202E}fdp.exe", None),
            "resources/reportfdp.exe"
        );
        assert_eq!(names.attachment("CON.txt", None), "resources/_CON.txt");
        assert_eq!(
            names.attachment("notes", Some("text/plain")),
            "resources/notes.txt"
        );
        assert_eq!(
            names.attachment("a\u{0}b\nc.pdf", None),
            "resources/ab c.pdf"
        );
    }

    #[test]
    fn no_name_contains_dot_dot() {
        let mut names = FileNames::default();
        for raw in ["a..b.pdf", "...", ". . .", "x/../y", "..\\..\\z"] {
            let name = names.attachment(raw, None);
            assert!(!name.contains(".."), "{raw} -> {name}");
            assert_eq!(name.matches('/').count(), 1, "{raw} -> {name}");
        }
    }
}

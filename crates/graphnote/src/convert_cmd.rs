//! `graphnote convert`: OneNote page HTML saved on disk, as Markdown, without signing in — or
//! OneNote's own files (`.one`, `.onetoc2`, `.onepkg`, a notebook folder or its `.zip`) as a
//! vault, which `crate::convert_files` does.
//!
//! * `graphnote convert PAGE.html` (or `-` for standard input) prints the Markdown.
//! * `graphnote convert --out DIR FILE…|FOLDER` writes `DIR/NAME.md` for each page (`*.html` in a
//!   folder), and the files the Markdown links to into `DIR/resources/`: images the page carries
//!   itself, ink drawings, and OneNote resources found beside the page in a `resources/` folder
//!   under their resource id (`resources/{id}` or `resources/{id}.png`).
//! * A page's ink is read from `NAME.inkml` beside it, when there is one (the InkML part of
//!   `GET …/content?includeInkML=true`).
//!
//! Bad input — a file that is not HTML, one that cannot be read, a folder without pages, two
//! pages that would write different files under one name — is one line on standard error and
//! exit code 2. Nothing is overwritten with other bytes. Markdown that links files which could
//! not be written (a OneNote resource not saved beside its page; any file when printing) is
//! converted all the same, and one line on standard error names them, with exit code 1.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use onenote_md::{Options, PageMeta, to_markdown_with};

/// The largest page read.
const MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Args)]
pub struct ConvertArgs {
    /// Pages (`.html`), a folder of pages, or `-` for standard input; or OneNote's files:
    /// `.one`, `.onetoc2`, `.onepkg`, a `.zip` of a notebook folder, or a folder holding them.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Write `NAME.md` files (and their resources) into this folder instead of printing.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Start each document with YAML front matter (title, created, modified). The default.
    #[arg(long, conflicts_with = "no_front_matter")]
    front_matter: bool,
    /// Leave the front matter out.
    #[arg(long = "no-front-matter")]
    no_front_matter: bool,
    /// OneNote files: bring pages from the notebook's recycle bin too, into `_deleted/`.
    #[arg(long)]
    include_deleted: bool,
}

/// Why a conversion stopped: said in one line.
#[derive(Debug, thiserror::Error)]
enum ConvertError {
    #[error("{0}: cannot be read: {1}")]
    Unreadable(String, std::io::Error),
    #[error("{0}: is not OneNote page HTML (it does not start with a tag)")]
    NotHtml(String),
    #[error("{0}: is larger than {MAX_PAGE_BYTES} bytes")]
    TooLarge(String),
    #[error("{0}: holds no .html pages")]
    NoPages(String),
    #[error("give --out DIR to convert more than one page")]
    SeveralWithoutOut,
    #[error("{0}: cannot be written: {1}")]
    Unwritable(String, std::io::Error),
    #[error(
        "{0}: another page already wrote a different file there; convert the pages into separate folders"
    )]
    Clash(String),
}

pub async fn run(args: ConvertArgs) -> ExitCode {
    if crate::convert_files::applies(&args.inputs) {
        return crate::convert_files::run(crate::convert_files::FileArgs {
            inputs: &args.inputs,
            out: args.out.as_deref(),
            include_deleted: args.include_deleted,
        })
        .await;
    }
    match convert(&args) {
        Ok(missing) if missing.is_empty() => ExitCode::SUCCESS,
        Ok(missing) => {
            eprintln!(
                "graphnote convert: the Markdown links {} {} that could not be written: {}",
                missing.len(),
                if missing.len() == 1 { "file" } else { "files" },
                missing.join(", ")
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("graphnote convert: {e}");
            ExitCode::from(2)
        }
    }
}

/// Converts; the files the Markdown links to but that were not written (as `page: file (why)`).
fn convert(args: &ConvertArgs) -> Result<Vec<String>, ConvertError> {
    let front_matter = !args.no_front_matter;
    let pages = pages(&args.inputs)?;
    let mut missing = Vec::new();
    let Some(out) = &args.out else {
        let [page] = pages.as_slice() else {
            return Err(ConvertError::SeveralWithoutOut);
        };
        let conversion = convert_page(page, front_matter)?;
        let _ = std::io::stdout().write_all(conversion.markdown.as_bytes());
        for resource in &conversion.resources {
            missing.push(format!(
                "{} (printing writes no files: give --out DIR)",
                resource.file_name
            ));
        }
        return Ok(missing);
    };
    std::fs::create_dir_all(out).map_err(|e| ConvertError::Unwritable(show(out), e))?;
    let mut written: HashMap<PathBuf, Vec<u8>> = HashMap::new();
    for page in &pages {
        let conversion = convert_page(page, front_matter)?;
        let mut files = vec![(
            out.join(format!("{}.md", page.stem())),
            conversion.markdown.into_bytes(),
        )];
        for resource in conversion.resources {
            let bytes = match resource.bytes {
                Some(bytes) => Some(bytes),
                None => page.resource(&resource.id),
            };
            match bytes {
                Some(bytes) => files.push((out.join(&resource.file_name), bytes)),
                None => missing.push(format!(
                    "{} of {} (not found beside the page in resources/)",
                    resource.file_name,
                    page.name()
                )),
            }
        }
        for (path, bytes) in files {
            write_once(&path, bytes, &mut written)?;
        }
    }
    Ok(missing)
}

/// A page to convert: a file, or standard input.
enum Page {
    File(PathBuf),
    Stdin,
}

impl Page {
    fn stem(&self) -> String {
        match self {
            Page::File(path) => path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "page".into()),
            Page::Stdin => "page".into(),
        }
    }

    fn name(&self) -> String {
        match self {
            Page::File(path) => show(path),
            Page::Stdin => "standard input".into(),
        }
    }

    /// A OneNote resource saved beside the page, under its id.
    fn resource(&self, id: &str) -> Option<Vec<u8>> {
        let Page::File(path) = self else {
            return None;
        };
        if !onenote_md::is_valid_resource_id(id) {
            return None;
        }
        let folder = path.parent()?.join("resources");
        let exact = folder.join(id);
        if exact.is_file() {
            return std::fs::read(exact).ok();
        }
        std::fs::read_dir(&folder).ok()?.find_map(|entry| {
            let path = entry.ok()?.path();
            (path.file_stem()? == id && path.is_file())
                .then(|| std::fs::read(&path).ok())
                .flatten()
        })
    }

    fn ink(&self) -> Option<String> {
        match self {
            Page::File(path) => std::fs::read_to_string(path.with_extension("inkml")).ok(),
            Page::Stdin => None,
        }
    }
}

/// The pages the inputs name: files as given, folders' `*.html` in name order.
fn pages(inputs: &[PathBuf]) -> Result<Vec<Page>, ConvertError> {
    let mut pages = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            pages.push(Page::Stdin);
        } else if input.is_dir() {
            let entries =
                std::fs::read_dir(input).map_err(|e| ConvertError::Unreadable(show(input), e))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == "html"))
                .collect();
            if found.is_empty() {
                return Err(ConvertError::NoPages(show(input)));
            }
            found.sort();
            pages.extend(found.into_iter().map(Page::File));
        } else {
            pages.push(Page::File(input.clone()));
        }
    }
    Ok(pages)
}

fn convert_page(page: &Page, front_matter: bool) -> Result<onenote_md::Conversion, ConvertError> {
    let html = read(page)?;
    let ink = page.ink();
    let options = Options {
        ink: ink.as_deref(),
        ..Options::default()
    };
    let mut conversion = to_markdown_with(&html, &PageMeta::default(), &options);
    if !front_matter {
        conversion.markdown = without_front_matter(&conversion.markdown);
    }
    Ok(conversion)
}

fn read(page: &Page) -> Result<String, ConvertError> {
    let mut bytes = Vec::new();
    let name = page.name();
    match page {
        Page::File(path) => {
            let file =
                std::fs::File::open(path).map_err(|e| ConvertError::Unreadable(name.clone(), e))?;
            file.take(MAX_PAGE_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| ConvertError::Unreadable(name.clone(), e))?;
        }
        Page::Stdin => {
            std::io::stdin()
                .take(MAX_PAGE_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| ConvertError::Unreadable(name.clone(), e))?;
        }
    }
    if bytes.len() as u64 > MAX_PAGE_BYTES {
        return Err(ConvertError::TooLarge(name));
    }
    let text = String::from_utf8(bytes).map_err(|_| ConvertError::NotHtml(name.clone()))?;
    let starts_with_tag = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<');
    if !starts_with_tag {
        return Err(ConvertError::NotHtml(name));
    }
    Ok(text)
}

/// The Markdown without its `---` … `---` block (and the blank line after it).
fn without_front_matter(markdown: &str) -> String {
    let Some(rest) = markdown.strip_prefix("---\n") else {
        return markdown.to_string();
    };
    let Some(end) = rest.find("\n---\n") else {
        return markdown.to_string();
    };
    let body = rest[end + 5..].trim_start_matches('\n');
    if body.is_empty() {
        "\n".into()
    } else {
        body.to_string()
    }
}

/// Writes `bytes` at `path` unless this run wrote other bytes there (then it is a clash).
fn write_once(
    path: &Path,
    bytes: Vec<u8>,
    written: &mut HashMap<PathBuf, Vec<u8>>,
) -> Result<(), ConvertError> {
    if let Some(before) = written.get(path) {
        return if *before == bytes {
            Ok(())
        } else {
            Err(ConvertError::Clash(show(path)))
        };
    }
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|e| ConvertError::Unwritable(show(folder), e))?;
    }
    std::fs::write(path, &bytes).map_err(|e| ConvertError::Unwritable(show(path), e))?;
    written.insert(path.to_path_buf(), bytes);
    Ok(())
}

fn show(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_comes_off_whole() {
        assert_eq!(
            without_front_matter("---\ntitle: \"A\"\n---\n\nBody\n"),
            "Body\n"
        );
        assert_eq!(without_front_matter("---\ntitle: \"A\"\n---\n"), "\n");
        assert_eq!(without_front_matter("Body\n"), "Body\n");
    }
}

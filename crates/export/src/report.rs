//! `_export/report.md`: what the export holds, what it cost in calls and waiting, what changed
//! since the last run, and everything skipped or left unresolved, with the reasons.

use crate::manifest::Manifest;
use crate::scope::Scope;
use crate::status::{Changes, Status, human_bytes};
use crate::vault::markdown_text;

/// The report's text.
pub fn report(manifest: &Manifest, status: &Status, changes: &Changes, updated: bool) -> String {
    let resources: usize = manifest.pages.values().map(|p| p.resources.len()).sum();
    let mut text = String::from("# Export report\n\n");
    text.push_str(&format!(
        "- Pages: {}\n- Sections: {}\n- Resources: {resources}\n- Size: {} ({} bytes)\n",
        manifest.pages.len(),
        manifest.sections.len(),
        human_bytes(status.bytes),
        status.bytes,
    ));
    if manifest.scope == Scope::Files.kind() {
        text.push_str(&format!(
            "- Read from OneNote's own files: no Graph call\n- Time: {} s\n",
            status.elapsed_seconds
        ));
    } else {
        let per_page = if status.pages_done == 0 {
            0.0
        } else {
            status.calls as f64 / status.pages_done as f64
        };
        text.push_str(&format!(
            "- Graph calls: {} ({per_page:.2} per page)\n- Time: {} s, of which {} s waiting for \
             OneNote's limits\n",
            status.calls, status.elapsed_seconds, status.throttled_seconds,
        ));
    }
    if updated {
        text.push_str("\n## Changes since the last export\n\n");
        let mut any = false;
        for (label, paths) in [
            ("Added", &changes.added),
            ("Changed", &changes.changed),
            ("Removed", &changes.removed),
        ] {
            for path in paths {
                any = true;
                text.push_str(&format!("- {label}: `{path}`\n"));
            }
        }
        if !any {
            text.push_str("Nothing changed.\n");
        }
    }
    text.push_str("\n## Skipped\n\n");
    if status.skipped.is_empty() {
        text.push_str("Nothing was skipped.\n");
    }
    for skipped in &status.skipped {
        text.push_str(&format!(
            "- {} {}: {}\n",
            skipped.kind,
            markdown_text(&skipped.name),
            markdown_text(&skipped.reason)
        ));
    }
    if !status.notes.is_empty() {
        text.push_str("\n## Notes\n\n");
        for note in &status.notes {
            text.push_str(&format!("- {}\n", markdown_text(note)));
        }
    }
    text.push_str(
        "\n## Links not in this export\n\nThese stay OneNote links: they lead to pages outside \
         the export, or to pages that no longer exist.\n\n",
    );
    let mut broken = 0;
    for page in manifest.pages.values() {
        for link in &page.broken_links {
            broken += 1;
            text.push_str(&format!(
                "- in `{}`: <{}>\n",
                page.path,
                link.replace('>', "%3E")
            ));
        }
    }
    if broken == 0 {
        text.push_str("None.\n");
    }
    text
}

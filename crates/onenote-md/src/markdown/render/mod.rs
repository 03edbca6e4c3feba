//! Writing the document model as Markdown.
//!
//! Blocks are separated by a blank line, except where Markdown needs them tight: consecutive
//! tasks (`- [ ] a` / `- [x] b` form one list) and a list item's text followed by its sub-list.
//! List item content is indented to line up under the item's text, which is what makes nesting
//! (and tables or code inside items) work at any depth.

mod escape;
mod html;
mod inline;
mod table;
mod tag_prefix;

use super::model::{Block, List, ListItem};
use super::normalize::tidy_code;
use crate::note_tag::Tags;
use inline::InlineContext;
use tag_prefix::boxed_prefix;

/// Where blocks are being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// At the top level of the page, or in a quote.
    Flow,
    /// Inside a list item: a paragraph and the list after it stay together.
    ListItem,
}

/// The page's regions (in reading order), separated by blank lines.
pub(crate) fn document(regions: &[Vec<Block>]) -> String {
    let mut document = String::new();
    for blocks in regions {
        let text = blocks_markdown(blocks, Layout::Flow);
        if text.is_empty() {
            continue;
        }
        if !document.is_empty() {
            document.push_str("\n\n");
        }
        document.push_str(&text);
    }
    document
}

fn blocks_markdown(blocks: &[Block], layout: Layout) -> String {
    if let [block] = blocks {
        return block_markdown(block);
    }
    let mut out = String::new();
    let mut previous: Option<&Block> = None;
    for block in blocks {
        let text = block_markdown(block);
        if text.is_empty() {
            continue;
        }
        if let Some(previous) = previous {
            out.push_str(separator(previous, block, layout));
        }
        out.push_str(&text);
        previous = Some(block);
    }
    out
}

fn separator(previous: &Block, next: &Block, layout: Layout) -> &'static str {
    let consecutive_tasks = is_task(previous) && is_task(next);
    let text_then_sublist = layout == Layout::ListItem
        && matches!(previous, Block::Paragraph { .. })
        && matches!(next, Block::List(_));
    if consecutive_tasks || text_then_sublist {
        "\n"
    } else {
        "\n\n"
    }
}

fn is_task(block: &Block) -> bool {
    matches!(block, Block::Paragraph { tags, .. } if tags.task().is_some())
}

fn block_markdown(block: &Block) -> String {
    match block {
        Block::Paragraph { tags, content } => {
            let text = inline::markdown(content, InlineContext::Paragraph);
            match tags.task() {
                Some(done) => {
                    let line = format!("{} {}{text}", task_box(done), label_prefix(tags, true));
                    attach_marker("- ", &line)
                }
                None => {
                    let mut line = label_prefix(tags, false);
                    if line.is_empty() {
                        return text;
                    }
                    line.push_str(&text);
                    line
                }
            }
        }
        Block::Heading {
            level,
            tags,
            content,
        } => {
            let text = inline::markdown(content, InlineContext::Heading);
            let labels = boxed_prefix(tags, |label| format!("**[{}]** ", escape::text(label)));
            if text.is_empty() && labels.is_empty() {
                return String::new();
            }
            format!("{} {labels}{text}", "#".repeat(usize::from(*level)))
        }
        Block::Code(code) | Block::Preformatted(code) => match tidy_code(code) {
            Some(code) => {
                let fence = escape::code_fence(&code);
                format!("{fence}\n{code}\n{fence}")
            }
            None => String::new(),
        },
        Block::List(list) => list_markdown(list),
        Block::Table(table) => table::table(table),
        Block::Quote(blocks) => quote(&blocks_markdown(blocks, Layout::Flow)),
        Block::Rule => "---".to_owned(),
        Block::MissingContent(note) => format!(
            "> **Note:** OneNote could not export part of this page: {}",
            escape::text(note)
        ),
        Block::Math(latex) => format!("$$\n{latex}\n$$"),
        Block::MathMl(source) => {
            let fence = escape::code_fence(source);
            format!("{fence}mathml\n{source}\n{fence}")
        }
    }
}

fn list_markdown(list: &List) -> String {
    let mut items = Vec::with_capacity(list.items.len());
    for (index, item) in list.items.iter().enumerate() {
        let marker = if list.ordered {
            let number = u32::try_from(index)
                .unwrap_or(u32::MAX)
                .saturating_add(list.start);
            format!("{number}. ")
        } else {
            "- ".to_owned()
        };
        items.push(attach_marker(&marker, &item_markdown(item)));
    }
    items.join("\n")
}

/// The content of a list item, to be put after its marker.
fn item_markdown(item: &ListItem) -> String {
    let task = item.tags.task();
    let prefix = match task {
        Some(done) => format!("{} {}", task_box(done), label_prefix(&item.tags, true)),
        None => label_prefix(&item.tags, false),
    };
    let body = blocks_markdown(&item.blocks, Layout::ListItem);
    match item.blocks.first() {
        Some(Block::Paragraph { .. } | Block::Heading { .. }) => format!("{prefix}{body}"),
        // A list, table or code block cannot share the marker's line readably: it starts on the
        // next line, still inside the item.
        _ if body.is_empty() => prefix,
        _ => format!("{}\n{body}", prefix.trim_end()),
    }
}

/// `marker` before the first line, and every further line indented to line up under the first.
fn attach_marker(marker: &str, content: &str) -> String {
    let mut lines = content.split('\n');
    let mut out = String::with_capacity(content.len() + marker.len() + 16);
    out.push_str(marker);
    out.push_str(lines.next().unwrap_or_default());
    out.truncate(out.trim_end().len());
    for line in lines {
        out.push('\n');
        if !line.is_empty() {
            out.extend(std::iter::repeat_n(' ', marker.len()));
            out.push_str(line);
        }
    }
    out
}

fn quote(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            if line.is_empty() {
                ">".to_owned()
            } else {
                format!("> {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn task_box(done: bool) -> &'static str {
    if done { "[x]" } else { "[ ]" }
}

/// `**[Important]** ` for each tag label, ready to go before the text.
fn label_prefix(tags: &Tags, as_task: bool) -> String {
    tags.labels(as_task)
        .iter()
        .map(|label| format!("**[{}]** ", escape::text(label)))
        .collect()
}

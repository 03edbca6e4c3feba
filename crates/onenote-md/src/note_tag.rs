//! OneNote note tags: the `data-tag` attribute and how a tag reads in text.
//!
//! OneNote writes tags as `data-tag="shape[:status]"`, several separated by commas
//! (`data-tag="idea, send-in-email"`), on `p`, `h1`–`h6`, `img`, and on a `span` inside each
//! `li` (docs/protocol.md §10.5). Some shapes are check boxes (`to-do`, `call-back`, …) and may carry
//! `:completed`.
//!
//! How tags are shown is decided here once for both outputs:
//!
//! * A check-box tag makes the paragraph a task: `- [ ] text` / `- [x] text` in Markdown, `☐` /
//!   `☑` in the sanitized page. Where Markdown has no task list (headings, table cells) the box
//!   is that glyph too: `## ☐ Confirm speakers`, `| ☑ Book the venue |`. Any check-box shape
//!   with `:completed` is a checked box.
//! * Every other tag becomes a label in brackets, in words: `[Important]`, `[Question]`,
//!   `[Call back]`. Markdown shows labels in bold: `**[Important]** Budget is fixed.`

/// One tag from a `data-tag` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoteTag {
    /// The shape, lower-case, e.g. `to-do`, `important`, `discuss-with-manager`.
    shape: String,
    /// `:completed` was given (meaningful for check-box shapes only).
    completed: bool,
}

/// Shapes that OneNote shows as a check box.
const CHECKBOX_SHAPES: &[&str] = &[
    "to-do",
    "to-do-priority-1",
    "to-do-priority-2",
    "discuss-with-person-a",
    "discuss-with-person-b",
    "discuss-with-manager",
    "schedule-meeting",
    "call-back",
    "client-request",
];

impl NoteTag {
    fn is_checkbox(&self) -> bool {
        CHECKBOX_SHAPES.contains(&self.shape.as_str())
    }

    /// How the shape reads in words: `Important`, `Remember for later`, `Discuss with manager`.
    fn words(&self) -> String {
        let known = match self.shape.as_str() {
            "to-do" => "To do",
            "to-do-priority-1" => "Priority 1",
            "to-do-priority-2" => "Priority 2",
            "web-site-to-visit" => "Website to visit",
            "project-a" => "Project A",
            "project-b" => "Project B",
            "discuss-with-person-a" => "Discuss with person A",
            "discuss-with-person-b" => "Discuss with person B",
            _ => "",
        };
        if !known.is_empty() {
            return known.to_owned();
        }
        // `remember-for-later` → `Remember for later`, and the same for shapes we do not know.
        let mut words = self.shape.replace('-', " ");
        if let Some(first) = words.get(..1) {
            let capital = first.to_ascii_uppercase();
            words.replace_range(..1, &capital);
        }
        words
    }
}

/// The tags of one paragraph, heading, list item or image, in the order they were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tags(Vec<NoteTag>);

impl Tags {
    /// Parses a `data-tag` attribute. Shapes are `[a-z0-9-]`; anything else is ignored.
    pub(crate) fn parse(attribute: &str) -> Self {
        let mut tags = Tags::default();
        for part in attribute.split(',') {
            let (shape, status) = part.split_once(':').unwrap_or((part, ""));
            let shape = shape.trim().to_ascii_lowercase();
            let well_formed = (1..=40).contains(&shape.len())
                && shape
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if well_formed {
                tags.push(NoteTag {
                    shape,
                    completed: status.trim().eq_ignore_ascii_case("completed"),
                });
            }
        }
        tags
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds the other tags, skipping repeats.
    pub(crate) fn extend(&mut self, other: Tags) {
        for tag in other.0 {
            self.push(tag);
        }
    }

    fn push(&mut self, tag: NoteTag) {
        if !self.0.iter().any(|t| t.shape == tag.shape) {
            self.0.push(tag);
        }
    }

    /// `Some(done)` when the first check-box tag makes this a task.
    pub(crate) fn task(&self) -> Option<bool> {
        self.0.iter().find(|t| t.is_checkbox()).map(|t| t.completed)
    }

    /// The labels to show in front of the text.
    ///
    /// With `as_task` the check box is shown as a task box elsewhere, so a plain `to-do` needs no
    /// label and the task's own status is not repeated. Without it, every tag is a label.
    pub(crate) fn labels(&self, as_task: bool) -> Vec<String> {
        let task_index = self.0.iter().position(NoteTag::is_checkbox);
        let mut labels = Vec::new();
        for (index, tag) in self.0.iter().enumerate() {
            let is_the_task = as_task && Some(index) == task_index;
            if is_the_task && tag.shape == "to-do" {
                continue;
            }
            let label = if tag.shape == "to-do" && tag.completed {
                "Done".to_owned()
            } else if tag.is_checkbox() && tag.completed && !is_the_task {
                format!("{}: done", tag.words())
            } else {
                tag.words()
            };
            labels.push(label);
        }
        labels
    }
}

impl Tags {
    /// For places with no task list (headings, table cells): the check box as a glyph (`☐`,
    /// `☑`) when there is one, and the labels of the other tags.
    pub(crate) fn boxed(&self) -> (Option<&'static str>, Vec<String>) {
        match self.task() {
            Some(done) => (Some(if done { "☑" } else { "☐" }), self.labels(true)),
            None => (None, self.labels(false)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_of_tags() {
        let tags = Tags::parse("idea, send-in-email");
        assert_eq!(tags.labels(false), ["Idea", "Send in email"]);
        assert_eq!(tags.task(), None);
        assert!(Tags::parse(" ;<script>, ").is_empty());
    }

    #[test]
    fn check_boxes_become_tasks_or_labels() {
        let todo = Tags::parse("to-do:completed");
        assert_eq!(todo.task(), Some(true));
        assert!(todo.labels(true).is_empty());
        assert_eq!(todo.labels(false), ["Done"]);

        let call = Tags::parse("call-back, important");
        assert_eq!(call.task(), Some(false));
        assert_eq!(call.labels(true), ["Call back", "Important"]);
        assert_eq!(Tags::parse("to-do").labels(false), ["To do"]);
        assert_eq!(
            Tags::parse("to-do, schedule-meeting:completed").labels(true),
            ["Schedule meeting: done"]
        );
    }
}

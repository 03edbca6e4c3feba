//! An export's progress as the job page shows it (and its JSON gives): counts, what it is doing,
//! what was skipped, and an ETA computed from OneNote's limits.

use serde::{Deserialize, Serialize};

/// Where an export has got to.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Status {
    pub pages_total: u64,
    pub pages_done: u64,
    pub resources_done: u64,
    /// The vault's size: while running, what the pages written so far take; at the end, every
    /// file in it. The job's page, the list of exports and the report all give this number.
    pub bytes: u64,
    /// Graph calls made (the listing, page contents, resources).
    pub calls: u64,
    /// Time spent waiting for OneNote (throttled or unavailable calls waited out).
    pub throttled_seconds: u64,
    /// While a wait is on: when it ends (Unix seconds).
    #[serde(default)]
    pub waiting_until: Option<i64>,
    /// Time spent running (over every run, when it was resumed).
    pub elapsed_seconds: u64,
    /// What it is doing now, in words.
    pub doing: String,
    pub skipped: Vec<Skipped>,
    /// Links that lead to no page of the export (to a page outside it, or deleted).
    pub broken_links: u64,
}

/// Something left out, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Skipped {
    /// `page` or `resource`.
    pub kind: String,
    /// The page title, or the resource's file name and its page.
    pub name: String,
    pub reason: String,
}

/// What an update changed, as vault paths.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Changes {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

/// A size as people read it: `812 B`, `235 kB`, `1.4 MB`, `2.07 GB` (powers of 1000, as file
/// managers on macOS and Linux count).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.5 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    let digits = if value < 9.995 {
        2
    } else if value < 99.95 {
        1
    } else {
        0
    };
    format!("{value:.digits$} {}", UNITS[unit])
}

impl Status {
    /// Seconds left at OneNote's limits: the calls still to make (the pages left, each with the
    /// resources a page has had on average so far), at the slower of the per-minute and
    /// per-hour rates. `None` before the listing is done.
    pub fn eta_seconds(&self, per_minute: usize, per_hour: usize) -> Option<u64> {
        if self.pages_total == 0 && self.pages_done == 0 {
            return None;
        }
        let left = self.pages_total.saturating_sub(self.pages_done);
        let per_page = if self.pages_done == 0 {
            1.0
        } else {
            1.0 + self.resources_done as f64 / self.pages_done as f64
        };
        let calls = left as f64 * per_page;
        let per_second = (per_minute as f64 / 60.0).min(per_hour as f64 / 3600.0);
        if per_second <= 0.0 {
            return None;
        }
        Some((calls / per_second).ceil() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_read_them() {
        for (bytes, text) in [
            (0, "0 B"),
            (999, "999 B"),
            (1000, "1.00 kB"),
            (235_128, "235 kB"),
            (1_400_000, "1.40 MB"),
            (99_960_000, "100 MB"),
            (2_070_000_000, "2.07 GB"),
        ] {
            assert_eq!(human_bytes(bytes), text, "{bytes}");
        }
    }

    #[test]
    fn eta_follows_the_slower_limit_and_the_resources_per_page() {
        let status = Status {
            pages_total: 1000,
            pages_done: 100,
            resources_done: 100,
            ..Status::default()
        };
        // 900 pages × 2 calls at 400/h: 4.5 h, though 120/min would allow it in 15 min.
        assert_eq!(status.eta_seconds(120, 400), Some(16_200));
        assert_eq!(status.eta_seconds(120, 100_000), Some(900));
        assert_eq!(Status::default().eta_seconds(120, 400), None);
    }
}

//! An export's progress as the job page shows it (and its JSON gives): counts, what it is doing,
//! what was skipped, and when it will be done ([`schedule`]: OneNote's windows as they stand,
//! played forward call by call).

use std::collections::VecDeque;

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
    /// While a wait is on: when it began and when it ends (Unix seconds).
    #[serde(default)]
    pub waiting_since: Option<i64>,
    #[serde(default)]
    pub waiting_until: Option<i64>,
    /// When this status was taken (Unix milliseconds): calls started since then are not in it
    /// yet, so an estimate counts them among the calls to make, not among the calls made.
    #[serde(default)]
    pub as_of_ms: Option<i64>,
    /// How long a call takes when nothing holds it back (the median of the last ones), in
    /// microseconds; `None` before a call was timed.
    #[serde(default)]
    pub call_micros: Option<u64>,
    /// Time spent running (over every run, when it was resumed).
    pub elapsed_seconds: u64,
    /// What it is doing now, in words.
    pub doing: String,
    pub skipped: Vec<Skipped>,
    /// What the source noticed but did not leave out (the file reader's warnings).
    #[serde(default)]
    pub notes: Vec<String>,
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

/// How an export's calls can go: the windows background work may use, and how long one call
/// takes (an export makes one call at a time).
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    pub per_minute: usize,
    pub per_hour: usize,
    pub call_seconds: f64,
}

/// When the calls still to make will go, from now (seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// When the next call can start.
    pub next: f64,
    /// When the last one will have finished.
    pub done: f64,
}

/// A call counts against the windows this much longer than they last (see the OneNote budget).
const WINDOW_MARGIN: f64 = 1.0;

/// Plays `calls` calls forward from now, one at a time: each starts when the last has finished
/// and both windows have room — the per-minute and per-hour windows holding the calls that
/// started `recent` seconds ago (any order), and then the ones played.
pub fn schedule(calls: u64, pace: Pace, recent: &[f64]) -> Schedule {
    let mut starts: VecDeque<f64> = {
        let mut past: Vec<f64> = recent.iter().map(|age| -age).collect();
        past.sort_by(f64::total_cmp);
        past.into()
    };
    let (per_minute, per_hour) = (pace.per_minute.max(1), pace.per_hour.max(1));
    let mut t = 0.0_f64;
    let mut next = None;
    for _ in 0..calls.min(1_000_000) {
        loop {
            while starts
                .front()
                .is_some_and(|s| *s <= t - 3600.0 - WINDOW_MARGIN)
            {
                starts.pop_front();
            }
            let mut at = t;
            let n = starts.len();
            if n >= per_hour {
                at = at.max(starts[n - per_hour] + 3600.0 + WINDOW_MARGIN);
            }
            if n >= per_minute {
                at = at.max(starts[n - per_minute] + 60.0 + WINDOW_MARGIN);
            }
            if at <= t {
                break;
            }
            t = at;
        }
        next.get_or_insert(t);
        starts.push_back(t);
        t += pace.call_seconds.max(0.0);
    }
    Schedule {
        next: next.unwrap_or(0.0),
        done: t,
    }
}

impl Status {
    /// The calls still to make: the pages left, each with the resources a page has had on
    /// average so far. `None` before the listing is done.
    pub fn calls_left(&self) -> Option<u64> {
        if self.pages_total == 0 && self.pages_done == 0 {
            return None;
        }
        let left = self.pages_total.saturating_sub(self.pages_done);
        let per_page = if self.pages_done == 0 {
            1.0
        } else {
            1.0 + self.resources_done as f64 / self.pages_done as f64
        };
        Some((left as f64 * per_page).ceil() as u64)
    }

    /// How long a call takes when not held back (a guess of 0.3 s before any was timed).
    pub fn call_seconds(&self) -> f64 {
        self.call_micros.map_or(0.3, |micros| micros as f64 / 1e6)
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

    fn pace(per_minute: usize, per_hour: usize, call_seconds: f64) -> Pace {
        Pace {
            per_minute,
            per_hour,
            call_seconds,
        }
    }

    #[test]
    fn calls_within_the_windows_go_at_the_speed_of_a_call() {
        // 300 calls, OneNote allowing 380 an hour and 114 a minute: the minute window is the
        // only wait (three of them), not the hour's 400 calls spread over an hour.
        let s = schedule(300, pace(114, 380, 0.01), &[]);
        assert!(s.next == 0.0);
        assert!((122.0..125.0).contains(&s.done), "{s:?}");
    }

    #[test]
    fn a_full_hour_window_waits_for_its_oldest_call() {
        // 380 calls in the last hour, the oldest 50 minutes ago: nothing goes for ten minutes.
        let recent: Vec<f64> = (0..380).map(|i| 3000.0 - i as f64).collect();
        let s = schedule(10, pace(114, 380, 0.5), &recent);
        assert!((600.0..=602.0).contains(&s.next), "{s:?}");
        let none_yet = schedule(0, pace(114, 380, 0.5), &recent);
        assert_eq!(
            none_yet,
            Schedule {
                next: 0.0,
                done: 0.0
            }
        );
    }

    #[test]
    fn calls_left_count_the_resources_pages_have_had() {
        let status = Status {
            pages_total: 1000,
            pages_done: 100,
            resources_done: 100,
            ..Status::default()
        };
        assert_eq!(status.calls_left(), Some(1800));
        assert_eq!(Status::default().calls_left(), None);
    }
}

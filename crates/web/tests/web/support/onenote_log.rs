//! Reading a user's OneNote calls out of the emulator's request log.

/// The user's OneNote calls among the log entries.
pub fn onenote_calls<'a>(
    entries: &'a [serde_json::Value],
    user: &str,
) -> Vec<&'a serde_json::Value> {
    entries
        .iter()
        .filter(|e| e["user"] == user && e["path"].as_str().unwrap_or("").contains("/onenote/"))
        .collect()
}

/// The largest number of the user's OneNote requests the emulator had in flight at once.
pub fn max_in_flight(entries: &[serde_json::Value], user: &str) -> usize {
    let mut events: Vec<(f64, i32)> = Vec::new();
    for e in entries
        .iter()
        .filter(|e| e["user"] == user && e["path"].as_str().unwrap_or("").contains("/onenote/"))
    {
        events.push((e["started_ms"].as_f64().unwrap(), 1));
        events.push((e["finished_ms"].as_f64().unwrap(), -1));
    }
    // Ends sort before starts at the same instant.
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut max) = (0i32, 0i32);
    for (_, delta) in events {
        now += delta;
        max = max.max(now);
    }
    max as usize
}

/// The most calls that started within any `window_ms` (their `started_ms`, as the emulator
/// saw them arrive).
pub fn most_in_any_window(entries: &[&serde_json::Value], window_ms: f64) -> usize {
    let mut starts: Vec<f64> = entries
        .iter()
        .map(|e| e["started_ms"].as_f64().unwrap())
        .collect();
    starts.sort_by(f64::total_cmp);
    let mut most = 0;
    let mut first = 0;
    for (last, start) in starts.iter().enumerate() {
        while *start - starts[first] >= window_ms {
            first += 1;
        }
        most = most.max(last - first + 1);
    }
    most
}

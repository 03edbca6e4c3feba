//! The current time as Unix seconds (tokens and sessions count in seconds), and times and
//! waits as people read them (UTC: the server does not know the reader's time zone).

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// The current time as Unix milliseconds (leases).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// `2026-12-04` for Unix seconds `at` (UTC).
pub fn date(at: i64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(at)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `2026-12-04 21:17 UTC` for Unix seconds `at`.
pub fn date_time(at: i64) -> String {
    let (hour, minute) = (at.rem_euclid(86_400) / 3600, at.rem_euclid(3600) / 60);
    format!("{} {hour:02}:{minute:02} UTC", date(at))
}

/// `at 14:05 UTC (in about 53 minutes)`, `in about 20 seconds`: when a wait of `wait` ends.
pub fn when_next(wait: std::time::Duration) -> String {
    let seconds = wait.as_secs();
    if seconds < 90 {
        return format!("in about {} seconds", seconds.max(1));
    }
    let at = now() + seconds as i64;
    let (hour, minute) = ((at % 86_400) / 3600, (at % 3600) / 60);
    format!(
        "at {hour:02}:{minute:02} UTC (in about {} minutes)",
        seconds.div_ceil(60)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_in_utc() {
        assert_eq!(super::date(0), "1970-01-01");
        assert_eq!(super::date_time(1_796_418_000), "2026-12-04 21:00 UTC");
    }
}

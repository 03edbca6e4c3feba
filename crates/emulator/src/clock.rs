//! Time as the emulated services write it. Entra, Graph and OneNote each format timestamps their
//! own way, and clients parse them, so the formats are kept exactly.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// Seconds since the Unix epoch, as JWT claims carry them.
pub fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Entra error timestamps: `2025-01-02 03:04:05Z` (a space, not `T`).
pub fn entra_timestamp(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second]Z"
    ))
    .unwrap_or_default()
}

/// Graph `innerError.date`: `2025-01-02T03:04:05`, no fraction and no zone.
pub fn graph_error_date(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]"
    ))
    .unwrap_or_default()
}

/// OneNote entity timestamps: RFC 3339 in UTC, e.g. `2025-01-02T09:00:00Z`.
pub fn iso8601(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// The `<meta name="created">` value in page HTML: seven fractional digits, no zone.
pub fn onenote_meta_created(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].0000000"
    ))
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_match_the_services() {
        let at = datetime!(2025-01-02 03:04:05 UTC);
        assert_eq!(entra_timestamp(at), "2025-01-02 03:04:05Z");
        assert_eq!(graph_error_date(at), "2025-01-02T03:04:05");
        assert_eq!(iso8601(at), "2025-01-02T03:04:05Z");
        assert_eq!(onenote_meta_created(at), "2025-01-02T03:04:05.0000000");
    }
}

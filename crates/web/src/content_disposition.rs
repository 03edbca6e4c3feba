//! `Content-Disposition: attachment` for every download the app serves, with the file's name as
//! RFC 6266 asks: `filename*` carries the name in UTF-8, `filename` an ASCII stand-in for
//! clients that know no better. The name is reduced to a file name first (no folders, no
//! control characters, at most [`MAX_NAME_CHARS`]), whoever chose it.

use axum::http::HeaderValue;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

/// The longest name given (file systems take 255 bytes; browsers shorten further).
const MAX_NAME_CHARS: usize = 150;

/// `attachment; filename="…"; filename*=UTF-8''…` for `name`, or plain `attachment` when
/// nothing of the name is left.
pub fn attachment(name: &str) -> HeaderValue {
    let name = file_name(name);
    if name.is_empty() {
        return HeaderValue::from_static("attachment");
    }
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(&name, NON_ALPHANUMERIC);
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The last path segment of `name`, without control characters or surrounding dots and spaces.
fn file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let visible: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    visible
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_file_names_in_both_forms() {
        assert_eq!(
            attachment("report 2025.pdf"),
            "attachment; filename=\"report_2025.pdf\"; filename*=UTF-8''report%202025%2Epdf"
        );
        assert_eq!(
            attachment("../../etc/pass\r\nwd"),
            "attachment; filename=\"passwd\"; filename*=UTF-8''passwd"
        );
        assert_eq!(
            attachment("Résumé.docx"),
            "attachment; filename=\"R_sum_.docx\"; filename*=UTF-8''R%C3%A9sum%C3%A9%2Edocx"
        );
        assert_eq!(attachment(" .. "), "attachment");
    }
}

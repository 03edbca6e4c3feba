//! What an export does about each OneNote error code, and what it tells the person — by the
//! code alone, whatever HTTP status it came with (OneNote sends 10008 as 403 or 400, for one).
//! The codes are OneNote's documented ones:
//! <https://learn.microsoft.com/graph/onenote-error-codes>.

use export::FetchError;

/// The export's answer to OneNote error `code` (with Graph's `message`), if the code is known.
pub fn for_code(code: &str, message: &str) -> Option<FetchError> {
    let transient = |why: &str| FetchError::Transient {
        message: format!("OneNote error {code}: {why}"),
        retry_after: None,
    };
    Some(match code {
        "10008" | "10013" => FetchError::Fatal(format!(
            "OneNote cannot list these notebooks in one go: the document library that holds them \
             has more than 5,000 items (OneNote error {code}). Export the notebooks one at a \
             time, or each section on its own; or move other files out of that library \
             (OneDrive or the SharePoint site's Documents)."
        )),
        "20266" => FetchError::Fatal(
            "OneNote refuses to list this many sections in one call (OneNote error 20266). \
             Export each notebook, or each section, on its own."
                .into(),
        ),
        "30105" | "30106" | "30108" => FetchError::Fatal(format!(
            "OneDrive for Business is not set up for this account yet (OneNote error {code}). \
             Open OneDrive once in the browser, wait a few minutes, then export again."
        )),
        "10001" | "10002" | "10003" | "10007" | "19999" => transient(message),
        "20166" => transient("too many requests for this user just now"),
        "20102" | "20112" | "20113" => {
            FetchError::Failed(format!("OneNote no longer has it (OneNote error {code})"))
        }
        "40002" | "40003" | "40004" | "40006" | "40007" | "40008" => {
            FetchError::NeedsOwner(format!(
                "OneNote says graphnote may not read this for you (OneNote error {code}). Open \
                 OneNote in graphnote, allow it again, and the export goes on."
            ))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_too_big_advice_comes_whatever_the_status() {
        for code in ["10008", "10013"] {
            let Some(FetchError::Fatal(advice)) = for_code(code, "") else {
                panic!("{code}");
            };
            assert!(advice.contains("one at a time") && advice.contains(code));
        }
        assert!(matches!(for_code("20266", ""), Some(FetchError::Fatal(_))));
        assert!(matches!(
            for_code("20166", ""),
            Some(FetchError::Transient { .. })
        ));
        assert!(for_code("Authorization_RequestDenied", "").is_none());
    }
}

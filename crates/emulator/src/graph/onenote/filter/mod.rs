//! `$filter` for OneNote lists: a small real parser and evaluator for the part of OData that
//! OneNote supports (docs/protocol.md §10.4): `eq ne gt ge lt le`, `and or not`, parentheses, string,
//! number, boolean, `null` and date-time literals, property paths (`parentSection/displayName`),
//! and the functions `contains startswith endswith tolower toupper trim length indexof substring
//! concat`. Comparisons are case-sensitive, as in Graph (use `tolower`). Entities are evaluated as
//! their JSON, so every property a client can read can be filtered on.

mod eval;
mod expr;
mod lexer;
mod parser;

pub use eval::{matches, properties};
pub use expr::{Expr, Func, Op, Val};
pub use parser::{MAX_LENGTH, parse};

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use serde_json::json;

    fn check(filter: &str, entity: &Value) -> bool {
        matches(&parse(filter).unwrap(), entity).unwrap()
    }

    #[test]
    fn operators_functions_and_paths() {
        let page = json!({"title": "Weekly Plan", "level": 1, "isDefault": false,
            "lastModifiedDateTime": "2025-01-06T10:00:00Z",
            "parentSection": {"displayName": "Quick Notes"}});
        assert!(check("title eq 'Weekly Plan'", &page));
        assert!(!check("title eq 'weekly plan'", &page));
        assert!(check("tolower(title) eq 'weekly plan'", &page));
        assert!(check(
            "contains(tolower(title),'plan') and level ge 1",
            &page
        ));
        assert!(check("startswith(title,'Week') or false", &page));
        assert!(check("not (isDefault eq true)", &page));
        assert!(check("lastModifiedDateTime gt 2025-01-01T00:00:00Z", &page));
        assert!(check("parentSection/displayName eq 'Quick Notes'", &page));
        assert!(check(
            "length(title) eq 11 and indexof(title,'Plan') eq 7",
            &page
        ));
        assert!(check(
            "substring(title,7) eq 'Plan' and concat(title,'!') eq 'Weekly Plan!'",
            &page
        ));
        assert!(check("title ne null", &page));
        assert!(check("title eq 'It''s'", &json!({"title": "It's"})));
    }

    #[test]
    fn malformed_filters_are_errors_not_panics() {
        for bad in [
            "",
            "title eq",
            "eq 'x'",
            "(title eq 'x'",
            "title eq 'x",
            "frob(title)",
            "title has 'x'",
            "title eq 'x' extra",
            "contains(title)",
            "#",
            "a//b eq 1",
            &"(".repeat(1000),
            &"not ".repeat(1000),
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let e = parse("contains(level, 'x')").unwrap();
        assert!(matches(&e, &json!({"level": 1})).is_err());
        assert!(matches(&parse("title").unwrap(), &json!({"title": "x"})).is_err());
    }
}

//! Applying query options to OneNote answers: checking every named property against the entity
//! type, filtering, counting, ordering, paging (`$top`/`$skip`, `@odata.nextLink` when the caller
//! gave no `$top` and more remain), default and explicit expansions (nested, with `$levels`) and
//! `$select`, with the `@odata.context` annotations Graph writes.
//!
//! With `$select`, a default expansion (a page's `parentSection`, …) is kept only when the
//! selection names it; explicit `$expand`s are always returned. Lists of notebooks, sections and
//! section groups have no default page size (all items, no `nextLink`); page lists have 20.

use std::cmp::Ordering;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::entities::{Direction, Kind, View};
use super::filter;
use super::query::{DEFAULT_PAGE_TOP, Expand, MAX_PAGE_TOP, Query};
use crate::graph::error::GraphError;
use crate::graph::path::odata_key;

/// A collection request after routing.
pub struct ListRequest {
    pub kind: Kind,
    /// The entities in the collection, before filtering.
    pub ids: Vec<String>,
    /// The `@odata.context` path after `…/onenote/` (e.g. `sections('1-…')/pages`).
    pub context_path: String,
    /// The URL `@odata.nextLink` continues from (no query).
    pub next_base: String,
    /// Whether `pagelevel=true` is allowed here.
    pub pagelevel_allowed: bool,
}

/// The answer to a collection request.
pub fn list(view: &View<'_>, request: ListRequest, query: &Query) -> Result<Value, GraphError> {
    let kind = request.kind;
    check(kind, query, request.pagelevel_allowed)?;
    let pages = kind == Kind::Page;
    if pages && query.top.is_some_and(|t| t > MAX_PAGE_TOP) {
        return Err(GraphError::onenote(
            StatusCode::BAD_REQUEST,
            20129,
            "The top query parameter value is too high. For page queries, the maximum value is 100, and the default value is 20.",
        ));
    }

    let mut rows: Vec<(String, Value)> = Vec::new();
    for id in request.ids {
        let Some(row) = evaluation_row(view, kind, &id, query.pagelevel) else {
            continue;
        };
        if let Some(expr) = &query.filter
            && !filter::matches(expr, &row)
                .map_err(|e| GraphError::invalid_odata(format!("$filter: {e}.")))?
        {
            continue;
        }
        rows.push((id, row));
    }
    let total = rows.len();
    sort(kind, &mut rows, &query.orderby);

    let take = query
        .top
        .unwrap_or(if pages { DEFAULT_PAGE_TOP } else { usize::MAX });
    let window: Vec<_> = rows.into_iter().skip(query.skip).take(take).collect();
    let shown = window.len();

    let mut value = Vec::with_capacity(shown);
    for (id, _) in window {
        value.push(Value::Object(shape(view, kind, &id, query)?));
    }

    let mut context = format!("{}/{}", view.context_root(), request.context_path);
    if let Some(select) = &query.select {
        context.push_str(&format!("({})", select.join(",")));
    }
    let mut out = Map::new();
    out.insert("@odata.context".into(), json!(context));
    if query.count {
        out.insert("@odata.count".into(), json!(total));
    }
    out.insert("value".into(), Value::Array(value));
    let next = query.skip + shown;
    if query.top.is_none() && next < total {
        let mut params = query.raw_without_skip.clone();
        params.push(format!("$skip={next}"));
        out.insert(
            "@odata.nextLink".into(),
            json!(format!("{}?{}", request.next_base, params.join("&"))),
        );
    }
    Ok(Value::Object(out))
}

/// The answer to a single-entity request.
pub fn single(
    view: &View<'_>,
    kind: Kind,
    id: &str,
    query: &Query,
    pagelevel_allowed: bool,
) -> Result<Value, GraphError> {
    check(kind, query, pagelevel_allowed)?;
    let mut map = shape(view, kind, id, query)?;
    let mut context = format!("{}/{}", view.context_root(), kind.collection());
    if let Some(select) = &query.select {
        context.push_str(&format!("({})", select.join(",")));
    }
    context.push_str("/$entity");
    map.insert("@odata.context".into(), json!(context));
    Ok(Value::Object(map))
}

/// Checks that every option names what this entity type has.
fn check(kind: Kind, query: &Query, pagelevel_allowed: bool) -> Result<(), GraphError> {
    if query.pagelevel && !pagelevel_allowed {
        return Err(GraphError::onenote(
            StatusCode::BAD_REQUEST,
            20104,
            "The pagelevel query option is supported only when querying for the pages collection in a section or for a specific page.",
        ));
    }
    if let Some(select) = &query.select {
        check_select(kind, select)?;
    }
    check_expand(kind, &query.expand, None)?;
    for (name, _) in &query.orderby {
        property_path(kind, name).ok_or_else(|| {
            GraphError::invalid_odata(format!(
                "Could not find a property named '{name}' to order by."
            ))
        })?;
    }
    if let Some(expr) = &query.filter {
        let mut paths = Vec::new();
        filter::properties(expr, &mut paths);
        for path in paths {
            let joined = path.join("/");
            property_path(kind, &joined).ok_or_else(|| {
                GraphError::invalid_odata(format!(
                    "Could not find a property named '{joined}' to filter on."
                ))
            })?;
        }
    }
    Ok(())
}

fn check_select(kind: Kind, select: &[String]) -> Result<(), GraphError> {
    for name in select {
        if kind.property(name).is_none() && kind.navigation(name).is_none() {
            return Err(GraphError::onenote(
                StatusCode::BAD_REQUEST,
                20145,
                format!("The select or expand expression contains an invalid term: '{name}'."),
            ));
        }
    }
    Ok(())
}

fn check_expand(kind: Kind, items: &[Expand], outer: Option<Direction>) -> Result<(), GraphError> {
    for item in items {
        let Some((_, direction, target)) = kind.navigation(&item.name) else {
            if kind.property(&item.name).is_some() {
                return Err(GraphError::onenote(
                    StatusCode::BAD_REQUEST,
                    20144,
                    format!(
                        "'{}' is not a navigation property; only navigation properties can be expanded.",
                        item.name
                    ),
                ));
            }
            return Err(GraphError::onenote(
                StatusCode::BAD_REQUEST,
                20103,
                format!(
                    "The expand query for '{}' is not supported for this request.",
                    item.name
                ),
            ));
        };
        if outer.is_some_and(|o| o != direction) {
            return Err(GraphError::onenote(
                StatusCode::BAD_REQUEST,
                20142,
                "The expand expression expands a parent of child entities or a child of parent entities, which is not supported.",
            ));
        }
        if let Some(select) = &item.select {
            check_select(target, select)?;
        }
        check_expand(target, &item.expand, Some(direction))?;
    }
    Ok(())
}

/// The canonical path of a property a filter or order may use: a property of the entity, or
/// `parentX/{id|displayName|self}`.
fn property_path(kind: Kind, path: &str) -> Option<String> {
    match path.split_once('/') {
        None => kind.property(path).map(str::to_string),
        Some((nav, sub)) => {
            let (nav, direction, _) = kind.navigation(nav)?;
            (direction == Direction::Parent && ["id", "displayName", "self"].contains(&sub))
                .then(|| format!("{nav}/{sub}"))
        }
    }
}

/// The entity as filters and orders see it: its own JSON plus its parents' summaries.
fn evaluation_row(view: &View<'_>, kind: Kind, id: &str, pagelevel: bool) -> Option<Value> {
    let mut row = view.entity(kind, id, pagelevel)?;
    for (nav, direction, _) in kind.navigations() {
        if *direction == Direction::Parent
            && let Some((target, Some(parent))) = view.parent(kind, id, nav)
        {
            row.insert(
                (*nav).into(),
                view.summary(target, &parent).unwrap_or(Value::Null),
            );
        }
    }
    // Old property names resolve to the new ones: `name` reads `displayName` / `title`.
    Some(Value::Object(row))
}

fn sort(kind: Kind, rows: &mut [(String, Value)], orderby: &[(String, bool)]) {
    let default = match kind {
        Kind::Page => vec![("lastModifiedDateTime".to_string(), true)],
        _ => vec![("displayName".to_string(), false)],
    };
    let order: Vec<(String, bool)> = if orderby.is_empty() {
        default
    } else {
        orderby
            .iter()
            .map(|(name, desc)| {
                (
                    property_path(kind, name).unwrap_or_else(|| name.clone()),
                    *desc,
                )
            })
            .collect()
    };
    rows.sort_by(|(a_id, a), (b_id, b)| {
        for (path, descending) in &order {
            let ordering = compare(lookup(a, path), lookup(b, path));
            let ordering = if *descending {
                ordering.reverse()
            } else {
                ordering
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        a_id.cmp(b_id)
    });
}

fn lookup<'a>(row: &'a Value, path: &str) -> &'a Value {
    path.split('/')
        .fold(row, |v, segment| v.get(segment).unwrap_or(&Value::Null))
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x
            .to_lowercase()
            .cmp(&y.to_lowercase())
            .then_with(|| x.cmp(y)),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// One entity as returned: own JSON, default and explicit expansions, then `$select`.
fn shape(
    view: &View<'_>,
    kind: Kind,
    id: &str,
    query: &Query,
) -> Result<Map<String, Value>, GraphError> {
    shape_with(
        view,
        kind,
        id,
        query.pagelevel,
        query.select.as_deref(),
        &query.expand,
        true,
    )
}

fn shape_with(
    view: &View<'_>,
    kind: Kind,
    id: &str,
    pagelevel: bool,
    select: Option<&[String]>,
    expand: &[Expand],
    default_expansions: bool,
) -> Result<Map<String, Value>, GraphError> {
    let mut map = view
        .entity(kind, id, pagelevel)
        .ok_or_else(GraphError::onenote_not_found)?;
    let wanted = |name: &str| select.is_none_or(|s| s.iter().any(|n| n == name));
    if default_expansions {
        for nav in kind.default_expansions() {
            if !wanted(nav) || expand.iter().any(|e| e.name == *nav) {
                continue;
            }
            if let Some((target, parent)) = view.parent(kind, id, nav) {
                let value = parent
                    .and_then(|p| view.summary(target, &p))
                    .unwrap_or(Value::Null);
                map.insert(
                    format!("{nav}@odata.context"),
                    json!(nav_context(view, kind, id, nav, true)),
                );
                map.insert((*nav).to_string(), value);
            }
        }
    }
    for item in expand {
        let (key, value) = expanded(view, kind, id, item, item.levels.unwrap_or(1))?;
        map.insert(
            format!("{key}@odata.context"),
            json!(nav_context(
                view,
                kind,
                id,
                &key,
                value.is_object() || value.is_null()
            )),
        );
        map.insert(key, value);
    }
    if let Some(select) = select {
        // An expanded navigation is in the answer whatever `$select` names (OData: `$select`
        // picks properties, `$expand` adds navigations).
        let keep = |key: &str| {
            let base = key.split('@').next().unwrap_or(key);
            select.iter().any(|s| kind.property(s).unwrap_or(s) == base)
                || expand.iter().any(|e| e.name == base)
        };
        map.retain(|key, _| keep(key));
    }
    Ok(map)
}

fn nav_context(view: &View<'_>, kind: Kind, id: &str, nav: &str, single: bool) -> String {
    format!(
        "{}/{}('{}')/{nav}{}",
        view.context_root(),
        kind.collection(),
        odata_key(id),
        if single { "/$entity" } else { "" }
    )
}

/// One explicit expansion: a parent object (or `null`) or an array of children.
fn expanded(
    view: &View<'_>,
    kind: Kind,
    id: &str,
    item: &Expand,
    levels: u32,
) -> Result<(String, Value), GraphError> {
    let (nav, direction, target) = kind
        .navigation(&item.name)
        .ok_or_else(|| GraphError::invalid_odata(format!("'{}' cannot be expanded.", item.name)))?;
    let select = item.select.as_deref();
    let value = match direction {
        Direction::Parent => match view.parent(kind, id, nav).and_then(|(_, p)| p) {
            Some(parent) => Value::Object(shape_with(
                view,
                target,
                &parent,
                false,
                select,
                &item.expand,
                false,
            )?),
            None => Value::Null,
        },
        Direction::Child => {
            let mut children = Vec::new();
            for child in view.children(kind, id, nav) {
                let mut nested = item.expand.clone();
                // `$levels`: a recursive navigation repeats itself one level further down.
                if levels > 1
                    && target.navigation(nav).is_some()
                    && !nested.iter().any(|e| e.name == nav)
                {
                    nested.push(Expand {
                        levels: Some(levels - 1),
                        ..item.clone()
                    });
                }
                children.push(Value::Object(shape_with(
                    view, target, &child, false, select, &nested, false,
                )?));
            }
            Value::Array(children)
        }
    };
    Ok((nav.to_string(), value))
}

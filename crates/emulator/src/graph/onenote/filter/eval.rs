//! Evaluating a `$filter` against an entity's JSON.

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::expr::{Expr, Func, Op, Val};

/// Every property path the expression reads (to check them against the entity type).
pub fn properties(expr: &Expr, out: &mut Vec<Vec<String>>) {
    match expr {
        Expr::Or(a, b) | Expr::And(a, b) | Expr::Compare(_, a, b) => {
            properties(a, out);
            properties(b, out);
        }
        Expr::Not(a) => properties(a, out),
        Expr::Call(_, args) => args.iter().for_each(|a| properties(a, out)),
        Expr::Property(path) => out.push(path.clone()),
        Expr::Literal(_) => {}
    }
}

/// Whether an entity (as JSON) passes the filter.
pub fn matches(expr: &Expr, entity: &Value) -> Result<bool, String> {
    match eval(expr, entity)? {
        Val::Bool(b) => Ok(b),
        other => Err(format!("the filter gives {other:?}, not true or false")),
    }
}

fn eval(expr: &Expr, entity: &Value) -> Result<Val, String> {
    Ok(match expr {
        Expr::Literal(v) => v.clone(),
        Expr::Property(path) => {
            let mut value = entity;
            for segment in path {
                value = value.get(segment).unwrap_or(&Value::Null);
            }
            match value {
                Value::String(s) => Val::Str(s.clone()),
                Value::Bool(b) => Val::Bool(*b),
                Value::Number(n) => Val::Num(n.as_f64().unwrap_or(0.0)),
                Value::Null => Val::Null,
                _ => return Err(format!("'{}' cannot be compared", path.join("/"))),
            }
        }
        Expr::Or(a, b) => Val::Bool(truth(eval(a, entity)?)? || truth(eval(b, entity)?)?),
        Expr::And(a, b) => Val::Bool(truth(eval(a, entity)?)? && truth(eval(b, entity)?)?),
        Expr::Not(a) => Val::Bool(!truth(eval(a, entity)?)?),
        Expr::Compare(op, a, b) => Val::Bool(compare(*op, eval(a, entity)?, eval(b, entity)?)?),
        Expr::Call(func, args) => {
            let values = args
                .iter()
                .map(|a| eval(a, entity))
                .collect::<Result<Vec<_>, _>>()?;
            call(*func, values)?
        }
    })
}

fn truth(v: Val) -> Result<bool, String> {
    match v {
        Val::Bool(b) => Ok(b),
        other => Err(format!("{other:?} is not true or false")),
    }
}

fn text(v: Val) -> Result<String, String> {
    match v {
        Val::Str(s) => Ok(s),
        Val::Null => Ok(String::new()),
        other => Err(format!("{other:?} is not a string")),
    }
}

fn number(v: Val) -> Result<f64, String> {
    match v {
        Val::Num(n) => Ok(n),
        other => Err(format!("{other:?} is not a number")),
    }
}

fn call(func: Func, mut args: Vec<Val>) -> Result<Val, String> {
    let mut next = || -> Val {
        if args.is_empty() {
            Val::Null
        } else {
            args.remove(0)
        }
    };
    Ok(match func {
        Func::Contains => {
            let (a, b) = (text(next())?, text(next())?);
            Val::Bool(a.contains(&b))
        }
        Func::StartsWith => {
            let (a, b) = (text(next())?, text(next())?);
            Val::Bool(a.starts_with(&b))
        }
        Func::EndsWith => {
            let (a, b) = (text(next())?, text(next())?);
            Val::Bool(a.ends_with(&b))
        }
        Func::ToLower => Val::Str(text(next())?.to_lowercase()),
        Func::ToUpper => Val::Str(text(next())?.to_uppercase()),
        Func::Trim => Val::Str(text(next())?.trim().to_string()),
        Func::Length => Val::Num(text(next())?.chars().count() as f64),
        Func::IndexOf => {
            let (a, b) = (text(next())?, text(next())?);
            Val::Num(
                a.find(&b)
                    .map(|byte| a[..byte].chars().count() as f64)
                    .unwrap_or(-1.0),
            )
        }
        Func::Substring => {
            let s = text(next())?;
            let start = number(next())?.max(0.0) as usize;
            let rest = s.chars().skip(start);
            match next() {
                Val::Null => Val::Str(rest.collect()),
                len => Val::Str(rest.take(number(len)?.max(0.0) as usize).collect()),
            }
        }
        Func::Concat => {
            let (a, b) = (text(next())?, text(next())?);
            Val::Str(a + &b)
        }
    })
}

fn compare(op: Op, a: Val, b: Val) -> Result<bool, String> {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (&a, &b) {
        (Val::Null, Val::Null) => Some(Ordering::Equal),
        (Val::Null, _) | (_, Val::Null) => None,
        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        (Val::Date(x), Val::Date(y)) => Some(x.cmp(y)),
        (Val::Str(s), Val::Date(d)) => Some(parse_date(s)?.cmp(d)),
        (Val::Date(d), Val::Str(s)) => Some(d.cmp(&parse_date(s)?)),
        _ => return Err(format!("{a:?} and {b:?} cannot be compared")),
    };
    Ok(match (op, ordering) {
        (Op::Eq, o) => o == Some(Ordering::Equal),
        (Op::Ne, o) => o != Some(Ordering::Equal),
        (_, None) => false,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
    })
}

fn parse_date(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|_| format!("'{s}' is not a date-time"))
}

//! `$filter` for OneNote lists: a small real parser and evaluator for the part of OData that
//! OneNote supports (reference §10.4): `eq ne gt ge lt le`, `and or not`, parentheses, string,
//! number, boolean, `null` and date-time literals, property paths (`parentSection/displayName`),
//! and the functions `contains startswith endswith tolower toupper trim length indexof substring
//! concat`. Comparisons are case-sensitive, as in Graph (use `tolower`). Entities are evaluated as
//! their JSON, so every property a client can read can be filtered on.

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The deepest nesting accepted (hostile filters cannot exhaust the stack).
const MAX_DEPTH: usize = 32;
/// The longest filter accepted.
pub const MAX_LENGTH: usize = 4096;

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare(Op, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
    Property(Vec<String>),
    Literal(Val),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Contains,
    StartsWith,
    EndsWith,
    ToLower,
    ToUpper,
    Trim,
    Length,
    IndexOf,
    Substring,
    Concat,
}

impl Func {
    fn parse(name: &str) -> Option<(Func, usize, usize)> {
        Some(match name.to_ascii_lowercase().as_str() {
            "contains" => (Func::Contains, 2, 2),
            "startswith" => (Func::StartsWith, 2, 2),
            "endswith" => (Func::EndsWith, 2, 2),
            "tolower" => (Func::ToLower, 1, 1),
            "toupper" => (Func::ToUpper, 1, 1),
            "trim" => (Func::Trim, 1, 1),
            "length" => (Func::Length, 1, 1),
            "indexof" => (Func::IndexOf, 2, 2),
            "substring" => (Func::Substring, 2, 3),
            "concat" => (Func::Concat, 2, 2),
            _ => return None,
        })
    }
}

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Date(OffsetDateTime),
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Num(f64),
    Date(OffsetDateTime),
    Open,
    Close,
    Comma,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '\'' => {
                let mut value = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("a string literal is not closed".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            value.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            value.push(*ch);
                            i += 1;
                        }
                    }
                }
                tokens.push(Token::Str(value));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || ":.+-".contains(chars[i]))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if let Ok(n) = word.parse::<f64>() {
                    tokens.push(Token::Num(n));
                } else if let Ok(d) = OffsetDateTime::parse(&word, &Rfc3339) {
                    tokens.push(Token::Date(d));
                } else {
                    return Err(format!("'{word}' is not a number or a date-time"));
                }
            }
            c if c.is_alphabetic() || c == '_' || c == '@' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || "_/.@".contains(chars[i])) {
                    i += 1;
                }
                tokens.push(Token::Word(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character '{other}'")),
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

/// Parses a `$filter` value.
pub fn parse(text: &str) -> Result<Expr, String> {
    if text.len() > MAX_LENGTH {
        return Err("the filter is too long".into());
    }
    let mut parser = Parser {
        tokens: tokenize(text)?,
        at: 0,
        depth: 0,
    };
    if parser.tokens.is_empty() {
        return Err("the filter is empty".into());
    }
    let expr = parser.or()?;
    if parser.at != parser.tokens.len() {
        return Err(format!(
            "unexpected {:?} after the expression",
            parser.tokens[parser.at]
        ));
    }
    Ok(expr)
}

impl Parser {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("the filter is nested too deeply".into());
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, String> {
        self.enter()?;
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.not()?;
        while self.peek_word("and") {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.peek_word("not") {
            self.at += 1;
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let left = self.value()?;
        let op = match self.tokens.get(self.at) {
            Some(Token::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "eq" => Some(Op::Eq),
                "ne" => Some(Op::Ne),
                "gt" => Some(Op::Gt),
                "ge" => Some(Op::Ge),
                "lt" => Some(Op::Lt),
                "le" => Some(Op::Le),
                "has" | "in" | "add" | "sub" | "mul" | "div" | "mod" | "any" | "all" => {
                    return Err(format!("the operator '{w}' is not supported"));
                }
                _ => None,
            },
            _ => None,
        };
        match op {
            Some(op) => {
                self.at += 1;
                let right = self.value()?;
                Ok(Expr::Compare(op, Box::new(left), Box::new(right)))
            }
            None => Ok(left),
        }
    }

    fn value(&mut self) -> Result<Expr, String> {
        let token = self
            .tokens
            .get(self.at)
            .cloned()
            .ok_or("the filter ends too early")?;
        self.at += 1;
        match token {
            Token::Str(s) => Ok(Expr::Literal(Val::Str(s))),
            Token::Num(n) => Ok(Expr::Literal(Val::Num(n))),
            Token::Date(d) => Ok(Expr::Literal(Val::Date(d))),
            Token::Open => {
                let inner = self.or()?;
                self.expect_close()?;
                Ok(inner)
            }
            Token::Word(word) => {
                match word.to_ascii_lowercase().as_str() {
                    "true" => return Ok(Expr::Literal(Val::Bool(true))),
                    "false" => return Ok(Expr::Literal(Val::Bool(false))),
                    "null" => return Ok(Expr::Literal(Val::Null)),
                    _ => {}
                }
                if self.tokens.get(self.at) == Some(&Token::Open) {
                    let (func, min, max) =
                        Func::parse(&word).ok_or_else(|| format!("unknown function '{word}'"))?;
                    self.at += 1;
                    self.enter()?;
                    let mut args = Vec::new();
                    if self.tokens.get(self.at) != Some(&Token::Close) {
                        loop {
                            args.push(self.or()?);
                            if self.tokens.get(self.at) == Some(&Token::Comma) {
                                self.at += 1;
                            } else {
                                break;
                            }
                        }
                    }
                    self.expect_close()?;
                    self.depth -= 1;
                    if args.len() < min || args.len() > max {
                        return Err(format!("{word} takes {min} to {max} arguments"));
                    }
                    return Ok(Expr::Call(func, args));
                }
                if word.split('/').any(str::is_empty) {
                    return Err(format!("'{word}' is not a property path"));
                }
                Ok(Expr::Property(
                    word.split('/').map(str::to_string).collect(),
                ))
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }

    fn expect_close(&mut self) -> Result<(), String> {
        if self.tokens.get(self.at) == Some(&Token::Close) {
            self.at += 1;
            Ok(())
        } else {
            Err("a parenthesis is not closed".into())
        }
    }
}

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

#[cfg(test)]
mod tests {
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

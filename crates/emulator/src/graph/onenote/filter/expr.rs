//! A parsed `$filter`: expressions, operators, functions and values.

use time::OffsetDateTime;

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
    pub(super) fn parse(name: &str) -> Option<(Func, usize, usize)> {
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

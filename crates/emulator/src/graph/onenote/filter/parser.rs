//! The `$filter` grammar: `or` binds loosest, then `and`, `not`, comparisons, then function
//! calls, literals, property paths and parentheses.

use super::expr::{Expr, Func, Op, Val};
use super::lexer::{Token, tokenize};

/// The deepest nesting accepted (hostile filters cannot exhaust the stack).
const MAX_DEPTH: usize = 32;
/// The longest filter accepted.
pub const MAX_LENGTH: usize = 4096;

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

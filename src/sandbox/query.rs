//! The `query` search syntax of `GET /lead/`, parsed into a tree.
//!
//! Close never published a grammar for this language; the sandbox understands the subset
//! that real scripts use (see the shared API notes): `*`, free words and quoted phrases,
//! `field:value` for a few fields, `custom.<field>:value`, date comparisons, `AND`/`OR`/`NOT`
//! in any case with a space meaning AND, parentheses, `slice:i/n` and `sort:`. Anything else
//! is refused with a message naming the part not understood, so a script never gets
//! silently wrong results. Matching the tree against leads is `search.rs`'s job.

use super::time::{self, Span};

/// A parsed query: what to match and how to order the matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub expr: Expr,
    /// Sort keys in order of precedence; empty means the default order.
    pub sort: Vec<SortKey>,
}

/// A condition on a lead.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `*`, or a query made only of `sort:`.
    All,
    /// A word or quoted phrase, lower-cased, looked for in names and emails.
    Text(String),
    /// `field:value`.
    Field(FieldName, Pattern),
    /// `created >= 2026-01-01` and the like.
    Date(DateField, Comparison, Span),
    /// `slice:i/n`: the `i`th of `n` parts (counted from 1) the matches are split into, so
    /// that each part stays under the `_skip` cap.
    Slice(u32, u32),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
}

/// The fields `field:value` can name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldName {
    /// `name:` and `company:`, both the lead's name.
    Name,
    /// `email_address:`, any contact email.
    Email,
    /// `status:`, the status label.
    Status,
    /// `custom.<name or cf_ id>:`, as written (resolved against the organisation later).
    Custom(String),
}

/// The value side of `field:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    /// `*`: the field has any value.
    Any,
    /// A value, as written.
    Value(String),
}

/// The lead dates a query can compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    Created,
    Updated,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Before,
    AtOrBefore,
    Within,
    AtOrAfter,
    After,
}

/// One `sort:` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub field: SortField,
    pub descending: bool,
}

/// What `sort:` can order by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Created,
    Updated,
    Name,
}

/// Parses a query, or says in words what it could not understand.
pub fn parse(text: &str) -> Result<Query, String> {
    let mut parser = Parser { chars: text.chars().collect(), at: 0, sort: Vec::new() };
    let expr = parser.any_of()?;
    parser.skip_spaces();
    if parser.at < parser.chars.len() {
        return Err(format!("unexpected '{}' at position {}", parser.chars[parser.at], parser.at + 1));
    }
    Ok(Query { expr, sort: parser.sort })
}

/// A recursive-descent parser over the query's characters.
struct Parser {
    chars: Vec<char>,
    at: usize,
    sort: Vec<SortKey>,
}

/// Characters that end a bare word or key.
fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | ':' | '<' | '>' | '=')
}

impl Parser {
    /// `a OR b OR c`.
    fn any_of(&mut self) -> Result<Expr, String> {
        let mut parts = vec![self.all_of()?];
        while self.keyword("or") {
            parts.push(self.all_of().map_err(|e| format!("{e} after OR"))?);
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Expr::Or(parts) })
    }

    /// `a AND b c`: explicit or implicit AND, up to an OR, a `)` or the end.
    fn all_of(&mut self) -> Result<Expr, String> {
        let mut parts = Vec::new();
        let mut dangling_and = false;
        loop {
            self.skip_spaces();
            if self.at >= self.chars.len() || self.peek() == Some(')') || self.is_keyword("or") {
                break;
            }
            if self.keyword("and") {
                dangling_and = true;
                continue;
            }
            parts.push(self.unary()?);
            dangling_and = false;
        }
        if parts.is_empty() || dangling_and {
            return Err("expected a search term".to_string());
        }
        Ok(if parts.len() == 1 { parts.remove(0) } else { Expr::And(parts) })
    }

    /// `NOT x`, `(…)` or a single term.
    fn unary(&mut self) -> Result<Expr, String> {
        if self.keyword("not") {
            let inner = self.unary().map_err(|e| format!("{e} after NOT"))?;
            return Ok(Expr::Not(Box::new(inner)));
        }
        match self.peek() {
            Some('(') => {
                self.at += 1;
                let inner = self.any_of()?;
                self.skip_spaces();
                if self.peek() != Some(')') {
                    return Err("missing closing parenthesis".to_string());
                }
                self.at += 1;
                Ok(inner)
            }
            Some(')') => Err(format!("unexpected ')' at position {}", self.at + 1)),
            _ => self.term(),
        }
    }

    /// A word, a phrase, `key:value` or `key <op> value`.
    fn term(&mut self) -> Result<Expr, String> {
        let start = self.at;
        let (key, quoted) =
            if self.peek() == Some('"') { (self.quoted()?, true) } else { (self.word(), false) };
        if self.peek() == Some(':') {
            self.at += 1;
            return self.field_term(&key);
        }
        let after_key = self.at;
        self.skip_spaces();
        if matches!(self.peek(), Some('<' | '>' | '=')) {
            return self.comparison(&key);
        }
        self.at = after_key;
        match key.as_str() {
            "" if !quoted => Err(format!("unexpected '{}' at position {}", self.chars[start], start + 1)),
            "*" if !quoted => Ok(Expr::All),
            _ => Ok(Expr::Text(key.to_lowercase())),
        }
    }

    /// The value after `key:`.
    fn field_term(&mut self, key: &str) -> Result<Expr, String> {
        let value = self.value().ok_or_else(|| format!("expected a value after '{key}:'"))?;
        let pattern = if value == "*" { Pattern::Any } else { Pattern::Value(value.clone()) };
        let field = match key.to_lowercase().as_str() {
            "name" | "company" => FieldName::Name,
            "email_address" => FieldName::Email,
            "status" => FieldName::Status,
            "sort" => return self.sort_keys(&value),
            "slice" => return slice(&value),
            lower if lower.starts_with("custom.") && key.len() > "custom.".len() => {
                FieldName::Custom(key["custom.".len()..].to_string())
            }
            lower if date_field(lower).is_some() => {
                return Err(format!(
                    "'{key}:{value}' is not supported; compare dates with an \
                                    operator, e.g. {key}>=2026-01-01"
                ));
            }
            _ => return Err(format!("unsupported search field '{key}' (in '{key}:{value}')")),
        };
        Ok(Expr::Field(field, pattern))
    }

    /// `key <op> value`, for dates only.
    fn comparison(&mut self, key: &str) -> Result<Expr, String> {
        let op = self.operator();
        self.skip_spaces();
        let value = self.value().ok_or_else(|| format!("expected a value after '{key} {}'", op.1))?;
        let Some(field) = date_field(&key.to_lowercase()) else {
            return Err(format!("unsupported comparison '{key} {} {value}'", op.1));
        };
        let span = time::parse_moment(&value)
            .ok_or_else(|| format!("'{value}' is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])"))?;
        Ok(Expr::Date(field, op.0, span))
    }

    /// Reads `>=`, `<=`, `>`, `<` or `=`.
    fn operator(&mut self) -> (Comparison, &'static str) {
        let first = self.chars[self.at];
        self.at += 1;
        let or_equal = self.peek() == Some('=') && first != '=';
        if or_equal {
            self.at += 1;
        }
        match (first, or_equal) {
            ('<', true) => (Comparison::AtOrBefore, "<="),
            ('<', false) => (Comparison::Before, "<"),
            ('>', true) => (Comparison::AtOrAfter, ">="),
            ('>', false) => (Comparison::After, ">"),
            _ => (Comparison::Within, "="),
        }
    }

    /// The comma-separated keys of `sort:`; records them and matches everything.
    fn sort_keys(&mut self, value: &str) -> Result<Expr, String> {
        for item in value.split(',') {
            let (descending, name) = match item.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, item),
            };
            let field = match name.to_lowercase().as_str() {
                "created" | "date_created" => SortField::Created,
                "updated" | "date_updated" => SortField::Updated,
                "display_name" | "name" => SortField::Name,
                _ => return Err(format!("unsupported sort field '{name}'")),
            };
            self.sort.push(SortKey { field, descending });
        }
        Ok(Expr::All)
    }

    /// A value: a quoted string, or a bare run up to a space or `)`.
    fn value(&mut self) -> Option<String> {
        if self.peek() == Some('"') {
            return self.quoted().ok();
        }
        let start = self.at;
        while let Some(c) = self.peek() {
            if c.is_whitespace() || c == ')' {
                break;
            }
            self.at += 1;
        }
        (self.at > start).then(|| self.chars[start..self.at].iter().collect())
    }

    /// A double-quoted string; the opening quote is at the cursor.
    fn quoted(&mut self) -> Result<String, String> {
        let start = self.at;
        self.at += 1;
        let mut text = String::new();
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                '"' => return Ok(text),
                '\\' if self.peek().is_some() => {
                    text.push(self.chars[self.at]);
                    self.at += 1;
                }
                _ => text.push(c),
            }
        }
        Err(format!("unterminated quote starting at position {}", start + 1))
    }

    /// A bare word up to a character that ends words.
    fn word(&mut self) -> String {
        let start = self.at;
        while self.peek().is_some_and(|c| !ends_word(c)) {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }

    /// Whether the next word is `keyword` standing alone (not `or:` or `order`).
    fn is_keyword(&self, keyword: &str) -> bool {
        let end = self.at + keyword.chars().count();
        if end > self.chars.len() {
            return false;
        }
        let word: String = self.chars[self.at..end].iter().collect();
        let boundary = self.chars.get(end).is_none_or(|c| c.is_whitespace() || matches!(c, '(' | ')' | '"'));
        word.eq_ignore_ascii_case(keyword) && boundary
    }

    /// Consumes `keyword` if it is next.
    fn keyword(&mut self, keyword: &str) -> bool {
        self.skip_spaces();
        let found = self.is_keyword(keyword);
        if found {
            self.at += keyword.len();
        }
        found
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }
}

/// The value of `slice:i/n`, with `1 <= i <= n`.
fn slice(value: &str) -> Result<Expr, String> {
    let refuse = || format!("'slice:{value}' must name a part and a count of parts, like slice:2/5");
    let (part, parts) = value.split_once('/').ok_or_else(refuse)?;
    let (part, parts): (u32, u32) =
        (part.parse().map_err(|_| refuse())?, parts.parse().map_err(|_| refuse())?);
    if part == 0 || part > parts {
        return Err(format!("'slice:{value}' names part {part}, but the parts are numbered 1 to {parts}"));
    }
    Ok(Expr::Slice(part, parts))
}

/// The date a comparison key names, in any of the spellings Close accepts.
fn date_field(key: &str) -> Option<DateField> {
    match key {
        "created" | "created_at" | "date_created" => Some(DateField::Created),
        "updated" | "updated_at" | "date_updated" => Some(DateField::Updated),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::time::Timestamp;

    fn expr(text: &str) -> Expr {
        parse(text).unwrap().expr
    }

    fn field(name: FieldName, value: &str) -> Expr {
        Expr::Field(name, Pattern::Value(value.to_string()))
    }

    #[test]
    fn words_phrases_and_star() {
        assert_eq!(expr("*"), Expr::All);
        assert_eq!(expr("Acme"), Expr::Text("acme".into()));
        assert_eq!(expr("\"Acme Corp\""), Expr::Text("acme corp".into()));
        assert_eq!(
            expr("acme widgets"),
            Expr::And(vec![Expr::Text("acme".into()), Expr::Text("widgets".into())])
        );
    }

    #[test]
    fn fields_bare_and_quoted() {
        assert_eq!(expr("name:Acme"), field(FieldName::Name, "Acme"));
        assert_eq!(expr("company:\"Acme Corp\""), field(FieldName::Name, "Acme Corp"));
        assert_eq!(expr("email_address:jane@x.example.com"), field(FieldName::Email, "jane@x.example.com"));
        assert_eq!(expr("STATUS:\"Bad Fit\""), field(FieldName::Status, "Bad Fit"));
        assert_eq!(expr("custom.Industry:SaaS"), field(FieldName::Custom("Industry".into()), "SaaS"));
        assert_eq!(
            expr("\"custom.Lead Source\":*"),
            Expr::Field(FieldName::Custom("Lead Source".into()), Pattern::Any)
        );
    }

    #[test]
    fn boolean_operators_in_any_case_with_grouping() {
        let acme = || field(FieldName::Name, "Acme");
        let qualified = || field(FieldName::Status, "Qualified");
        assert_eq!(expr("name:Acme AND status:Qualified"), Expr::And(vec![acme(), qualified()]));
        assert_eq!(expr("name:Acme or status:Qualified"), Expr::Or(vec![acme(), qualified()]));
        assert_eq!(expr("not name:Acme"), Expr::Not(Box::new(acme())));
        assert_eq!(
            expr("(name:Acme OR status:Qualified) Not foo"),
            Expr::And(vec![
                Expr::Or(vec![acme(), qualified()]),
                Expr::Not(Box::new(Expr::Text("foo".into())))
            ])
        );
        assert_eq!(
            expr("Minogue OR Princess"),
            Expr::Or(vec![Expr::Text("minogue".into()), Expr::Text("princess".into())])
        );
        assert_eq!(expr("orders"), Expr::Text("orders".into()));
    }

    #[test]
    fn date_comparisons_with_or_without_spaces() {
        let day = time::parse_moment("2026-01-01").unwrap();
        assert_eq!(
            expr("created_at>=2026-01-01"),
            Expr::Date(DateField::Created, Comparison::AtOrAfter, day)
        );
        assert_eq!(
            expr("date_updated < 2026-01-01"),
            Expr::Date(DateField::Updated, Comparison::Before, day)
        );
        let Expr::Date(_, op, span) = expr("updated = \"2021-07-01T10:00\"") else { panic!() };
        assert_eq!((op, span.start), (Comparison::Within, Timestamp::at(2021, 7, 1, 10, 0, 0)));
        let Expr::Date(_, op, _) = expr("created>2021-07-01T10:00:00+00:00") else { panic!() };
        assert_eq!(op, Comparison::After);
    }

    #[test]
    fn sort_keys_are_collected() {
        let query = parse("sort:-created,display_name status:Potential").unwrap();
        assert_eq!(query.expr, Expr::And(vec![Expr::All, field(FieldName::Status, "Potential")]));
        assert_eq!(
            query.sort,
            vec![
                SortKey { field: SortField::Created, descending: true },
                SortKey { field: SortField::Name, descending: false },
            ]
        );
    }

    #[test]
    fn slices_are_numbered_from_one() {
        assert_eq!(
            expr("(status:Potential) slice:2/5"),
            Expr::And(vec![field(FieldName::Status, "Potential"), Expr::Slice(2, 5)])
        );
        assert!(parse("slice:0/5").unwrap_err().contains("numbered 1 to 5"));
        assert!(parse("slice:6/5").unwrap_err().contains("numbered 1 to 5"));
        assert!(parse("slice:half").unwrap_err().contains("like slice:2/5"));
    }

    #[test]
    fn refusals_name_the_problem() {
        let error = |text: &str| parse(text).unwrap_err();
        assert!(error("foo:bar").contains("'foo'"));
        assert!(error("contacts > 1").contains("contacts > 1"));
        assert!(error("created <= 30 days ago").contains("'30'"));
        assert!(error("sort:activities").contains("'activities'"));
        assert!(error("(name:Acme").contains("parenthesis"));
        assert!(error("name:Acme)").contains("')'"));
        assert!(error("Acme OR").contains("after OR"));
        assert!(error("Acme AND").contains("search term"));
        assert!(error("\"open").contains("quote"));
        assert!(error("name:").contains("'name:'"));
        assert!(error("created:2026-01-01").contains("operator"));
    }
}

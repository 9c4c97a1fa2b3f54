//! The CSV records of a form export: fields split on the separator, quotes
//! honoured, each record with the physical line it starts on.

use super::Rejected;

/// The separator the header line uses most, outside quotes: comma,
/// semicolon (spreadsheets where the comma is the decimal mark) or tab.
pub fn detect_delimiter(text: &str) -> char {
    let header = text.split(['\n', '\r']).find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = DELIMITERS.map(|d| (d, 0));
    let mut quoted = false;
    for c in header.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted && let Some(slot) = counts.iter_mut().find(|(d, _)| *d == c) {
            slot.1 += 1;
        }
    }
    counts.iter().max_by_key(|(_, n)| *n).filter(|(_, n)| *n > 0).map_or(',', |(d, _)| *d)
}

/// The separators a form export may use.
pub const DELIMITERS: [char; 3] = [',', ';', '\t'];

/// One record and the physical line it starts on.
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
    /// Another of the [`DELIMITERS`] found outside quotes, if any: with
    /// too few fields, a sign the row was written with that separator.
    pub other_delimiter: Option<char>,
}

/// The byte length of `text`'s first line with its line end, which is LF,
/// CRLF or (as old Mac exports write) a lone CR.
fn first_line_len(text: &str) -> usize {
    match text.find(['\n', '\r']) {
        None => text.len(),
        Some(at) if text[at..].starts_with("\r\n") => at + 2,
        Some(at) => at + 1,
    }
}

/// The records of the text, one at a time. A quoted field may run over
/// several lines only if it closes and the record then has as many fields
/// as the header; otherwise the quote was left open by mistake: the line it
/// opened on is rejected, and reading resumes on the next line. A line
/// ends in LF, CRLF or a lone CR.
pub struct Records<'a> {
    pub text: &'a str,
    pub pos: usize,
    pub line: usize,
    pub delimiter: char,
    /// The header's field count, once known.
    pub width: usize,
}

impl Iterator for Records<'_> {
    type Item = Result<Record, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.text.len() {
            return None;
        }
        let (start, line) = (self.pos, self.line);
        let rest = &self.text[start..];
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut field_start = true;
        // A closing quote followed by more text: the quote did not end a field.
        let mut stray_close = false;
        let mut just_closed = false;
        let mut lines = 0;
        let mut end = rest.len();
        let mut other_delimiter = None;
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if quoted {
                match c {
                    '"' if chars.peek().is_some_and(|(_, n)| *n == '"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => {
                        quoted = false;
                        just_closed = true;
                    }
                    '\n' => {
                        lines += 1;
                        field.push(c);
                    }
                    '\r' if chars.peek().is_none_or(|(_, n)| *n != '\n') => {
                        lines += 1;
                        field.push(c);
                    }
                    _ => field.push(c),
                }
                continue;
            }
            if just_closed && c != self.delimiter && c != '\n' && c != '\r' {
                stray_close = true;
            }
            just_closed = false;
            match c {
                '"' if field_start => {
                    quoted = true;
                    field_start = false;
                }
                '\n' => {
                    end = i + 1;
                    break;
                }
                '\r' if chars.peek().is_some_and(|(_, n)| *n == '\n') => {}
                '\r' => {
                    end = i + 1;
                    break;
                }
                c if c == self.delimiter => {
                    fields.push(std::mem::take(&mut field));
                    field_start = true;
                }
                c if DELIMITERS.contains(&c) => {
                    other_delimiter.get_or_insert(c);
                    field.push(c);
                    field_start = false;
                }
                _ => {
                    field.push(c);
                    field_start = false;
                }
            }
        }
        fields.push(field);
        let over_lines = lines > 0;
        if over_lines && (quoted || stray_close || self.width > 0 && fields.len() != self.width) {
            // Resume on the line after the one the quote opened on.
            let next_line = first_line_len(rest);
            self.pos = start + next_line;
            self.line = line + 1;
            return Some(Err(Rejected {
                line,
                why: "a quote opened on this line is not closed on it; the row is skipped \
                      and reading goes on with the next line"
                    .into(),
            }));
        }
        if quoted {
            self.pos = self.text.len();
            return Some(Err(Rejected {
                line,
                why: "a quote opened on this line is never closed".into(),
            }));
        }
        self.pos = start + end;
        self.line = line + lines + 1;
        Some(Ok(Record { line, fields, other_delimiter }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as (line, fields), or a rejection as (line, why).
    type Parsed = Result<(usize, Vec<String>), (usize, String)>;

    fn records(text: &str, width: usize) -> Vec<Parsed> {
        Records { text, pos: 0, line: 1, delimiter: ',', width }
            .map(|r| r.map(|r| (r.line, r.fields)).map_err(|r| (r.line, r.why)))
            .collect()
    }

    #[test]
    fn physical_lines_with_crlf_and_quoted_line_breaks() {
        let got = records("a,b\r\n\"x\r\ny\",z\r\nc,d\r\n", 2);
        assert_eq!(got[0], Ok((1, vec!["a".into(), "b".into()])));
        assert_eq!(got[1], Ok((2, vec!["x\r\ny".into(), "z".into()])));
        assert_eq!(got[2], Ok((4, vec!["c".into(), "d".into()])));
    }

    #[test]
    fn an_unclosed_quote_swallows_nothing() {
        let got = records("Name,Org\n\"Jane Doe,Acme\nJohn Roe,Beta\nAnn Poe,Gamma\n", 2);
        assert_eq!(got[0], Ok((1, vec!["Name".into(), "Org".into()])));
        assert!(matches!(&got[1], Err((2, why)) if why.contains("not closed")), "{got:?}");
        assert_eq!(got[2], Ok((3, vec!["John Roe".into(), "Beta".into()])));
        assert_eq!(got[3], Ok((4, vec!["Ann Poe".into(), "Gamma".into()])));
    }

    #[test]
    fn a_quote_closed_by_the_next_field_s_quote_swallows_nothing() {
        let got = records("Name,Org\n\"Broken,Nowhere\nBo Beta,Elsewhere\nCy,\"Dept, Uni\"\n", 2);
        assert!(matches!(&got[1], Err((2, _))), "{got:?}");
        assert_eq!(got[2], Ok((3, vec!["Bo Beta".into(), "Elsewhere".into()])));
        assert_eq!(got[3], Ok((4, vec!["Cy".into(), "Dept, Uni".into()])));
    }

    #[test]
    fn a_lone_cr_ends_a_line() {
        let got = records("a,b\r\"x\ry\",z\rc,d", 2);
        assert_eq!(got[0], Ok((1, vec!["a".into(), "b".into()])));
        assert_eq!(got[1], Ok((2, vec!["x\ry".into(), "z".into()])));
        assert_eq!(got[2], Ok((4, vec!["c".into(), "d".into()])));
        assert_eq!(detect_delimiter("Name;Org\rA,B;C"), ';');
    }

    #[test]
    fn detects_the_separator() {
        assert_eq!(detect_delimiter("Name;Affiliation;Type\n"), ';');
        assert_eq!(detect_delimiter("Name\tAffiliation\n"), '\t');
        assert_eq!(detect_delimiter("\"a;b\",c\n"), ',');
        assert_eq!(detect_delimiter("Name\n"), ',');
    }
}

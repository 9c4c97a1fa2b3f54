//! The text of a form export, whatever encoding it was saved in: UTF-8
//! with or without a byte-order mark, UTF-16 with one, or a legacy encoding
//! (Windows-1252 from a Western spreadsheet, Windows-1250 from a Polish one,
//! Shift_JIS from a Japanese one) recognised by `chardetng`, or named.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::Encoding;

/// Top-level domains whose expectations `chardetng` weighs, one for each
/// group of legacy encodings: where the text cannot tell, each region's
/// guess is offered.
const REGIONS: [Option<&[u8]>; 13] = [
    None,
    Some(b"pl"),
    Some(b"ru"),
    Some(b"gr"),
    Some(b"tr"),
    Some(b"il"),
    Some(b"eg"),
    Some(b"lt"),
    Some(b"vn"),
    Some(b"th"),
    Some(b"jp"),
    Some(b"cn"),
    Some(b"kr"),
];

/// The text of the file, and the encoding it was read as when that was
/// recognised from the text (not Unicode, and not named).
pub fn decode(
    bytes: &[u8],
    named: Option<&'static Encoding>,
) -> Result<(String, Option<&'static Encoding>), String> {
    if let Some(encoding) = named {
        let (text, _) = encoding.decode_with_bom_removal(bytes);
        if let Some(line) = malformed_line(&text) {
            return Err(format!(
                "line {line} is not {} (--encoding): name the encoding the file was saved in",
                encoding.name()
            ));
        }
        return Ok((text.into_owned(), None));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8(rest.to_vec()).map(|text| (text, None)).map_err(|err| {
            format!("it starts as UTF-8 but byte {} is not", err.utf8_error().valid_up_to() + 3)
        });
    }
    let utf16 = |rest: &[u8], unit: fn([u8; 2]) -> u16| {
        if !rest.len().is_multiple_of(2) {
            return Err("it is UTF-16 with an odd number of bytes".to_owned());
        }
        let units = rest.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map(|text| (text, None))
            .map_err(|_| "it is UTF-16 with a broken character".to_owned())
    };
    // UTF-32's marks first: the little-endian one begins as UTF-16's does.
    if bytes.starts_with(b"\xFF\xFE\x00\x00") || bytes.starts_with(b"\x00\x00\xFE\xFF") {
        return Err(UTF32.into());
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes);
    }
    let head = &bytes[..bytes.len().min(512)];
    let nuls = head.iter().filter(|b| **b == 0).count();
    // ASCII in UTF-32 is three NULs to a character; in UTF-16, one.
    if nuls > 8 && nuls * 3 > head.len() * 2 {
        return Err(UTF32.into());
    }
    if nuls > 8 {
        return Err("it looks like UTF-16 without a byte-order mark; save it as UTF-8".into());
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_owned(), None));
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    // The guess from the text alone; what it reads must be plausible, from
    // enough text to tell encodings apart.
    let guess = detector.guess(None, Utf8Detection::Deny);
    let (text, _) = guess.decode_without_bom_handling(bytes);
    let evidence = bytes.iter().filter(|b| !b.is_ascii()).count();
    if evidence >= MIN_EVIDENCE && malformed_line(&text).is_none() && plausible(&text) {
        return Ok((text.into_owned(), Some(guess)));
    }
    let mut candidates = vec![guess];
    for region in REGIONS {
        let other = detector.guess(region, Utf8Detection::Deny);
        if !candidates.contains(&other) {
            candidates.push(other);
        }
    }
    Err(unsure(bytes, &candidates))
}

/// How many bytes outside ASCII a legacy file needs for its encoding to be
/// told from its text: with fewer, a name or two, every encoding of the
/// letter's region reads as well as another.
const MIN_EVIDENCE: usize = 4;

/// Whether a reading looks like text people wrote: no C1 control, and no
/// word that mixes letters of two scripts (as "Imiк" for Polish "Imię" read
/// as Windows-1251).
fn plausible(text: &str) -> bool {
    !text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c))
        && text.split(|c: char| !c.is_alphabetic()).all(|word| {
            let mut scripts = word.chars().map(script);
            let first = scripts.next();
            scripts.all(|s| Some(s) == first)
        })
}

/// A letter's script, coarsely: enough to tell the legacy encodings' apart.
fn script(c: char) -> u8 {
    match c {
        'A'..='Z' | 'a'..='z' | '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}' => 1,
        '\u{370}'..='\u{3FF}' => 2,
        '\u{400}'..='\u{52F}' => 3,
        '\u{590}'..='\u{5FF}' => 4,
        '\u{600}'..='\u{6FF}' => 5,
        '\u{E00}'..='\u{E7F}' => 6,
        '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{9FFF}' | '\u{FF66}'..='\u{FF9F}' => 7,
        '\u{AC00}'..='\u{D7AF}' | '\u{1100}'..='\u{11FF}' => 8,
        _ => 0,
    }
}

/// Why the encoding cannot be told: the first line that reads differently,
/// as each candidate reads it.
fn unsure(bytes: &[u8], guesses: &[&'static Encoding]) -> String {
    let at = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(0);
    let start = bytes[..at].iter().rposition(|b| *b == b'\n' || *b == b'\r').map_or(0, |i| i + 1);
    let end =
        bytes[at..].iter().position(|b| *b == b'\n' || *b == b'\r').map_or(bytes.len(), |i| at + i);
    let line = bytes[..start].iter().filter(|b| **b == b'\n').count() + 1;
    let mut candidates = guesses.to_vec();
    if !candidates.contains(&encoding_rs::WINDOWS_1252) {
        candidates.push(encoding_rs::WINDOWS_1252);
    }
    let readings: Vec<String> = candidates
        .iter()
        .map(|encoding| {
            let (text, _) = encoding.decode_without_bom_handling(&bytes[start..end]);
            format!("  --encoding {}: {}", encoding.name(), super::shorten(&text).escape_debug())
        })
        .collect();
    format!(
        "it is not UTF-8, and its encoding cannot be told for sure: line {line} reads\n{}\n\
         give the one that reads right with --encoding, or save the file as UTF-8",
        readings.join("\n")
    )
}

/// The first line holding a character the encoding could not decode.
fn malformed_line(text: &str) -> Option<usize> {
    let at = text.find(char::REPLACEMENT_CHARACTER)?;
    Some(text[..at].matches('\n').count() + 1)
}

const UTF32: &str = "it is UTF-32, which is not read; save it as UTF-8 (\"CSV UTF-8\")";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_utf16_and_windows_1252() {
        assert_eq!(decode(b"\xEF\xBB\xBFName", None).unwrap().0, "Name");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Zoë".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16, None).unwrap().0, "Zoë");
        let utf32: Vec<u8> = "\u{feff}Name,Kind\nZoë,Individual\n"
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        assert!(decode(&utf32, None).unwrap_err().contains("UTF-32"));
        assert!(decode(&utf32[4..], None).unwrap_err().contains("UTF-32"));
    }

    fn detected(text: &str, encoding: &'static Encoding) -> &'static Encoding {
        let (bytes, _, _) = encoding.encode(text);
        match decode(&bytes, None) {
            Ok((read, Some(found))) => {
                assert_eq!(read, text);
                found
            }
            Ok(_) => panic!("read as Unicode"),
            Err(why) => panic!("{why}"),
        }
    }

    #[test]
    fn legacy_encodings_are_recognised_from_the_text() {
        let polish = "Imię i nazwisko,Organizacja\nZofia Świętochowska,Fundacja Panoptykon\n\
                      Łukasz Żółkiewski,Uniwersytet Łódzki\nAgnieszka Wąsowska,Stowarzyszenie\n";
        assert_eq!(detected(polish, encoding_rs::WINDOWS_1250), encoding_rs::WINDOWS_1250);
        let german = "Name,Zugehörigkeit\nJürgen Groß,Universität Köln\nZoë Müller,Bündnis\n";
        assert_eq!(detected(german, encoding_rs::WINDOWS_1252), encoding_rs::WINDOWS_1252);
        let japanese = "氏名,所属\n山田太郎,東京大学\n佐藤花子,情報セキュリティ研究所\n";
        assert_eq!(detected(japanese, encoding_rs::SHIFT_JIS), encoding_rs::SHIFT_JIS);
    }

    #[test]
    fn a_guess_the_text_cannot_settle_is_refused_with_the_readings() {
        let why = decode(b"Name\nAnn\nRen\xE9 Roe\n", None).unwrap_err();
        assert!(why.contains("line 3 reads"), "{why}");
        assert!(why.contains("--encoding windows-1252: René Roe"), "{why}");
        let (text, how) = decode(b"Name\nRen\xE9 Roe\n", Some(encoding_rs::WINDOWS_1252)).unwrap();
        assert_eq!(text, "Name\nRené Roe\n");
        assert!(how.is_none());
        let why = decode(b"Name\n\x82\n", Some(encoding_rs::SHIFT_JIS)).unwrap_err();
        assert!(why.contains("line 2 is not Shift_JIS"), "{why}");
    }
}

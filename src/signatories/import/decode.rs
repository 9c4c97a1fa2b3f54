//! The text of a form export, whatever encoding it was saved in: UTF-8
//! with or without a byte-order mark, UTF-16 with one, or Windows-1252.

/// The text of the file, and the encoding it was read as when that was a
/// guess worth reporting.
pub fn decode(bytes: &[u8]) -> Result<(String, Option<&'static str>), String> {
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
    match String::from_utf8(bytes.to_vec()) {
        Ok(text) => Ok((text, None)),
        Err(_) => Ok((bytes.iter().map(|b| windows_1252(*b)).collect(), Some("Windows-1252"))),
    }
}

const UTF32: &str = "it is UTF-32, which is not read; save it as UTF-8 (\"CSV UTF-8\")";

/// A Windows-1252 byte as a character: Latin-1 but for 0x80 to 0x9F.
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_utf16_and_windows_1252() {
        assert_eq!(decode(b"\xEF\xBB\xBFName").unwrap(), ("Name".into(), None));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Zoë".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16).unwrap().0, "Zoë");
        let utf32: Vec<u8> = "\u{feff}Name,Kind\nZoë,Individual\n"
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        assert!(decode(&utf32).unwrap_err().contains("UTF-32"));
        assert!(decode(&utf32[4..]).unwrap_err().contains("UTF-32"));
        assert_eq!(decode(b"Ren\xE9 \x80").unwrap(), ("René €".into(), Some("Windows-1252")));
    }
}

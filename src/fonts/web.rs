//! Fonts as browsers take them. A font that PDF readers accept may still be
//! refused whole by a browser's font sanitiser, so the copies a published
//! site serves are cleaned first.

/// A TrueType/OpenType font without its zero-length tables, which PDF
/// readers ignore but browsers refuse whole (Chromium's font sanitiser
/// rejects Nanum Gothic for an empty `TSI3`). The other tables are copied
/// as they are, each 4-byte aligned, with the directory rewritten to point
/// at them. Anything that does not parse is returned unchanged.
pub fn without_empty_tables(font: &[u8]) -> Vec<u8> {
    let u16_at = |at: usize| font.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let u32_at =
        |at: usize| font.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let Some(count) = u16_at(4) else { return font.to_vec() };
    let mut tables = Vec::new();
    for i in 0..usize::from(count) {
        let entry = 12 + 16 * i;
        let (Some(offset), Some(length)) = (u32_at(entry + 8), u32_at(entry + 12)) else {
            return font.to_vec();
        };
        let (offset, length) = (offset as usize, length as usize);
        if font.len() < offset.saturating_add(length) {
            return font.to_vec();
        }
        if length > 0 {
            tables.push((&font[entry..entry + 8], offset, length));
        }
    }
    if tables.len() == usize::from(count) {
        return font.to_vec();
    }
    let kept = tables.len() as u16;
    // The binary-search fields of the header follow the number of tables.
    let power = if kept == 0 { 0 } else { 1u16 << (15 - kept.leading_zeros()) };
    let mut out = Vec::with_capacity(font.len());
    out.extend_from_slice(&font[0..4]);
    for field in [kept, power * 16, power.trailing_zeros() as u16, kept * 16 - power * 16] {
        out.extend_from_slice(&field.to_be_bytes());
    }
    let mut at = 12 + 16 * tables.len();
    for (tag_and_sum, _, length) in &tables {
        out.extend_from_slice(tag_and_sum);
        out.extend_from_slice(&(at as u32).to_be_bytes());
        out.extend_from_slice(&(*length as u32).to_be_bytes());
        at += length.next_multiple_of(4);
    }
    for (_, offset, length) in &tables {
        out.extend_from_slice(&font[*offset..offset + length]);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::without_empty_tables;

    #[test]
    fn empty_tables_are_dropped_and_the_rest_kept() {
        let nanum =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/NanumGothic.ttf")).unwrap();
        let cleaned = without_empty_tables(&nanum);
        let before =
            typst::text::Font::new(typst::foundations::Bytes::new(nanum.clone()), 0).unwrap();
        let after =
            typst::text::Font::new(typst::foundations::Bytes::new(cleaned.clone()), 0).unwrap();
        assert_eq!(before.info(), after.info());
        assert!(cleaned.len() < nanum.len() + 4 && cleaned.len() > nanum.len() / 2);
        // A font without empty tables is left as it is.
        assert_eq!(without_empty_tables(&cleaned), cleaned);
        let regular = include_bytes!("../../fonts/NotoSans-Regular.ttf");
        assert_eq!(without_empty_tables(regular), regular.to_vec());
    }
}

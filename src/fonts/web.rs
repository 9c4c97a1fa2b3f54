//! Fonts as browsers take them: cut to the characters a site's pages show,
//! cleaned of what browsers' font sanitisers refuse, and packed as WOFF2.

use std::collections::BTreeSet;

/// The font cut to `chars` (with the glyphs shaping reaches from them:
/// ligatures, Arabic's joining forms) and packed as WOFF2.
pub fn subset_woff2(font: &[u8], chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    let subset = subset(font, chars)?;
    Ok(woff2(&without_tables(&subset, |tag, length| length > 0 && WEB_TABLES.contains(&tag))))
}

/// The font cut to `chars` by klippa, with HarfBuzz's default layout
/// features, every script, and none of the tables browsers never read.
fn subset(font: &[u8], chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    use fontcull_klippa::{DEFAULT_LAYOUT_FEATURES, Plan, SubsetFlags, subset_font};
    use fontcull_skrifa::raw::collections::IntSet;
    use fontcull_skrifa::{FontRef, Tag};
    let font = FontRef::new(font).map_err(|err| format!("{err}"))?;
    let unicodes: IntSet<u32> = chars.iter().map(|&c| u32::from(c)).collect();
    let dropped: IntSet<Tag> = (font.table_directory.table_records().iter())
        .map(|record| record.tag())
        .filter(|tag| !WEB_TABLES.iter().any(|web| tag.to_be_bytes() == **web))
        .collect();
    let plan = Plan::new(
        &IntSet::empty(),
        &unicodes,
        &font,
        SubsetFlags::default(),
        &dropped,
        &IntSet::all(),
        &DEFAULT_LAYOUT_FEATURES.iter().copied().collect(),
        &IntSet::empty(),
        &IntSet::empty(),
    );
    subset_font(&font, &plan).map_err(|err| format!("{err:?}"))
}

/// CSS's `unicode-range` of `chars`: "U+20-7E,U+A0,…", so a browser
/// fetches a face only for a page that shows one of them.
pub fn unicode_range(chars: &BTreeSet<char>) -> String {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for c in chars.iter().map(|&c| u32::from(c)) {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == c => *end = c,
            _ => ranges.push((c, c)),
        }
    }
    let range = |&(start, end): &(u32, u32)| {
        if start == end { format!("U+{start:X}") } else { format!("U+{start:X}-{end:X}") }
    };
    ranges.iter().map(range).collect::<Vec<_>>().join(",")
}

/// The tables WOFF2 knows by number (its "known tags"), in its order; any
/// other is written out.
const KNOWN_TAGS: [&[u8; 4]; 63] = [
    b"cmap", b"head", b"hhea", b"hmtx", b"maxp", b"name", b"OS/2", b"post", b"cvt ", b"fpgm",
    b"glyf", b"loca", b"prep", b"CFF ", b"VORG", b"EBDT", b"EBLC", b"gasp", b"hdmx", b"kern",
    b"LTSH", b"PCLT", b"VDMX", b"vhea", b"vmtx", b"BASE", b"GDEF", b"GPOS", b"GSUB", b"EBSC",
    b"JSTF", b"MATH", b"CBDT", b"CBLC", b"COLR", b"CPAL", b"SVG ", b"sbix", b"acnt", b"avar",
    b"bdat", b"bloc", b"bsln", b"cvar", b"fdsc", b"feat", b"fmtx", b"fvar", b"gvar", b"hsty",
    b"just", b"lcar", b"mort", b"morx", b"opbd", b"prop", b"trak", b"Zapf", b"Silf", b"Glat",
    b"Gloc", b"Feat", b"Sill",
];

/// An OpenType font packed as WOFF2 (W3C, 2024), every table kept as it is
/// ("null transform", which the format allows for `glyf` and `loca` too) and
/// all of them compressed together with Brotli. Written here because the
/// one Rust WOFF2 writer wraps Google's C++ encoder, which the static and
/// Windows builds cannot compile; the glyph transform it adds saves little
/// on a subset this small. A font that does not parse is refused by the
/// browser, not here: its bytes are packed as they are.
fn woff2(font: &[u8]) -> Vec<u8> {
    let u16_at = |at: usize| font.get(at..at + 2).map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
    let u32_at = |at: usize| {
        font.get(at..at + 4).map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let mut tables: Vec<([u8; 4], &[u8])> = (0..usize::from(u16_at(4)))
        .filter_map(|i| {
            let entry = 12 + 16 * i;
            let tag: [u8; 4] = font.get(entry..entry + 4)?.try_into().ok()?;
            let (offset, length) = (u32_at(entry + 8) as usize, u32_at(entry + 12) as usize);
            Some((tag, font.get(offset..offset.checked_add(length)?)?))
        })
        .collect();
    // `loca` right after `glyf`, as decoders rebuilding the two expect.
    tables.sort_by_key(|(tag, _)| if tag == b"loca" { *b"glyg" } else { *tag });

    let mut directory = Vec::new();
    let mut stream = Vec::new();
    for (tag, data) in &tables {
        let known = KNOWN_TAGS.iter().position(|known| *known == tag);
        // Transform version 3 is the null transform of `glyf` and `loca`;
        // for every other table the null transform is version 0.
        let version: u8 = if tag == b"glyf" || tag == b"loca" { 3 } else { 0 };
        directory.push(known.map_or(63, |i| i as u8) | (version << 6));
        if known.is_none() {
            directory.extend_from_slice(tag);
        }
        base128(&mut directory, data.len() as u32);
        stream.extend_from_slice(data);
    }
    let mut compressed = Vec::new();
    // A window no larger than the tables: the encoder's memory grows with
    // it, and a subset is small.
    let window = (stream.len().max(1).next_power_of_two().trailing_zeros() as i32).clamp(16, 22);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: window,
        size_hint: stream.len(),
        mode: brotli::enc::backward_references::BrotliEncoderMode::BROTLI_MODE_FONT,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut stream.as_slice(), &mut compressed, &params)
        .expect("compressing into memory cannot fail");

    let sfnt_size: usize = 12
        + 16 * tables.len()
        + tables.iter().map(|(_, d)| d.len().next_multiple_of(4)).sum::<usize>();
    let length = (48 + directory.len() + compressed.len()).next_multiple_of(4);
    let mut out = Vec::with_capacity(length);
    out.extend_from_slice(b"wOF2");
    out.extend_from_slice(font.get(0..4).unwrap_or(&[0, 1, 0, 0]));
    out.extend_from_slice(&(length as u32).to_be_bytes());
    out.extend_from_slice(&(tables.len() as u16).to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&(sfnt_size as u32).to_be_bytes());
    out.extend_from_slice(&(compressed.len() as u32).to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    // No metadata and no private data: five zero offsets and lengths.
    out.extend_from_slice(&[0; 20]);
    out.extend_from_slice(&directory);
    out.extend_from_slice(&compressed);
    out.resize(length, 0);
    out
}

/// WOFF2's UIntBase128: seven bits a byte, most significant first, the high
/// bit set on every byte but the last.
fn base128(out: &mut Vec<u8>, value: u32) {
    let mut bytes = vec![(value & 0x7f) as u8];
    let mut rest = value >> 7;
    while rest > 0 {
        bytes.push((rest & 0x7f) as u8 | 0x80);
        rest >>= 7;
    }
    out.extend(bytes.iter().rev());
}

/// The tables a browser draws and shapes with. The subsetter keeps others
/// whole (Nanum Gothic's hinting sources, `TSI*`, are most of its size),
/// and browsers' font sanitisers drop or refuse them.
const WEB_TABLES: [&[u8; 4]; 31] = [
    b"cmap", b"head", b"hhea", b"hmtx", b"maxp", b"name", b"OS/2", b"post", b"cvt ", b"fpgm",
    b"prep", b"gasp", b"glyf", b"loca", b"CFF ", b"CFF2", b"VORG", b"GDEF", b"GPOS", b"GSUB",
    b"BASE", b"kern", b"vhea", b"vmtx", b"COLR", b"CPAL", b"fvar", b"gvar", b"avar", b"HVAR",
    b"STAT",
];

/// A TrueType/OpenType font with only the tables `keep` keeps (given each
/// tag and length). Zero-length tables, which PDF readers ignore, make
/// browsers refuse a font whole (Chromium's font sanitiser rejects Nanum
/// Gothic for an empty `TSI3`). The kept tables are copied as they are,
/// each 4-byte aligned, with the directory rewritten to point at them.
/// Anything that does not parse is returned unchanged.
fn without_tables(font: &[u8], keep: impl Fn(&[u8; 4], usize) -> bool) -> Vec<u8> {
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
        let tag: &[u8; 4] = font[entry..entry + 4].try_into().expect("four bytes");
        if keep(tag, length) {
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
    use super::*;

    /// The WOFF2 unpacked as a decoder does, table by table.
    fn unpack(woff2: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
        assert_eq!(&woff2[0..4], b"wOF2");
        let count = u16::from_be_bytes([woff2[12], woff2[13]]) as usize;
        let compressed = u32::from_be_bytes(woff2[20..24].try_into().unwrap()) as usize;
        let mut at = 48;
        let mut entries = Vec::new();
        for _ in 0..count {
            let flags = woff2[at];
            at += 1;
            let tag: [u8; 4] = if flags & 63 == 63 {
                at += 4;
                woff2[at - 4..at].try_into().unwrap()
            } else {
                *KNOWN_TAGS[usize::from(flags & 63)]
            };
            let mut length = 0u32;
            loop {
                let byte = woff2[at];
                at += 1;
                length = (length << 7) | u32::from(byte & 0x7f);
                if byte & 0x80 == 0 {
                    break;
                }
            }
            entries.push((tag, length as usize));
        }
        let mut stream = Vec::new();
        brotli::BrotliDecompress(&mut &woff2[at..at + compressed], &mut stream).unwrap();
        let mut offset = 0;
        entries
            .into_iter()
            .map(|(tag, length)| {
                offset += length;
                (tag, stream[offset - length..offset].to_vec())
            })
            .collect()
    }

    #[test]
    fn woff2_holds_every_table_as_it_was() {
        let regular = include_bytes!("../../fonts/NotoSans-Regular.ttf");
        let chars: BTreeSet<char> = "Open letter to the Home Secretary: ﬁ fi".chars().collect();
        let packed = subset_woff2(regular, &chars).unwrap();
        assert!(packed.len() < 20_000, "{} bytes", packed.len());
        assert_eq!(packed.len() % 4, 0);
        let tables = unpack(&packed);
        let subset = subset(regular, &chars).unwrap();
        // What the subset draws is the browser tests' to check (Chromium
        // loads the page's fonts); here, that packing loses nothing.
        assert!(subset.len() < regular.len() / 10, "{} bytes", subset.len());
        // The subset's tables a browser reads, with `glyf` and `loca` and the
        // layout tables among them, each as it was.
        let count = u16::from_be_bytes([subset[4], subset[5]]) as usize;
        let read = (0..count)
            .map(|i| 12 + 16 * i)
            .filter(|e| WEB_TABLES.iter().any(|t| t[..] == subset[*e..e + 4]))
            .count();
        assert_eq!(tables.len(), read);
        for tag in [b"cmap", b"glyf", b"loca", b"GSUB", b"GPOS"] {
            assert!(tables.iter().any(|(t, _)| t == tag), "{}", String::from_utf8_lossy(tag));
        }
        for (tag, data) in &tables {
            let entry =
                (0..count).map(|i| 12 + 16 * i).find(|e| &subset[*e..e + 4] == tag).unwrap();
            let offset =
                u32::from_be_bytes(subset[entry + 8..entry + 12].try_into().unwrap()) as usize;
            assert_eq!(&subset[offset..offset + data.len()], data.as_slice());
        }
    }

    #[test]
    fn unicode_ranges_join_neighbours() {
        let chars: BTreeSet<char> = "abcx\u{627}".chars().collect();
        assert_eq!(unicode_range(&chars), "U+61-63,U+78,U+627");
    }

    #[test]
    fn empty_tables_are_dropped_and_the_rest_kept() {
        let nanum =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/NanumGothic.ttf")).unwrap();
        let cleaned = without_tables(&nanum, |_, length| length > 0);
        let before =
            typst::text::Font::new(typst::foundations::Bytes::new(nanum.clone()), 0).unwrap();
        let after =
            typst::text::Font::new(typst::foundations::Bytes::new(cleaned.clone()), 0).unwrap();
        assert_eq!(before.info(), after.info());
        assert!(cleaned.len() < nanum.len() + 4 && cleaned.len() > nanum.len() / 2);
        // A font without empty tables is left as it is.
        assert_eq!(without_tables(&cleaned, |_, length| length > 0), cleaned);
        let regular = include_bytes!("../../fonts/NotoSans-Regular.ttf");
        assert_eq!(without_tables(regular, |_, length| length > 0), regular.to_vec());
    }
}

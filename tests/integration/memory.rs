//! The memory ceiling (`OPENLETTER_MAX_MEMORY`): sizes with units, values
//! refused, a runaway template stopped with a message, a large image still
//! typeset, and a ceiling that only grows what runs.

use crate::common::{Scratch, tool};

const DATE: &str = "2025-02-13";

/// A template that doubles a string until memory runs out.
const RUNAWAY: &str = "#let s = \"openletter\"\n#for i in range(64) { s = s + s }\n#s.len()\n";

#[test]
fn a_runaway_template_stops_at_the_ceiling_with_a_message() {
    let s = Scratch::new();
    let main = s.read("letter/main.typ");
    s.write("letter/main.typ", &format!("{main}\n{RUNAWAY}"));
    for (value, mib) in [("256M", "256"), ("300", "300"), ("1G", "1024"), ("1536MiB", "1536")] {
        let run = s
            .run_with(
                &["build", "--date", DATE, "-o", "c.pdf"],
                &[("OPENLETTER_MAX_MEMORY", value)],
            )
            .refused(1, &format!("needs more than {mib} MiB (OPENLETTER_MAX_MEMORY)"));
        assert!(!run.stderr.contains("core dumped"), "{}", run.stderr);
        assert!(!s.path("c.pdf").exists(), "a build out of memory wrote its PDF");
    }
}

#[test]
fn ceilings_that_are_not_sizes_are_refused() {
    let s = Scratch::new();
    for value in ["0", "-1", "abc", "1e3", "1.5G", "512MB", "1K"] {
        let run = s
            .run_with(
                &["build", "--date", DATE, "-o", "c.pdf"],
                &[("OPENLETTER_MAX_MEMORY", value)],
            )
            .refused(2, &format!("OPENLETTER_MAX_MEMORY=`{value}`"));
        assert!(run.stderr.contains("512M, 1G, 1536MiB") || value == "512MB", "{}", run.stderr);
        assert!(!s.path("c.pdf").exists());
    }
    s.run_with(&["build", "--date", DATE, "-o", "c.pdf"], &[("OPENLETTER_MAX_MEMORY", "512MB")])
        .refused(2, "write 512M");
}

#[test]
fn what_runs_under_one_ceiling_runs_under_every_higher_one() {
    let s = Scratch::new();
    let mut failed_below = false;
    // From too little to plenty: once a ceiling is enough, every higher one is.
    let mut enough = None;
    for mib in (4..=48).step_by(4) {
        let run = s.run_with(
            &["publish", "site", "--date", DATE],
            &[("OPENLETTER_MAX_MEMORY", &mib.to_string())],
        );
        match (run.code, enough) {
            (0, _) => enough = enough.or(Some(mib)),
            // Refused only below every ceiling that was enough.
            (1, None) => {
                assert!(run.stderr.contains("OPENLETTER_MAX_MEMORY"), "{}", run.stderr);
                failed_below = true;
            }
            (code, _) => panic!("publish at {mib} MiB exited {code}:\n{}", run.stderr),
        }
    }
    assert!(failed_below, "the ceiling never bit: the test does not test it");
    assert!(enough.is_some(), "publish needs more than 48 MiB");
}

#[test]
fn a_large_image_is_typeset_under_a_ceiling_it_fits() {
    let s = Scratch::new();
    let (width, height) = (6000, 4000);
    std::fs::write(s.path("letter/photo.png"), black_png(width, height)).unwrap();
    let main = s.read("letter/main.typ");
    s.write(
        "letter/main.typ",
        &format!("{main}\n#image(\"photo.png\", width: 8cm, alt: \"A photograph\")\n"),
    );
    // The decoded image alone is 72 MB and the build about 100 MB: the
    // heap fits in 256 MiB, though the address space (threads, the
    // binary's fonts, the allocator's reserves) does not.
    s.run_with(&["build", "--date", DATE, "-o", "photo.pdf"], &[("OPENLETTER_MAX_MEMORY", "256")])
        .ok();
    let listed = tool("pdfimages", &["-list", &s.path("photo.pdf").display().to_string()])
        .expect("poppler's pdfimages")
        .ok();
    // Columns: page, num, type, width, height, …
    let sizes: Vec<(String, String)> = listed
        .stdout
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((f.get(3)?.to_string(), f.get(4)?.to_string()))
        })
        .collect();
    assert!(
        sizes.contains(&(width.to_string(), height.to_string())),
        "the image is not in the PDF:\n{}",
        listed.stdout
    );
}

/// A black RGB PNG of the given size, compressed as a PNG encoder would
/// (fixed-Huffman deflate: a zero, then runs of 258 copies of it).
fn black_png(width: u32, height: u32) -> Vec<u8> {
    let raw_len = u64::from(height) * (1 + 3 * u64::from(width));
    let mut bits = Bits::default();
    bits.put(0b1, 1); // the last block
    bits.put(0b01, 2); // fixed Huffman codes
    bits.huffman(0b0011_0000, 8); // literal 0
    let mut left = raw_len - 1;
    while left >= 258 {
        bits.huffman(0b1100_0101, 8); // length 258
        bits.huffman(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.huffman(0b0011_0000, 8);
    }
    bits.huffman(0, 7); // end of block
    let mut zlib = vec![0x78, 0x01];
    zlib.extend(bits.bytes());
    let adler = ((raw_len % 65521) << 16) | 1;
    zlib.extend((adler as u32).to_be_bytes());

    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]); // 8 bits, RGB, deflate, no filter set, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", header), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        png.extend((data.len() as u32).to_be_bytes());
        let start = png.len();
        png.extend(kind);
        png.extend(&data);
        let crc = crc32(&png[start..]);
        png.extend(crc.to_be_bytes());
    }
    png
}

/// Bits packed as deflate packs them: from each byte's lowest bit up.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    used: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        for i in 0..count {
            if self.used.is_multiple_of(8) {
                self.bytes.push(0);
            }
            let bit = ((value >> i) & 1) as u8;
            *self.bytes.last_mut().unwrap() |= bit << (self.used % 8);
            self.used += 1;
        }
    }

    /// A Huffman code, which deflate stores from its highest bit down.
    fn huffman(&mut self, code: u32, count: u32) {
        let reversed = (0..count).fold(0, |acc, i| (acc << 1) | ((code >> i) & 1));
        self.put(reversed, count);
    }

    fn bytes(self) -> Vec<u8> {
        self.bytes
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

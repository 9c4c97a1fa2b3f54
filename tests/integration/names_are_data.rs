//! Signatory fields are printed as written: none of them runs as Typst code.

use crate::common::Scratch;
use crate::pdf::Pdf;

#[test]
fn markup_and_code_in_names_print_literally() {
    let s = Scratch::new();
    let names = [
        r#"#panic("x")"#,
        "$x^2$",
        "*bold* _emph_",
        r#"#read("/etc/passwd")"#,
        "] [ \\ <label> @ref // not a comment",
    ];
    let mut toml = String::new();
    for name in names {
        toml.push_str(&format!("[[organisation]]\nname = '''{name}'''\n\n"));
    }
    toml.push_str(
        "[[individual]]\nname = \"Eve Example\"\naffiliation = '''#eval(\"1 + 1\") {x}'''\n",
    );
    s.write("signatories.toml", &toml);
    s.run(&["build", "--date", "2025-02-13", "-o", "out.pdf"]).ok();
    let text = Pdf::open(&s.path("out.pdf")).pages_text().join("\n");
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    for name in names {
        assert!(lines.contains(&name), "{name:?} not printed literally:\n{text}");
    }
    assert!(lines.contains(&r#"Eve Example, #eval("1 + 1") {x}"#), "{text}");
    assert!(!text.contains("root:"), "a file was read");
}

/// A terminal's escape sequence in a name reaches the terminal as text, in
/// every command that names it, on stdout and stderr alike.
#[test]
fn escape_sequences_in_names_reach_the_terminal_as_text() {
    let s = Scratch::new();
    let mut toml = s.read("signatories.toml");
    toml.push_str("\n[[individual]]\nname = \"Jane\\u001b]0;PWNED\\u0007 Doe\"\n");
    s.write("signatories.toml", &toml);
    let runs = [
        s.run(&["build", "--date", "2025-02-13", "-o", "out.pdf"]),
        s.run(&["check", "--date", "2025-02-13"]),
        s.run(&["signatories", "list"]),
        s.run(&["signatories", "add", "--individual", "Jane\u{1b}]0;PWNED\u{7} Roe"]),
        s.run(&["signatories", "edit", "Jane\u{1b}[2J", "--name", "x"]),
    ];
    for run in runs {
        assert_ne!(run.code, 0);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(!all.contains(['\u{1b}', '\u{7}']), "raw control characters:\n{all:?}");
        assert!(all.contains("\\u{1b}"), "the escape is shown escaped:\n{all}");
    }
}

//! The language a text of the letter is written in, as its source declares
//! it (`#show: letter.with(lang: "sv", region: "FI", …)`): the order of its
//! list of signatories depends on it, and the list is collated before Typst
//! runs. The template checks that it was given an order for its language,
//! so a language this reading cannot see (a computed `lang:`) stops the
//! build instead of printing the list in another language's order.

use std::path::Path;

use typst::syntax::ast::{self, AstNode};
use typst::syntax::{SyntaxKind, SyntaxNode};

use super::{MAIN_FILE, Text};

/// The template's own default: a text that names no language is English.
pub const DEFAULT: &str = "en";

/// The language a text collates its list in: `sv`, `zh-TW`. A region is
/// kept only when the source gives one, since ICU's tailorings go by both.
pub fn of_text(letter: &Path, text: &Text) -> String {
    // Only a regular file: a pipe in its place would block the read (the
    // build then refuses it, naming what it is).
    let declared = crate::files::read_regular(&letter.join(text.file()))
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|source| declared(&source));
    match (declared, text) {
        (Some(lang), _) => lang,
        // A translation's file name is its language; its source, if it
        // names none, is checked against it by the template.
        (None, Text::Translation(tag)) => tag.clone(),
        (None, Text::Original) => DEFAULT.to_owned(),
    }
}

/// The language of the original of the project whose list is `signatories`,
/// for commands that edit the list and know no `--letter`: the letter
/// folder `openletter new` makes beside it.
pub fn of_project(signatories: &Path) -> String {
    let project = signatories.parent().filter(|p| !p.as_os_str().is_empty());
    let letter = project.unwrap_or(Path::new(".")).join("letter");
    if letter.join(MAIN_FILE).is_file() {
        of_text(&letter, &Text::Original)
    } else {
        DEFAULT.to_owned()
    }
}

/// The `lang` (with the `region`, when it is a string) given as strings to
/// the first call of `letter` or `letter.with` in a source.
fn declared(source: &str) -> Option<String> {
    let root = typst::syntax::parse(source);
    let call = find(&root, &|node| {
        let call = node.cast::<ast::FuncCall>()?;
        let callee = call.callee().to_untyped().full_text();
        matches!(callee.as_str(), "letter" | "letter.with").then_some(call)
    })?;
    let string = |key: &str| {
        call.args().items().find_map(|arg| match arg {
            ast::Arg::Named(named) if named.name().as_str() == key => match named.expr() {
                ast::Expr::Str(s) => Some(s.get().to_string()),
                _ => None,
            },
            _ => None,
        })
    };
    let lang = string("lang")?;
    Some(match string("region") {
        Some(region) => format!("{lang}-{region}"),
        None => lang,
    })
}

/// The first node, depth first, for which `pick` gives something.
fn find<'a, T>(node: &'a SyntaxNode, pick: &impl Fn(&'a SyntaxNode) -> Option<T>) -> Option<T> {
    if node.kind() == SyntaxKind::Error {
        return None;
    }
    pick(node).or_else(|| node.children().find_map(|child| find(child, pick)))
}

#[cfg(test)]
mod tests {
    use super::declared;

    #[test]
    fn the_language_is_read_from_the_call_of_the_template() {
        let show = |args: &str| {
            format!("#import \"template.typ\": letter\n#show: letter.with({args})\nText.")
        };
        assert_eq!(declared(&show("data: none, lang: \"sv\"")).as_deref(), Some("sv"));
        assert_eq!(
            declared(&show("lang: \"zh\", region: \"TW\", title: \"x\"")).as_deref(),
            Some("zh-TW")
        );
        assert_eq!(declared(&show("lang: \"en\", region: none")).as_deref(), Some("en"));
        // Computed, or absent: not read (the caller takes the default, and
        // the template checks it).
        assert_eq!(declared(&show("lang: sys.inputs.lang")), None);
        assert_eq!(declared(&show("title: \"lang: \\\"fr\\\"\"")), None);
        assert_eq!(declared("#text(lang: \"de\")[Hallo]"), None);
        // The template's call, not another function's `lang`.
        assert_eq!(
            declared(&show("notice: unofficial-translation([x], lang: \"fr\"), lang: \"pl\""))
                .as_deref(),
            Some("pl")
        );
    }
}

//! What a published page may hold. A letter's text and its translations
//! (often a volunteer's) are Typst code, which can make any HTML element:
//! each page is checked before anything is written, so that reading it
//! runs no script and fetches nothing from another host. Elements and
//! attributes are allowed by name (an allowlist: what is not known is
//! refused); links may lead anywhere on the web, but only by http(s),
//! `mailto:` or `tel:`; what the page loads (images, stylesheets, fonts)
//! must come from the site itself, or be an image Typst embedded.
//!
//! A refusal is a Typst diagnostic on the element's span, so it names the
//! file, line and column of the letter that made it.

use std::sync::LazyLock;

use typst::diag::SourceDiagnostic;
use typst::ecow::{EcoString, EcoVec, eco_format};
use typst::layout::{Frame, FrameItem};
use typst::model::Destination;
use typst::syntax::{FileId, Span};
use typst_html::{HtmlDocument, HtmlElement, HtmlNode};
use url::Url;

/// Elements that show text or structure and load nothing by themselves.
#[rustfmt::skip]
const ELEMENTS: &[&str] = &[
    "html", "head", "body", "title", "meta", "link", "style", "main", "header", "footer", "nav",
    "section", "article", "aside", "address", "div", "span", "p", "a", "h1", "h2", "h3", "h4",
    "h5", "h6", "hgroup", "ul", "ol", "li", "dl", "dt", "dd", "em", "strong", "b", "i", "u", "s",
    "small", "sub", "sup", "br", "hr", "wbr", "blockquote", "q", "cite", "code", "pre", "kbd",
    "samp", "var", "mark", "abbr", "dfn", "time", "data", "figure", "figcaption", "img", "table",
    "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col", "details",
    "summary", "del", "ins", "bdi", "bdo", "ruby", "rt", "rp", "search",
];

/// MathML, as Typst writes equations.
#[rustfmt::skip]
const MATH_ELEMENTS: &[&str] = &[
    "math", "semantics", "annotation", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace", "mfrac",
    "msqrt", "mroot", "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts",
    "mprescripts", "none", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose",
    "merror",
];

/// Attributes any element may have: words, never addresses or code.
const GLOBAL_ATTRIBUTES: &[&str] =
    &["id", "class", "lang", "dir", "title", "role", "hidden", "translate", "tabindex"];

/// `<link rel>` values that name a page rather than load one.
const NAVIGATION_RELS: &[&str] =
    &["alternate", "canonical", "author", "license", "help", "next", "prev", "bookmark"];

/// What an attribute's value is.
#[derive(Clone, Copy)]
enum Value {
    /// Words: nothing a browser follows or runs.
    Text,
    /// Where a reader may go when they choose to.
    Link,
    /// What the browser fetches as it shows the page.
    Resource,
    /// An image Typst may have embedded (`data:image/…`), else a resource.
    Image,
    /// Candidates for an image, each a resource.
    SourceSet,
    /// Declarations, which may fetch with `url(…)`.
    Css,
}

/// Where problems are reported: the page, by name, and the text (its
/// file), whose spans are preferred to the template's.
struct Page<'a> {
    name: &'a str,
    text: FileId,
}

/// The page `page` of the text `text` (named in messages as `name`),
/// checked: every problem, on the span of what made it.
pub fn check(page: &HtmlDocument, text: FileId, name: &str) -> EcoVec<SourceDiagnostic> {
    let mut problems = EcoVec::new();
    element(page.root(), Span::detached(), &Page { name, text }, &mut problems);
    problems
}

fn element(el: &HtmlElement, outer: Span, page: &Page, problems: &mut EcoVec<SourceDiagnostic>) {
    let span = || place(el, outer, page.text);
    let tag = el.tag.resolve();
    let tag = tag.as_str();
    let math = MATH_ELEMENTS.contains(&tag);
    if !math && !ELEMENTS.contains(&tag) {
        problems.push(refusal(
            span(),
            page,
            eco_format!("`<{tag}>` cannot be published: the page may hold text, links and images, not elements that run scripts, embed other pages or take input"),
        ));
        return;
    }
    for (attr, value) in el.attrs.0.iter() {
        let attr = attr.resolve();
        let attr = attr.as_str();
        let why = match kind(tag, attr, value, el, math) {
            None => Some(eco_format!(
                "the attribute `{attr}` of `<{tag}>` cannot be published (event handlers and \
                 attributes that load or refresh are refused)"
            )),
            Some(kind) => problem(kind, tag, attr, value),
        };
        if let Some(why) = why {
            problems.push(refusal(span(), page, why));
        }
    }
    if tag == "style" {
        let text: String = el
            .children
            .iter()
            .filter_map(|child| match child {
                HtmlNode::Text(text, _) => Some(text.as_str()),
                _ => None,
            })
            .collect();
        if let Some(why) = css_problem(&text) {
            problems.push(refusal(span(), page, eco_format!("the stylesheet {why}")));
        }
    }
    let outer = if el.span.is_detached() { outer } else { el.span };
    for child in &el.children {
        match child {
            HtmlNode::Element(inner) => element(inner, outer, page, problems),
            HtmlNode::Frame(frame) => {
                let span = if frame.span.is_detached() { outer } else { frame.span };
                frame_links(&frame.inner, span, page, problems);
            }
            HtmlNode::Tag(_) | HtmlNode::Text(..) => {}
        }
    }
}

/// Where a problem with an element is shown: in the text's own file where
/// anything of it is (a link the template's show rule made is the letter's
/// by its words), else where the element was made, else around it.
fn place(el: &HtmlElement, outer: Span, text: FileId) -> Span {
    let mut spans = vec![el.span];
    inner_spans(el, &mut spans);
    spans.push(outer);
    let mut placed = spans.iter().filter(|span| !span.is_detached());
    let first = placed.clone().next().copied().unwrap_or(outer);
    placed.find(|span| span.id() == Some(text)).copied().unwrap_or(first)
}

/// The spans of everything inside an element, in order.
fn inner_spans(el: &HtmlElement, spans: &mut Vec<Span>) {
    for child in &el.children {
        spans.push(child.span());
        if let HtmlNode::Element(inner) = child {
            inner_spans(inner, spans);
        }
    }
}

/// The links of a drawing Typst makes into an SVG inside the page.
fn frame_links(frame: &Frame, span: Span, page: &Page, problems: &mut EcoVec<SourceDiagnostic>) {
    for (_, item) in frame.items() {
        match item {
            FrameItem::Group(group) => frame_links(&group.frame, span, page, problems),
            FrameItem::Link(Destination::Url(url), _) => {
                if let Some(why) = problem(Value::Link, "a", "href", url.as_str()) {
                    problems.push(refusal(span, page, why));
                }
            }
            _ => {}
        }
    }
}

/// What the value of `attr` on `tag` is, or `None` for an attribute that is
/// refused whatever its value.
fn kind(tag: &str, attr: &str, value: &str, el: &HtmlElement, math: bool) -> Option<Value> {
    if attr == "style" {
        return Some(Value::Css);
    }
    if GLOBAL_ATTRIBUTES.contains(&attr) || attr.starts_with("aria-") || attr.starts_with("data-") {
        return Some(Value::Text);
    }
    if math {
        // MathML's presentation attributes are words; none loads or runs.
        let plain = attr.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
        return (plain && !attr.starts_with("on") && !attr.contains("href") && attr != "src")
            .then_some(Value::Text);
    }
    let text = Some(Value::Text);
    match (tag, attr) {
        ("a", "href") => Some(Value::Link),
        ("a", "hreflang" | "rel" | "type" | "target") => text,
        ("blockquote" | "q" | "del" | "ins", "cite") => Some(Value::Link),
        ("del" | "ins", "datetime") | ("time", "datetime") | ("data", "value") => text,
        ("img", "src") => Some(Value::Image),
        ("img", "srcset") => Some(Value::SourceSet),
        ("img", "alt" | "width" | "height" | "loading" | "decoding" | "sizes") => text,
        ("link", "href") => {
            let rel = el.attrs.0.iter().find(|(a, _)| a.resolve().as_str() == "rel");
            let rels = rel.map(|(_, v)| v.to_ascii_lowercase()).unwrap_or_default();
            let navigation = !rels.trim().is_empty()
                && rels.split_ascii_whitespace().all(|r| NAVIGATION_RELS.contains(&r));
            Some(if navigation { Value::Link } else { Value::Resource })
        }
        ("link", "rel" | "hreflang" | "type" | "media" | "sizes") => text,
        ("meta", "name" | "content" | "property" | "charset") => text,
        // Not `refresh`, which navigates by itself, nor what sets cookies
        // or a policy.
        ("meta", "http-equiv") => value.eq_ignore_ascii_case("content-type").then_some(Value::Text),
        ("style", "media" | "type") => text,
        ("ol", "start" | "reversed" | "type") | ("li", "value") => text,
        ("td" | "th", "colspan" | "rowspan" | "headers") | ("th", "scope" | "abbr") => text,
        ("col" | "colgroup", "span") | ("details", "open") => text,
        _ => None,
    }
}

/// Why `value` of `attr` on `tag` cannot be published, if it cannot.
fn problem(kind: Value, tag: &str, attr: &str, value: &str) -> Option<EcoString> {
    let shown = shown(value);
    match kind {
        Value::Text => None,
        Value::Css => css_problem(value).map(|why| eco_format!("the style of `<{tag}>` {why}")),
        Value::Link => (!is_link(value)).then(|| {
            eco_format!(
                "a link to `{shown}` cannot be published: links may lead to https://, http://, \
                 mailto: or tel: addresses, or within the site (not javascript: or data:)"
            )
        }),
        Value::Resource | Value::Image => {
            let image = matches!(kind, Value::Image) && is_embedded_image(value);
            (!image && !is_own(value)).then(|| loads(tag, attr, &shown))
        }
        Value::SourceSet => value
            .split(',')
            .filter_map(|candidate| candidate.split_ascii_whitespace().next())
            .find(|url| !is_own(url))
            .map(|url| loads(tag, attr, &self::shown(url))),
    }
}

fn loads(tag: &str, attr: &str, shown: &str) -> EcoString {
    eco_format!(
        "`<{tag} {attr}>` would load `{shown}` from another site as the page is read: put the \
         file beside the letter and use it from there (an image by `image(\"…\")`)"
    )
}

/// A value as a message shows it: short, its control characters escaped.
fn shown(value: &str) -> String {
    const MAX: usize = 80;
    let short: String = value.chars().take(MAX).collect();
    let more = if value.chars().count() > MAX { "…" } else { "" };
    format!("{}{more}", crate::console::escape_controls(&short))
}

/// Where a page's relative addresses resolve for these checks: a host no
/// letter can name for real (`.invalid` is reserved), so that an address
/// which stays on it stays on the site.
static SITE: LazyLock<Url> =
    LazyLock::new(|| Url::parse("https://openletter.invalid/page/").expect("a valid address"));

/// Whether an address, resolved as a browser resolves it, stays on the
/// site (a relative path, a `#fragment`).
fn is_own(value: &str) -> bool {
    SITE.join(value).is_ok_and(|url| url.origin() == SITE.origin())
}

/// Whether a link leads somewhere a reader can safely be sent.
fn is_link(value: &str) -> bool {
    SITE.join(value).is_ok_and(|url| {
        url.origin() == SITE.origin()
            || (matches!(url.scheme(), "http" | "https") && url.host_str().is_some())
            || matches!(url.scheme(), "mailto" | "tel")
    })
}

/// Whether an address is an image carried in the page itself, as Typst
/// embeds the letter's images (the logo).
fn is_embedded_image(value: &str) -> bool {
    Url::parse(value).is_ok_and(|url| {
        url.scheme() == "data" && url.path().to_ascii_lowercase().starts_with("image/")
    })
}

/// Why declarations `css` cannot be published: `@import`, a `url(…)` of
/// another site, or one of the old ways of running code from CSS.
fn css_problem(css: &str) -> Option<String> {
    let css = css_unescaped(css).to_ascii_lowercase();
    for (refused, what) in [
        ("@import", "imports another stylesheet"),
        ("image-set(", "names images by `image-set`"),
        ("expression(", "holds a script (`expression`)"),
        ("-moz-binding", "binds a script (`-moz-binding`)"),
    ] {
        if css.contains(refused) {
            return Some(format!("{what}, which a published page may not"));
        }
    }
    for function in ["url(", "src("] {
        let mut rest = css.as_str();
        while let Some(at) = rest.find(function) {
            rest = &rest[at + function.len()..];
            let end = rest.find(')').unwrap_or(rest.len());
            let address = rest[..end].trim().trim_matches(['"', '\'']).trim();
            if !is_own(address) {
                return Some(format!(
                    "loads `{}` from another site; keep the file beside the letter",
                    shown(address)
                ));
            }
        }
    }
    None
}

/// CSS with its comments dropped and its escapes (`\75 rl(` for `url(`)
/// resolved, as a browser reads it.
fn css_unescaped(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '\\' => {
                let mut hex = String::new();
                while hex.len() < 6 && chars.peek().is_some_and(char::is_ascii_hexdigit) {
                    hex.extend(chars.next());
                }
                if hex.is_empty() {
                    out.extend(chars.next());
                } else {
                    if chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
                        chars.next();
                    }
                    let code = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
                    out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn refusal(span: Span, page: &Page, why: impl Into<EcoString>) -> SourceDiagnostic {
    let (name, why) = (page.name, why.into());
    let message = if span.is_detached() {
        eco_format!("the page `{name}`: {why}")
    } else {
        eco_format!("{why} (the page `{name}`)")
    };
    SourceDiagnostic::error(span, message).with_hint(
        "a published page runs no script and loads nothing from another site; nothing was written",
    )
}

#[cfg(test)]
mod tests {
    use super::{css_problem, is_link, is_own};

    #[test]
    fn addresses_are_judged_as_a_browser_resolves_them() {
        assert!(is_own("fonts/NotoSans-Regular.ttf") && is_own("../preview.png") && is_own("#n1"));
        for foreign in
            ["https://tracker.example/x.gif", "//tracker.example/x", "\\\\tracker.example/x"]
        {
            assert!(!is_own(foreign), "{foreign}");
        }
        assert!(is_link("https://example.org") && is_link("mailto:a@example.org"));
        for script in ["javascript:alert(1)", " JaVa\tScRiPt:alert(1)", "data:text/html,x"] {
            assert!(!is_link(script), "{script}");
        }
    }

    #[test]
    fn stylesheets_load_only_their_own_files() {
        assert_eq!(css_problem("@font-face{src:url(\"fonts/a.ttf\")}"), None);
        assert!(css_problem("a{background:url( 'https://t.example/x' )}").is_some());
        assert!(css_problem("a{background:\\75 rl(https://t.example/x)}").is_some());
        assert!(css_problem("@im/**/port 'x.css';").is_some());
    }
}

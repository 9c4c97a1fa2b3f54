//! The server's own pages, as HTML: the sign-on form, the pages its links
//! open, and the moderators' queue. Every value is escaped where it is
//! written; no page has a script, and the style sheet is a file of its own,
//! so that the security policy allows neither inline.

use std::fmt::Write;

use super::words::{Words, fill};
use crate::signatories::Kind;
use crate::site::{SiteText, escape_markup};

/// The style sheet, at [`STYLE`].
pub const CSS: &str = include_str!("serve.css");
pub const STYLE: &str = "/serve.css";

/// Whether a language is written right to left, by its tag's script or
/// its language's usual one.
pub fn right_to_left(lang: &str) -> bool {
    let mut parts = lang.split('-');
    let language = parts.next().unwrap_or("");
    match parts.find(|p| p.len() == 4) {
        Some(script) => {
            matches!(script, "Arab" | "Hebr" | "Syrc" | "Thaa" | "Nkoo" | "Adlm" | "Rohg")
        }
        None => matches!(
            language,
            "ar" | "he" | "fa" | "ur" | "ps" | "yi" | "dv" | "ckb" | "sd" | "ug" | "syr" | "ku"
        ),
    }
}

/// A whole page around `body`.
pub fn page(lang: &str, title: &str, body: &str) -> String {
    let dir = if right_to_left(lang) { "rtl" } else { "ltr" };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"{STYLE}\">\
         <link rel=\"icon\" href=\"/icon.svg\" type=\"image/svg+xml\"></head>\
         <body><main>{body}</main></body></html>\n",
        escape_markup(lang),
        escape_markup(title)
    )
}

/// The letter's name and the way back to it, at the top of each public page.
fn masthead(text: &SiteText, words: &Words) -> String {
    format!(
        "<p class=\"coalition\">{}</p><p class=\"letter\">{}</p>\
         <p class=\"back\"><a href=\"/{}\">{}</a></p>",
        escape_markup(&text.coalition),
        escape_markup(&text.title),
        escape_markup(&text.folder),
        escape_markup(words.back)
    )
}

/// What a visitor typed, given back with the page when it is refused.
#[derive(Default, Clone)]
pub struct Typed {
    pub name: String,
    pub affiliation: String,
    pub kind: String,
    pub url: String,
    pub email: String,
    pub listed: bool,
    pub updates: bool,
}

/// Why each field was refused, by field name.
pub type Refusals = Vec<(&'static str, String)>;

pub struct SignPage<'a> {
    pub text: &'a SiteText,
    pub words: &'a Words,
    pub count: &'a str,
    pub closed: bool,
    pub typed: &'a Typed,
    pub refusals: &'a Refusals,
    pub action: &'a str,
}

pub fn sign(p: &SignPage) -> String {
    let w = p.words;
    let mut body = masthead(p.text, w);
    let _ = write!(body, "<h1>{}</h1>", escape_markup(w.sign));
    let _ =
        write!(body, "<p class=\"count\">{}</p>", escape_markup(&fill(w.count, &[("n", p.count)])));
    if p.closed {
        let _ = write!(body, "<p class=\"notice\">{}</p>", escape_markup(w.closed));
        return page(&p.text.lang, w.sign, &body);
    }
    let _ = write!(body, "<p>{}</p>", escape_markup(w.intro));
    if !p.refusals.is_empty() {
        let _ = write!(body, "<p class=\"error\" role=\"alert\">{}</p>", escape_markup(w.fix));
    }
    let refusal = |field: &str| p.refusals.iter().find(|(f, _)| *f == field).map(|(_, why)| why);
    let input = |field: &'static str,
                 label: &str,
                 kind: &str,
                 value: &str,
                 hint: Option<&str>,
                 extra: &str| {
        let mut described = Vec::new();
        let mut after = String::new();
        if let Some(hint) = hint {
            described.push(format!("{field}-hint"));
            let _ = write!(
                after,
                "<span class=\"hint\" id=\"{field}-hint\">{}</span>",
                escape_markup(hint)
            );
        }
        if let Some(why) = refusal(field) {
            described.push(format!("{field}-error"));
            let _ = write!(
                after,
                "<span class=\"error\" id=\"{field}-error\">{}</span>",
                escape_markup(why)
            );
        }
        let described = if described.is_empty() {
            String::new()
        } else {
            format!(" aria-describedby=\"{}\"", described.join(" "))
        };
        let invalid = if refusal(field).is_some() { " aria-invalid=\"true\"" } else { "" };
        format!(
            "<p class=\"field\"><label for=\"{field}\">{}</label>\
             <input id=\"{field}\" name=\"{field}\" type=\"{kind}\" value=\"{}\"{described}{invalid}{extra}>{after}</p>",
            escape_markup(label),
            escape_markup(value)
        )
    };
    let t = p.typed;
    let _ =
        write!(body, "<form method=\"post\" action=\"{}\" novalidate>", escape_markup(p.action));
    body.push_str(&input(
        "name",
        w.name,
        "text",
        &t.name,
        None,
        " required maxlength=\"500\" autocomplete=\"name\"",
    ));
    let organisation = t.kind == Kind::Organisation.key();
    let _ = write!(
        body,
        "<fieldset><legend>{}</legend><label><input type=\"radio\" name=\"kind\" value=\"individual\"{}> {}</label> \
         <label><input type=\"radio\" name=\"kind\" value=\"organisation\"{}> {}</label></fieldset>",
        escape_markup(w.kind),
        if organisation { "" } else { " checked" },
        escape_markup(w.individual),
        if organisation { " checked" } else { "" },
        escape_markup(w.organisation)
    );
    body.push_str(&input(
        "affiliation",
        w.affiliation,
        "text",
        &t.affiliation,
        Some(w.affiliation_hint),
        " maxlength=\"500\" autocomplete=\"organization\"",
    ));
    body.push_str(&input(
        "url",
        w.website,
        "url",
        &t.url,
        None,
        " maxlength=\"2000\" autocomplete=\"url\"",
    ));
    body.push_str(&input(
        "email",
        w.email,
        "email",
        &t.email,
        Some(w.email_hint),
        " required maxlength=\"254\" autocomplete=\"email\"",
    ));
    // Filled in only by programs that fill in every field.
    body.push_str(
        "<p class=\"trap\" aria-hidden=\"true\"><label>Phone <input name=\"phone\" \
         tabindex=\"-1\" autocomplete=\"off\"></label></p>",
    );
    let check = |field: &str, label: &str, on: bool| {
        let error = refusal(field)
            .map(|why| {
                format!("<span class=\"error\" id=\"{field}-error\">{}</span>", escape_markup(why))
            })
            .unwrap_or_default();
        let described = if error.is_empty() {
            String::new()
        } else {
            format!(" aria-describedby=\"{field}-error\"")
        };
        format!(
            "<p class=\"check\"><input type=\"checkbox\" id=\"{field}\" name=\"{field}\" value=\"yes\"{}{described}>\
             <label for=\"{field}\">{}</label>{error}</p>",
            if on { " checked" } else { "" },
            escape_markup(label)
        )
    };
    body.push_str(&check("listed", w.consent_list, t.listed));
    body.push_str(&check("updates", w.consent_updates, t.updates));
    let _ =
        write!(body, "<p><button type=\"submit\">{}</button></p></form>", escape_markup(w.submit));
    page(&p.text.lang, w.sign, &body)
}

/// A page that says one thing.
pub fn message(text: &SiteText, words: &Words, title: &str, said: &str) -> String {
    let body = format!(
        "{}<h1>{}</h1><p class=\"notice\">{}</p>",
        masthead(text, words),
        escape_markup(title),
        escape_markup(said)
    );
    page(&text.lang, title, &body)
}

/// The page an e-mailed link opens: a button, which alone changes anything.
pub fn button(text: &SiteText, words: &Words, action: &str, token: &str, purpose: &str) -> String {
    let (title, said, button) = if purpose == "confirm" {
        (words.confirm_title, words.confirm_text, words.confirm_button)
    } else {
        (words.withdraw_title, words.withdraw_text, words.withdraw_button)
    };
    let body = format!(
        "{}<h1>{}</h1><p>{}</p><form method=\"post\" action=\"{}\">\
         <input type=\"hidden\" name=\"t\" value=\"{}\"><p><button type=\"submit\">{}</button></p></form>",
        masthead(text, words),
        escape_markup(title),
        escape_markup(said),
        escape_markup(action),
        escape_markup(token),
        escape_markup(button)
    );
    page(&text.lang, title, &body)
}

/// The moderators' login.
pub fn login(csrf: &str, failed: Option<&str>) -> String {
    let error = failed
        .map(|why| format!("<p class=\"error\" role=\"alert\">{}</p>", escape_markup(why)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Moderators</h1>{error}<form method=\"post\" action=\"/admin/login\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <p class=\"field\"><label for=\"user\">Name</label><input id=\"user\" name=\"user\" autocomplete=\"username\" required></p>\
         <p class=\"field\"><label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required></p>\
         <p><button type=\"submit\">Log in</button></p></form>",
        escape_markup(csrf)
    );
    page("en", "Moderators: log in", &body)
}

/// One submission in the queue, with what `check` would say of it.
pub struct Row<'a> {
    pub key: &'a str,
    pub received: &'a str,
    pub kind: Kind,
    pub name: &'a str,
    pub affiliation: &'a str,
    pub url: &'a str,
    pub confirmed: bool,
    pub warnings: Vec<String>,
}

pub struct Queue<'a> {
    pub moderator: &'a str,
    pub csrf: &'a str,
    pub total: usize,
    /// How many wait in all (the rows are the oldest of them).
    pub waiting: usize,
    pub rows: Vec<Row<'a>>,
    pub listed: &'a [(String, String)],
    pub said: Option<&'a str>,
    /// The letter's language, for the names' own direction.
    pub lang: &'a str,
}

pub fn queue(q: &Queue) -> String {
    let csrf = format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", escape_markup(q.csrf));
    let mut body = format!(
        "<p class=\"coalition\">Logged in as <bdi>{}</bdi></p><form method=\"post\" action=\"/admin/logout\">{csrf}\
         <p><button type=\"submit\" class=\"quiet\">Log out</button></p></form>\
         <h1>Signatures to review</h1><p class=\"count\">Listed now: {}. Waiting: {}.</p>",
        escape_markup(q.moderator),
        q.total,
        q.waiting
    );
    if let Some(said) = q.said {
        let _ = write!(body, "<p class=\"notice\" role=\"status\">{}</p>", escape_markup(said));
    }
    let lang = escape_markup(q.lang);
    if !q.rows.is_empty() {
        let _ = write!(
            body,
            "<form id=\"bulk\" method=\"post\" action=\"/admin/approve-selected\">{csrf}\
             <p><button type=\"submit\">Approve the selected</button></p></form>"
        );
    }
    for (i, r) in q.rows.iter().enumerate() {
        let warnings = if r.warnings.is_empty() {
            String::new()
        } else {
            let items: String =
                r.warnings.iter().map(|w| format!("<li>{}</li>", escape_markup(w))).collect();
            format!("<ul class=\"warnings\">{items}</ul>")
        };
        let organisation = r.kind == Kind::Organisation;
        let _ = write!(
            body,
            "<section class=\"row\" aria-labelledby=\"n{i}\"><h2 id=\"n{i}\" lang=\"{lang}\"><bdi>{}</bdi></h2>\
             <p class=\"hint\">Received {}{}</p>{warnings}\
             <p class=\"check\"><input type=\"checkbox\" id=\"s{i}\" name=\"key\" value=\"{}\" form=\"bulk\">\
             <label for=\"s{i}\">Select for approval</label></p>\
             <form method=\"post\" action=\"/admin/decide\">{csrf}<input type=\"hidden\" name=\"key\" value=\"{}\">\
             <p class=\"field\"><label for=\"name{i}\">Name</label><input id=\"name{i}\" name=\"name\" value=\"{}\" lang=\"{lang}\" dir=\"auto\"></p>\
             <p class=\"field\"><label for=\"aff{i}\">Affiliation</label><input id=\"aff{i}\" name=\"affiliation\" value=\"{}\" lang=\"{lang}\" dir=\"auto\"></p>\
             <p class=\"field\"><label for=\"url{i}\">Website</label><input id=\"url{i}\" name=\"url\" value=\"{}\" dir=\"ltr\"></p>\
             <p class=\"field\"><label for=\"kind{i}\">Kind</label><select id=\"kind{i}\" name=\"kind\">\
             <option value=\"individual\"{}>individual</option><option value=\"organisation\"{}>organisation</option></select></p>\
             <p class=\"check\"><input type=\"checkbox\" id=\"force{i}\" name=\"force\" value=\"yes\">\
             <label for=\"force{i}\">Add even if it looks like a listed name or `check` would object</label></p>\
             <p><button type=\"submit\" name=\"do\" value=\"approve\">Approve as edited</button> \
             <button type=\"submit\" name=\"do\" value=\"reject\" class=\"quiet\">Reject</button></p></form></section>",
            escape_markup(r.name),
            escape_markup(r.received),
            if r.confirmed { "; e-mail confirmed" } else { "; e-mail not confirmed" },
            escape_markup(r.key),
            escape_markup(r.key),
            escape_markup(r.name),
            escape_markup(r.affiliation),
            escape_markup(r.url),
            if organisation { "" } else { " selected" },
            if organisation { " selected" } else { "" },
        );
    }
    if !q.listed.is_empty() {
        body.push_str("<h2>Listed through this form</h2><ul class=\"listed\">");
        for (i, (key, name)) in q.listed.iter().enumerate() {
            let _ = write!(
                body,
                "<li><form method=\"post\" action=\"/admin/withdraw\">{csrf}<input type=\"hidden\" name=\"key\" value=\"{}\">\
                 <span id=\"l{i}\" lang=\"{lang}\"><bdi>{}</bdi></span> \
                 <button type=\"submit\" class=\"quiet\" aria-describedby=\"l{i}\">Withdraw</button></form></li>",
                escape_markup(key),
                escape_markup(name)
            );
        }
        body.push_str("</ul>");
    }
    page("en", "Signatures to review", &body)
}

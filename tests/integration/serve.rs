//! `openletter serve` through HTTP, as a browser or an attacker sees it:
//! the binary started on a free port in a copy of a letter, a real SMTP
//! server (aiosmtpd) receiving its e-mails, raw requests on a socket.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running server, stopped with SIGTERM when dropped.
pub struct Server {
    pub child: Option<Child>,
    pub port: u16,
    pub log: PathBuf,
}

impl Server {
    pub fn start(s: &Scratch, args: &[&str]) -> Server {
        let port = free_port();
        let log = s.path(&format!("serve-{port}.log"));
        let listen = format!("127.0.0.1:{port}");
        let child = Command::new(BIN)
            .current_dir(&s.dir)
            .args(["serve", "--listen", &listen, "--date", "2025-02-13"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut server = Server { child: Some(child), port, log };
        let started = Instant::now();
        loop {
            if let Some(status) = server.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("serve ended with {status}:\n{}", server.log_text());
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok()
                && server.get("/healthz", None).status == 200
            {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "serve did not start:\n{}",
                server.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
        raw(
            self.port,
            &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n{cookie}Connection: close\r\n\r\n"),
        )
    }

    pub fn post(&self, path: &str, form: &[(&str, &str)], extra: &str) -> Response {
        let body: String =
            url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        raw(
            self.port,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                 Content-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
                body.len()
            ),
        )
    }

    /// Stops it as a service manager would, and says how it ended.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().unwrap();
        unsafe_kill(child.id(), "TERM");
        child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            unsafe_kill(child.id(), "TERM");
            let _ = child.wait();
        }
    }
}

/// Sends a signal with kill(1): no unsafe code in the tests.
pub fn unsafe_kill(pid: u32, signal: &str) {
    let _ = Command::new("kill").args([format!("-{signal}"), pid.to_string()]).status();
}

pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<String> {
        let name = name.to_ascii_lowercase();
        self.head.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            (k.trim().to_ascii_lowercase() == name).then(|| v.trim().to_owned())
        })
    }

    pub fn cookies(&self) -> Vec<String> {
        self.head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.trim().split(';').next().unwrap().to_owned())
            .collect()
    }
}

/// One request as written, on its own connection.
pub fn raw(port: u16, request: &str) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    // Chunked bodies are read whole: the markers between chunks do not
    // matter to what the tests look for.
    Response { status, head: head.to_owned(), body: body.to_owned() }
}

/// A real SMTP server, for as long as it lives.
pub struct Smtp {
    pub child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl Smtp {
    pub fn start(dir: &Path) -> Option<Smtp> {
        std::fs::create_dir_all(dir).unwrap();
        let port = free_port();
        let script = Path::new(REPO).join("tests/tools/smtp_sink.py");
        let mut child = match Command::new("python3")
            .arg(&script)
            .arg(dir)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(err) => {
                missing_checker("python3", &err.to_string());
                return None;
            }
        };
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        if line.trim() != "ready" {
            let status = child.wait().unwrap();
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            if status.code() == Some(3) {
                missing_checker("aiosmtpd (PyPI: aiosmtpd)", err.trim());
                return None;
            }
            panic!("the SMTP server did not start: {err}");
        }
        Some(Smtp { child, port, dir: dir.to_owned() })
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The text of the `n`th message (from 1), once it arrived, and whom it
    /// went to.
    pub fn message(&self, n: usize) -> (String, String) {
        let base = self.dir.join(format!("{n:06}"));
        let started = Instant::now();
        while !base.with_extension("txt").exists() {
            assert!(started.elapsed() < Duration::from_secs(60), "e-mail {n} did not arrive");
            std::thread::sleep(Duration::from_millis(100));
        }
        let read = |ext: &str| std::fs::read_to_string(base.with_extension(ext)).unwrap();
        (read("txt"), read("to"))
    }

    pub fn count(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "txt"))
            .count()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path and query of the link in an e-mail that goes to `/what`.
pub fn link(mail: &str, what: &str) -> String {
    let at =
        mail.find(&format!("/{what}?t=")).unwrap_or_else(|| panic!("no {what} link in:\n{mail}"));
    let rest = &mail[at..];
    rest.split_whitespace().next().unwrap().to_owned()
}

pub fn token_of(link: &str) -> String {
    link.split("t=").nth(1).unwrap().to_owned()
}

/// Adds a moderator with the CLI, the password on stdin.
pub fn add_moderator(s: &Scratch, name: &str, password: &str) {
    let mut child = s
        .command(&["serve", "add-moderator", name])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

pub const PASSWORD: &str = "correct horse battery staple";

/// Logs in; the session cookie and the queue's CSRF token.
pub fn log_in(server: &Server, name: &str, password: &str) -> (String, String) {
    let page = server.get("/admin", None);
    let login_cookie =
        page.cookies().into_iter().find(|c| c.starts_with("openletter_login=")).unwrap();
    let csrf = hidden(&page.body, "csrf");
    let done = server.post(
        "/admin/login",
        &[("user", name), ("password", password), ("csrf", &csrf)],
        &format!("Cookie: {login_cookie}\r\n"),
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let session = done
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("openletter_session=") && c.len() > 30)
        .unwrap();
    let queue = server.get("/admin", Some(&session));
    assert_eq!(queue.status, 200);
    (session.clone(), hidden(&queue.body, "csrf"))
}

/// The value of the first hidden field named `name`.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at =
        html.find(&marker).unwrap_or_else(|| panic!("no field {name} in {html}")) + marker.len();
    html[at..].split('"').next().unwrap().to_owned()
}

/// Waits until `path` holds (or no longer holds) `needle`: the rebuild.
pub fn wait_for(server: &Server, path: &str, needle: &str, present: bool) -> Response {
    let started = Instant::now();
    loop {
        let page = server.get(path, None);
        if page.body.contains(needle) == present {
            return page;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{path}: {needle:?} never {present}:\n{}",
            server.log_text()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn sign_form<'a>(name: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("kind", "individual"),
        ("affiliation", "Example University"),
        ("url", ""),
        ("email", email),
        ("listed", "yes"),
        ("phone", ""),
    ]
}

#[test]
fn without_smtp_it_refuses_to_start_unless_told() {
    let s = Scratch::new();
    s.run(&["serve", "--listen", "127.0.0.1:1"]).refused(1, "--no-confirmation");
    s.run(&["serve", "--smtp", "smtp://mail.example.org:587", "--mail-from", "a@example.org"])
        .refused(1, "in clear");
}

#[test]
fn sign_confirm_approve_and_withdraw_over_http() {
    let s = Scratch::new();
    let Some(smtp) = Smtp::start(&s.path("mail")) else { return };
    add_moderator(&s, "mod", PASSWORD);
    let server =
        Server::start(&s, &["--smtp", &smtp.url(), "--mail-from", "Coalition <sign@example.org>"]);
    let form = server.get("/sign", None);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Signatories so far: 109"), "{}", form.body);

    let email = "ada.signer@example.net";
    let answer = server.post("/sign", &sign_form("Ada Signer", email), "");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.contains("Check your e-mail"));
    let (mail, to) = smtp.message(1);
    assert_eq!(to.trim(), email);
    let (confirm, withdraw) = (link(&mail, "confirm"), link(&mail, "withdraw"));

    // Opening the link, as a mail scanner does, confirms nothing.
    for _ in 0..2 {
        let page = server.get(&confirm, None);
        assert_eq!(page.status, 200);
        assert!(page.body.contains("<button"), "{}", page.body);
    }
    let (session, csrf) = log_in(&server, "mod", PASSWORD);
    assert!(!server.get("/admin", Some(&session)).body.contains("Ada Signer"), "pending shown");
    let confirmed = server.post("/confirm", &[("t", &token_of(&confirm))], "");
    assert_eq!(confirmed.status, 200);
    // Single use.
    assert_eq!(server.post("/confirm", &[("t", &token_of(&confirm))], "").status, 410);
    let queue = server.get("/admin", Some(&session));
    assert!(queue.body.contains("Ada Signer"), "{}", queue.body);
    let key = hidden(&queue.body[queue.body.find("/admin/decide").unwrap()..], "key");

    let approved = server.post(
        "/admin/decide",
        &[
            ("csrf", &csrf),
            ("key", &key),
            ("name", "Ada Signer"),
            ("affiliation", "Example University"),
            ("url", ""),
            ("kind", "individual"),
            ("do", "approve"),
        ],
        &format!("Cookie: {session}\r\n"),
    );
    assert!(approved.body.contains("Approved 1."), "{}", approved.body);
    assert!(s.read("signatories.toml").contains("name = \"Ada Signer\""));
    let json = wait_for(&server, "/signatories.json", "Ada Signer", true);
    assert!(json.body.contains("\"total\": 110"), "{}", json.body);
    assert!(server.get("/sign", None).body.contains("Signatories so far: 110"));
    let pdf = server.get("/", None);
    let pdf_name = pdf
        .body
        .split("href=\"")
        .map(|h| h.split('"').next().unwrap())
        .find(|h| h.ends_with(".pdf"))
        .unwrap()
        .to_owned();
    let bytes = raw_bytes(server.port, &pdf_name);
    std::fs::write(s.path("served.pdf"), &bytes).unwrap();
    if let Some(text) = tool("pdftotext", &[s.path("served.pdf").to_str().unwrap(), "-"]) {
        assert!(text.stdout.contains("Ada Signer"), "not in the PDF");
    }

    // The withdrawal link: the page, then the button.
    assert!(server.get(&withdraw, None).body.contains("<button"));
    let gone = server.post("/withdraw", &[("t", &token_of(&withdraw))], "");
    assert_eq!(gone.status, 200, "{}", gone.body);
    wait_for(&server, "/signatories.json", "Ada Signer", false);
    assert_eq!(server.post("/withdraw", &[("t", &token_of(&withdraw))], "").status, 410);
    let list = s.read("signatories.toml");
    assert!(list.contains("[[withdrawn]]") && list.contains("Ada Signer"), "{list}");

    // The ledger holds the address and the history; the log, no address
    // and no token.
    let ledger = s.run(&["ledger", "export", "--format", "json"]).ok();
    assert!(
        ledger.stdout.contains(email) && ledger.stdout.contains("withdrawn"),
        "{}",
        ledger.stdout
    );
    let log = server.log_text();
    for secret in
        [email, &token_of(&confirm), &token_of(&withdraw), session.split('=').nth(1).unwrap()]
    {
        assert!(!log.contains(secret), "the log holds a secret:\n{log}");
    }
    assert_eq!(smtp.count(), 1, "one e-mail for one signature");
    for page in ["/index.html", "/signatories.json"] {
        assert!(!server.get(page, None).body.contains(email));
    }
}

fn raw_bytes(port: u16, path: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET /{} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        path.trim_start_matches('/')
    )
    .unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let at = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    bytes.split_off(at)
}

#[test]
fn attacks_over_http() {
    let s = Scratch::new();
    add_moderator(&s, "mod", PASSWORD);
    std::os::unix::fs::symlink("/etc/passwd", s.path("passwd")).unwrap();
    let server = Server::start(
        &s,
        &[
            "--no-confirmation",
            "--trusted-proxy",
            "127.0.0.1",
            "--block-domain",
            "spam.example",
            "--block-ip",
            "203.0.113.0/24",
        ],
    );
    let from = |n: u32| format!("X-Forwarded-For: 198.51.100.{n}\r\n");

    // Security headers on every response.
    let home = server.get("/", None);
    assert_eq!(home.status, 200);
    let csp = home.header("content-security-policy").unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'")
            && !csp.contains("script-src")
            && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert_eq!(home.header("referrer-policy").as_deref(), Some("no-referrer"));
    assert_eq!(home.header("x-content-type-options").as_deref(), Some("nosniff"));

    // Markup, script and SQL in every field are data.
    let name = "<script>alert(1)</script> Robert'); DROP TABLE submissions;--";
    let affiliation = "\"><img src=x onerror=alert(2)> ' OR '1'='1";
    let javascript = server.post(
        "/sign",
        &[
            ("name", "Eve"),
            ("kind", "individual"),
            ("url", "javascript:alert(3)"),
            ("email", "eve@example.org"),
            ("listed", "yes"),
        ],
        &from(1),
    );
    assert_eq!(javascript.status, 422, "a javascript: link was taken");
    assert!(!javascript.body.contains("<script"));
    let taken = server.post(
        "/sign",
        &[
            ("name", name),
            ("kind", "individual"),
            ("affiliation", affiliation),
            ("url", "https://example.org/?q=<b>"),
            ("email", "x@example.org"),
            ("listed", "yes"),
        ],
        &from(2),
    );
    assert_eq!(taken.status, 200, "{}", taken.body);
    let export = s.run(&["ledger", "export", "--format", "json"]).ok();
    let rows: serde_json::Value = serde_json::from_str(&export.stdout).unwrap();
    let stored =
        rows["submissions"].as_array().unwrap().iter().find(|r| r["channel"] == "serve").unwrap();
    assert_eq!(stored["name"], name, "stored verbatim");
    assert_eq!(stored["affiliation"], affiliation);

    // The same address again, from elsewhere: the same answer, one row.
    let again = server.post(
        "/sign",
        &[
            ("name", "Someone Else"),
            ("kind", "individual"),
            ("email", "X@example.org"),
            ("listed", "yes"),
        ],
        &from(3),
    );
    assert_eq!((again.status, &again.body), (taken.status, &taken.body));
    // The honeypot: the same answer, nothing kept.
    let bot = server.post(
        "/sign",
        &[
            ("name", "Bot"),
            ("kind", "individual"),
            ("email", "bot@example.org"),
            ("listed", "yes"),
            ("phone", "555"),
        ],
        &from(4),
    );
    assert_eq!((bot.status, &bot.body), (taken.status, &taken.body));
    let export = s.run(&["ledger", "export", "--format", "json"]).ok();
    assert_eq!(export.stdout.matches("\"channel\": \"serve\"").count(), 1, "{}", export.stdout);

    // Rate limits per client, which only a trusted proxy names.
    let second = server.post("/sign", &sign_form("Second Try", "second@example.org"), &from(2));
    assert_eq!(second.status, 429);
    // Block lists.
    assert_eq!(
        server.post("/sign", &sign_form("Blocked", "a@mail.spam.example"), &from(5)).status,
        403
    );
    assert_eq!(
        server
            .post(
                "/sign",
                &sign_form("Blocked", "b@example.org"),
                "X-Forwarded-For: 203.0.113.8\r\n"
            )
            .status,
        403
    );

    // What `check` would say shows in the queue, against each entry.
    for (n, name) in [(6, "Subhajit Basu"), (7, "GRACE HOPPER"), (8, "Zebulon \u{202E}desrever")] {
        let email = format!("s{n}@example.org");
        assert_eq!(server.post("/sign", &sign_form(name, &email), &from(n)).status, 200);
    }

    // CSRF, sessions, brute force.
    let (session, csrf) = log_in(&server, "mod", PASSWORD);
    let queue = server.get("/admin", Some(&session));
    let section = |name: &str| {
        let at = queue.body.find(&format!("<bdi>{name}</bdi></h2>")).unwrap();
        queue.body[at..].split("</section>").next().unwrap().to_owned()
    };
    assert!(section("Subhajit Basu").contains("near-duplicate"), "{}", section("Subhajit Basu"));
    assert!(section("GRACE HOPPER").contains("all-caps"));
    assert!(!section("GRACE HOPPER").contains("near-duplicate"));
    assert!(queue.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{}", queue.body);
    assert!(!queue.body.contains("<script") && !queue.body.contains("<img"), "markup in the queue");
    let key = hidden(&queue.body[queue.body.find("/admin/decide").unwrap()..], "key");
    let cookie = format!("Cookie: {session}\r\n");
    for bad in [None, Some("0".repeat(64)), Some(csrf.to_uppercase())] {
        let mut form = vec![
            ("key", key.as_str()),
            ("do", "approve"),
            ("name", name),
            ("affiliation", affiliation),
            ("kind", "individual"),
        ];
        if let Some(bad) = &bad {
            form.push(("csrf", bad));
        }
        assert_eq!(server.post("/admin/decide", &form, &cookie).status, 403, "csrf {bad:?}");
    }
    assert!(!s.read("signatories.toml").contains("Robert"));
    let approved = server.post(
        "/admin/decide",
        &[
            ("csrf", &csrf),
            ("key", &key),
            ("do", "approve"),
            ("name", name),
            ("affiliation", affiliation),
            ("url", ""),
            ("kind", "individual"),
        ],
        &cookie,
    );
    assert!(approved.body.contains("Approved 1."), "{}", approved.body);
    let list = s.read("signatories.toml");
    let parsed: toml::Value = toml::from_str(&list).unwrap();
    assert!(
        parsed["individual"].as_array().unwrap().iter().any(|e| e["name"].as_str() == Some(name)),
        "not verbatim in the list"
    );
    let page = wait_for(&server, "/", "Robert", true);

    // What `check` counts as an error waits for a moderator's "anyway".
    let queue = server.get("/admin", Some(&session));
    let at = queue.body.find("<bdi>Zebulon").unwrap();
    let key = hidden(&queue.body[at..], "key");
    let form = |force: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("key", key.clone()),
            ("do", "approve".into()),
            ("name", "Zebulon \u{202E}desrever".into()),
            ("kind", "individual".into()),
            ("force", force.into()),
        ]
    };
    let post = |form: Vec<(&str, String)>| {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        server.post("/admin/decide", &form, &cookie)
    };
    let refused = post(form(""));
    assert!(
        refused.body.contains("Approved 0.") && refused.body.contains("bidi-control"),
        "{}",
        refused.body
    );
    assert!(
        !s.read("signatories.toml").contains("Zebulon"),
        "{}",
        s.read("signatories.toml")
            .lines()
            .filter(|l| l.contains("Zebulon"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(post(form("yes")).body.contains("Approved 1."));
    assert!(s.read("signatories.toml").contains("Zebulon"));
    assert!(
        !page.body.contains("<script>alert") && !page.body.contains("<img src=x"),
        "markup on the site"
    );

    // A session cookie made before the login (planted) is not one after.
    let planted = format!("openletter_session={}", "ab".repeat(32));
    let page = server.get("/admin", None);
    let login_cookie =
        page.cookies().into_iter().find(|c| c.starts_with("openletter_login=")).unwrap();
    let done = server.post(
        "/admin/login",
        &[("user", "mod"), ("password", PASSWORD), ("csrf", &hidden(&page.body, "csrf"))],
        &format!("Cookie: {login_cookie}; {planted}\r\n"),
    );
    assert_eq!(done.status, 303);
    let fresh = done.cookies().into_iter().find(|c| c.starts_with("openletter_session=")).unwrap();
    assert_ne!(fresh, planted);
    assert!(server.get("/admin", Some(&planted)).body.contains("Log in"));
    let login_as_session = login_cookie.replace("openletter_login", "openletter_session");
    assert!(server.get("/admin", Some(&login_as_session)).body.contains("Log in"));
    // A login form posted without its cookie is refused.
    assert_eq!(
        server
            .post(
                "/admin/login",
                &[("user", "mod"), ("password", PASSWORD), ("csrf", &hidden(&page.body, "csrf"))],
                ""
            )
            .status,
        403
    );
    // Brute force: after five wrong passwords from an address, even the
    // right one waits there; the moderator logs in from elsewhere.
    let try_login = |password: &str, from: &str| {
        let page = server.get("/admin", None);
        let c = page.cookies().into_iter().find(|c| c.starts_with("openletter_login=")).unwrap();
        let csrf = hidden(&page.body, "csrf");
        let form = [("user", "mod"), ("password", password), ("csrf", csrf.as_str())];
        server
            .post("/admin/login", &form, &format!("Cookie: {c}\r\nX-Forwarded-For: {from}\r\n"))
            .status
    };
    for _ in 0..5 {
        assert_eq!(try_login("wrong password!", "192.0.2.1"), 401);
    }
    assert_eq!(try_login(PASSWORD, "192.0.2.1"), 429);
    assert_eq!(try_login(PASSWORD, "192.0.2.77"), 303, "a stranger locked the moderator out");
    // An empty CSRF token in both places is no token.
    let empty = server.post(
        "/admin/login",
        &[("user", "mod"), ("password", PASSWORD), ("csrf", "")],
        "Cookie: openletter_login=\r\nX-Forwarded-For: 192.0.2.78\r\n",
    );
    assert_eq!(empty.status, 403);

    // Paths: only the site's own files.
    for path in [
        "/../signatories.toml",
        "/%2e%2e/signatories.toml",
        "/%252e%252e/signatories.toml",
        "/..%2fsignatories.toml",
        "/signatories.toml",
        "/letter/main.typ",
        "/.openletter/ledger.sqlite",
        "/%2eopenletter/ledger.sqlite",
        "/passwd",
        "//etc/passwd",
        "/fonts/../../signatories.toml",
    ] {
        let r = raw(
            server.port,
            &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
        );
        assert!(matches!(r.status, 400 | 404), "{path}: {}", r.status);
        assert!(
            !r.body.contains("[[organisation]]")
                && !r.body.contains("SQLite")
                && !r.body.contains("root:"),
            "{path}"
        );
    }
    // Oversized bodies.
    let big = "a".repeat(100_000);
    assert_eq!(server.post("/sign", &[("name", &big)], &from(9)).status, 413);
    // A client that sends its headers slowly is cut off.
    let mut slow = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(started.elapsed() < Duration::from_secs(20), "a slow client held its connection");
    assert!(!String::from_utf8_lossy(&rest).contains("200 OK"));
}

#[test]
fn a_right_to_left_letter_gets_its_form_in_its_language() {
    let s = Scratch::of("arabic");
    let server = Server::start(&s, &["--no-confirmation"]);
    let form = server.get("/sign", None);
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("dir=\"rtl\"") && form.body.contains("وقّع الرسالة"),
        "{}",
        form.body
    );
}

#[test]
fn sigterm_stops_it_cleanly() {
    let s = Scratch::new();
    let mut server = Server::start(&s, &["--no-confirmation", "--sign-limit", "none"]);
    assert_eq!(server.post("/sign", &sign_form("Kept Signer", "kept@example.org"), "").status, 200);
    let status = server.stop();
    assert!(status.success(), "{status}: {}", server.log_text());
    let ledger = s.run(&["ledger", "export", "--format", "json"]).ok();
    assert!(ledger.stdout.contains("Kept Signer"));
}

/// Signs through the form in Chromium (tests/browser/sign_on.mjs): the
/// whole loop, with axe-core on every page; `None` when skipped.
fn sign_in_browser(s: &Scratch, name: &str, shots: &str) -> Option<serde_json::Value> {
    let browser = Path::new(REPO).join("tests/browser");
    if !browser.join("node_modules").is_dir() {
        missing_checker(
            "tests/browser's npm packages (npm ci --prefix tests/browser)",
            "no node_modules",
        );
        return None;
    }
    let smtp = Smtp::start(&s.path("mail"))?;
    add_moderator(s, "mod", PASSWORD);
    let server = Server::start(s, &["--smtp", &smtp.url(), "--mail-from", "sign@example.org"]);
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots").join(shots);
    std::fs::create_dir_all(&shots).unwrap();
    let base = format!("http://127.0.0.1:{}", server.port);
    let script = browser.join("sign_on.mjs");
    let args = [
        script.to_str().unwrap(),
        &base,
        smtp.dir.to_str().unwrap(),
        shots.to_str().unwrap(),
        "mod",
        PASSWORD,
        name,
        "browser.signer@example.net",
    ];
    let run = tool_in("node", &args, Some(&browser))?;
    if run.code == 3 {
        missing_checker("Chromium (Debian: chromium)", run.stderr.trim());
        return None;
    }
    assert_eq!(run.code, 0, "the browser run failed:\n{}\n{}", run.stderr, server.log_text());
    Some(serde_json::from_str(&run.stdout).unwrap())
}

fn judge(report: &serde_json::Value, direction: &str) {
    let steps = &report["steps"];
    assert_eq!(steps["queue_before_confirming"], false, "opening the link confirmed");
    assert_eq!(steps["queue_after_confirming"], true, "the button did not confirm");
    assert_eq!(steps["on_page"], true, "the name never reached the page");
    assert_eq!(steps["in_json"], true);
    assert_eq!(steps["off_page"], true, "the withdrawal left the name on the page");
    for page in ["sign", "signed", "confirm", "login", "confirmed", "queue", "withdraw"] {
        let p = &report["pages"][page];
        assert_eq!(p["violations"], serde_json::json!([]), "axe on {page}: {p}");
        assert_eq!(p["scripts"], 0, "{page} has a script");
        assert_eq!(p["overflow"], 0, "{page} scrolls sideways on a phone");
        if page != "login" && page != "queue" {
            assert_eq!(p["direction"], direction, "{page}");
        }
    }
    for request in report["requests"].as_array().unwrap() {
        assert!(
            request.as_str().unwrap().starts_with("http://127.0.0.1:"),
            "a foreign request: {request}"
        );
    }
}

#[test]
fn sign_on_in_a_browser_in_english() {
    let s = Scratch::new();
    let Some(report) = sign_in_browser(&s, "Grace Browser", "en") else { return };
    judge(&report, "ltr");
    assert!(report["steps"]["count_shown"].as_str().unwrap().contains("110"), "{report}");
}

#[test]
fn sign_on_in_a_browser_right_to_left() {
    let s = Scratch::of("arabic");
    let Some(report) = sign_in_browser(&s, "سلمى يوسف", "ar") else { return };
    judge(&report, "rtl");
    assert_eq!(report["pages"]["sign"]["lang"], "ar");
}

/// A request that may meet a dead server: `None` then.
fn try_raw(port: u16, request: &str) -> Option<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some(Response { status, head: head.to_owned(), body: body.to_owned() })
}

#[test]
fn killed_under_load_it_loses_and_doubles_no_acknowledged_signature() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier, Mutex};
    const SUBMISSIONS: usize = 1000;
    let s = Scratch::new();
    let mut server = Server::start(&s, &["--no-confirmation", "--sign-limit", "none"]);
    let port = server.port;
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(SUBMISSIONS + 1));
    let threads: Vec<_> = (0..SUBMISSIONS)
        .map(|i| {
            let (acknowledged, count, barrier) = (acknowledged.clone(), count.clone(), barrier.clone());
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    let email = format!("load{i}@example.org");
                    let name = format!("Load Signer {i}");
                    let body: String = url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(sign_form(&name, &email))
                        .finish();
                    let request = format!(
                        "POST /sign HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    barrier.wait();
                    if let Some(r) = try_raw(port, &request)
                        && r.status == 200
                    {
                        acknowledged.lock().unwrap().push(email);
                        count.fetch_add(1, Ordering::SeqCst);
                    }
                })
                .unwrap()
        })
        .collect();
    barrier.wait();
    let started = Instant::now();
    while count.load(Ordering::SeqCst) < SUBMISSIONS / 2 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "too slow: {}",
            count.load(Ordering::SeqCst)
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let pid = server.child.as_ref().unwrap().id();
    unsafe_kill(pid, "KILL");
    let status = server.child.take().unwrap().wait().unwrap();
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9));
    for thread in threads {
        thread.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= SUBMISSIONS / 2 && acknowledged.len() < SUBMISSIONS,
        "{}: the kill came too late",
        acknowledged.len()
    );

    // Started again, its ledger holds every acknowledged submission once.
    let server = Server::start(&s, &["--no-confirmation"]);
    let export = s.run(&["ledger", "export", "--format", "json"]).ok();
    let rows: serde_json::Value = serde_json::from_str(&export.stdout).unwrap();
    let emails: Vec<&str> = rows["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["email"].as_str())
        .collect();
    let unique: std::collections::BTreeSet<&str> = emails.iter().copied().collect();
    assert_eq!(unique.len(), emails.len(), "a submission was recorded twice");
    for email in &acknowledged {
        assert!(unique.contains(email.as_str()), "{email} was acknowledged and lost");
    }
    let health = server.get("/healthz", None);
    assert!(health.body.contains("\"status\":\"ok\""), "{}", health.body);
    eprintln!("{} acknowledged before the kill, {} recorded", acknowledged.len(), emails.len());
}

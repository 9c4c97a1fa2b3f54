//! Lighthouse (npm, pinned in tests/browser) on the published GEC page and
//! on the Arabic fixture's page, served over HTTP as a reader gets them:
//! performance, accessibility, best practices and SEO each at least 95.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{REPO, Scratch, missing_checker};

/// A static file server on the loopback interface, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serves `dir` on a free port of 127.0.0.1 with Python's HTTP server.
fn serve(dir: &Path, port: u16) -> Option<Server> {
    let child = Command::new("python3")
        .args(["-m", "http.server", &port.to_string(), "--bind", "127.0.0.1", "--directory"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match child {
        Ok(child) => child,
        Err(err) => {
            missing_checker("python3 (Debian: python3)", &err.to_string());
            return None;
        }
    };
    let server = Server(child);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "the HTTP server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(server)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Lighthouse's report on `url`, or `None` for a skipped check.
fn lighthouse(url: &str, out: &Path) -> Option<Value> {
    let browser = Path::new(REPO).join("tests/browser");
    let cli = browser.join("node_modules/lighthouse/cli/index.js");
    if !cli.is_file() {
        missing_checker("Lighthouse (npm ci --prefix tests/browser)", "no lighthouse package");
        return None;
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        missing_checker("Chromium (Debian: chromium)", &format!("no browser at {chromium}"));
        return None;
    }
    let args = [
        cli.to_str().unwrap(),
        url,
        "--quiet",
        "--output=json",
        &format!("--output-path={}", out.display()),
        "--only-categories=performance,accessibility,best-practices,seo",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ];
    let mut command = Command::new("node");
    command.args(args).current_dir(&browser).env("CHROME_PATH", &chromium);
    let run = match command.output() {
        Ok(output) => crate::common::Run::from(output),
        Err(err) => {
            missing_checker("node (Debian: nodejs)", &err.to_string());
            return None;
        }
    };
    assert_eq!(run.code, 0, "Lighthouse failed on {url}:\n{}", run.stderr);
    Some(serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap())
}

/// Each category's score, and what cost it points where it is short.
fn judge(name: &str, report: &Value) {
    for (id, category) in report["categories"].as_object().unwrap() {
        let score = category["score"].as_f64().unwrap_or(0.0);
        eprintln!("Lighthouse, {name}: {id} {score}");
        if score >= 0.95 {
            continue;
        }
        let short: Vec<String> = category["auditRefs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["weight"].as_f64().unwrap_or(0.0) > 0.0)
            .filter_map(|r| {
                let audit = &report["audits"][r["id"].as_str().unwrap()];
                let score = audit["score"].as_f64()?;
                (score < 1.0).then(|| format!("{} ({score})", r["id"]))
            })
            .collect();
        panic!("{name}: Lighthouse's {id} is {score}, below 0.95: {}", short.join(", "));
    }
}

#[test]
fn lighthouse_scores_the_gec_page_and_an_arabic_page() {
    let gec = Scratch::new();
    let arabic = Scratch::of("arabic");
    for (name, scratch) in [("gec", &gec), ("arabic", &arabic)] {
        let port = free_port();
        // The site's address (below the server's root, as a coalition's
        // letter is on its website), so its pages name themselves and each
        // other absolutely, as search engines want.
        let url = format!("http://127.0.0.1:{port}/site/");
        scratch.run(&["publish", "site", "--date", "2025-02-13", "--site-url", &url]).ok();
        let Some(_server) = serve(&scratch.dir, port) else { return };
        let out = scratch.path(&format!("lighthouse-{name}.json"));
        let Some(report) = lighthouse(&url, &out) else { return };
        assert_eq!(report["finalDisplayedUrl"], url, "{name}");
        judge(name, &report);
    }
}

"""Load on `openletter serve` (issue 19), with oha, on loopback.

A 10,000-signatory letter is served with confirmation e-mails going to a
real SMTP server (aiosmtpd, tests/tools/smtp_sink.py). A first wave of
signatures fills the outbox; then, while a moderator approves one
submission a second (so that the 10,000-name letter is rebuilt the whole
time), oha signs new names and confirms the first wave's links at once,
each at a fixed rate; last, oha reads the letter's page.

Run with the Python that has aiosmtpd (tests/run's environment):

    cargo build --release
    target/checkers/bin/python bench/serve_load.py [--rate 300] [--seconds 15]

Needs oha on PATH (cargo install oha).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench  # noqa: E402  (the same generated lists as the other benchmarks)

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / "target" / "release" / "openletter"
PASSWORD = "load test password"


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def request(base, path, form=None, cookie=None):
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(base + path, data=data)
    if cookie:
        req.add_header("Cookie", cookie)
    try:
        with OPENER.open(req, timeout=60) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def hidden(html, name):
    return re.search(f'name="{name}" value="([^"]*)"', html).group(1)


def log_in(base):
    _, headers, page = request(base, "/admin")
    login = [c.split(";")[0] for c in headers.get_all("Set-Cookie") if c.startswith("openletter_login=")][0]
    status, headers, _ = request(
        base, "/admin/login", {"user": "load", "password": PASSWORD, "csrf": hidden(page, "csrf")}, login
    )
    assert status == 303, status
    session = [c.split(";")[0] for c in headers.get_all("Set-Cookie") if c.startswith("openletter_session=")][0]
    _, _, queue = request(base, "/admin", cookie=session)
    return session, hidden(queue, "csrf")


def states(folder):
    """How many submissions are in each state, from the ledger."""
    out = subprocess.run([BIN, "ledger", "export", "--format", "json"], cwd=folder, check=True,
                         capture_output=True).stdout
    counts = {}
    for row in json.loads(out)["submissions"]:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
    return counts


def oha(args, out):
    cmd = ["oha", "--no-tui", "--output-format", "json", "-o", str(out)] + args
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL)


def summary(path):
    data = json.loads(Path(path).read_text())
    return {
        "requests": sum(data["statusCodeDistribution"].values()),
        "per_second": round(data["summary"]["requestsPerSec"], 1),
        "p50_ms": round(data["latencyPercentiles"]["p50"] * 1000, 2),
        "p99_ms": round(data["latencyPercentiles"]["p99"] * 1000, 2),
        "statuses": data["statusCodeDistribution"],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=300, help="signatures and confirmations per second, each")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--names", type=int, default=10000)
    args = parser.parse_args()
    if not shutil.which("oha"):
        sys.exit("oha is not on PATH (cargo install oha)")
    tmp = Path(tempfile.mkdtemp(prefix="openletter-serve-load-"))
    folder = bench.project(tmp, "letter", bench.signatories(args.names))
    mail = tmp / "mail"
    mail.mkdir()
    smtp_port, port = free_port(), free_port()
    sink = subprocess.Popen(
        [sys.executable, str(REPO / "tests/tools/smtp_sink.py"), str(mail), str(smtp_port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert sink.stdout.readline().strip() == b"ready"
    subprocess.run([BIN, "serve", "add-moderator", "load"], cwd=folder, input=PASSWORD.encode(), check=True,
                   stdout=subprocess.DEVNULL)
    log = open(tmp / "serve.log", "w")
    server = subprocess.Popen(
        [BIN, "serve", "--listen", f"127.0.0.1:{port}", "--smtp", f"smtp://127.0.0.1:{smtp_port}",
         "--mail-from", "load@example.org", "--sign-limit", "none"],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if request(base, "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    results = {}
    try:
        count = args.rate * args.seconds

        # oha takes a random line for each request: ten lines a request
        # keep most addresses new.
        def bodies(name, first, n):
            path = tmp / name
            with open(path, "w") as f:
                for i in range(first, first + 10 * n):
                    f.write(urllib.parse.urlencode({
                        "name": f"Load Signer {i}", "kind": "individual", "affiliation": "Load Test",
                        "email": f"signer{i}@example.org", "listed": "yes"}) + "\n")
            return path

        # The first wave: its links are confirmed in the second.
        # Twice as many links as the second wave confirms, so that few of its
        # random picks repeat one.
        waved = 2 * count
        first = bodies("first.txt", 0, waved)
        run = oha(["-m", "POST", "-T", "application/x-www-form-urlencoded", "-Z", str(first), "-n", str(waved),
                   "-c", "32", base + "/sign"], tmp / "first.json")
        run.wait()
        results["first wave of signatures (unlimited rate)"] = summary(tmp / "first.json")
        started = time.time()
        while len(list(mail.glob("*.txt"))) < waved:
            if time.time() - started > 600:
                sys.exit("the e-mails did not all arrive")
            time.sleep(0.5)
        results["e-mails sent per second (outbox to aiosmtpd)"] = round(waved / (time.time() - started), 1)
        tokens = [re.search(r"/confirm\?t=([0-9a-f]{64})", p.read_text()).group(1) for p in sorted(mail.glob("*.txt"))]
        # A queue for the moderator: the first hundred confirmed.
        for token in tokens[:100]:
            request(base, "/confirm", {"t": token})
        confirms = tmp / "confirms.txt"
        confirms.write_text("".join(f"t={t}\n" for t in tokens[100:]))
        second = bodies("second.txt", 10 * waved, count)

        session, csrf = log_in(base)
        stop = threading.Event()
        approvals = []

        def moderate():
            while not stop.is_set():
                _, _, queue = request(base, "/admin", cookie=session)
                key = re.search(r'action="/admin/decide">.*?name="key" value="([0-9a-f]+)"', queue)
                if key:
                    request(base, "/admin/approve-selected", {"csrf": csrf, "key": key.group(1)}, session)
                    approvals.append(time.time())
                stop.wait(1.0)

        moderator = threading.Thread(target=moderate)
        moderator.start()
        time.sleep(3)  # the first rebuild under way
        log.flush()
        rebuilds_before = (tmp / "serve.log").read_text().count("rebuilt the site")
        states_before = states(folder)
        window = time.time()
        sign = oha(["-m", "POST", "-T", "application/x-www-form-urlencoded", "-Z", str(second), "-n", str(count),
                    "-c", "32", "-q", str(args.rate), "--latency-correction", base + "/sign"], tmp / "sign.json")
        confirm = oha(["-m", "POST", "-T", "application/x-www-form-urlencoded", "-Z", str(confirms),
                       "-n", str(count), "-c", "32", "-q", str(args.rate), "--latency-correction",
                       base + "/confirm"], tmp / "confirm.json")
        sign.wait()
        confirm.wait()
        window = time.time() - window
        states_after = states(folder)
        stop.set()
        moderator.join()
        log.flush()
        rebuilds = (tmp / "serve.log").read_text().count("rebuilt the site") - rebuilds_before
        results["signing during rebuilds"] = summary(tmp / "sign.json")
        results["confirming during rebuilds"] = summary(tmp / "confirm.json")
        rows = lambda states: sum(states.values())  # noqa: E731
        confirmed = lambda states: sum(n for k, n in states.items() if k != "pending")  # noqa: E731
        results["new submissions per second (distinct addresses)"] = round(
            (rows(states_after) - rows(states_before)) / window, 1)
        results["submissions confirmed per second (distinct)"] = round(
            (confirmed(states_after) - confirmed(states_before)) / window, 1)
        results["10,000-name rebuilds finished in that window"] = f"{rebuilds} in {window:.1f} s ({len(approvals)} approvals)"
        reads = oha(["-z", "10s", "-c", "50", base + "/"], tmp / "reads.json")
        reads.wait()
        results["reading the letter's page"] = summary(tmp / "reads.json")
        reads = oha(["-z", "10s", "-c", "50", base + "/signatories.json"], tmp / "json.json")
        reads.wait()
        results["reading signatories.json"] = summary(tmp / "json.json")
        results["submissions at the end, by state"] = states(folder)
    finally:
        server.terminate()
        server.wait()
        sink.stdin.close()
        sink.wait()
    print(json.dumps(results, indent=2, ensure_ascii=False))
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Benchmarks openletter against the typst CLI. Needs only public tools:
Python 3, a release build of openletter, and (for the comparisons) the
typst CLI on PATH (`cargo install typst-cli --locked`).

    cargo build --release
    python3 bench/bench.py [--runs 21] > bench-results.md

Prints Markdown: medians of several runs, with the exact commands.
"""

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / "target" / "release" / "openletter"
DATE = "2025-02-13"
STANDARDS = "a-2b,ua-1"


def run_measured(cmd, cwd):
    """Runs a command; returns (seconds, the child's own peak RSS in MiB, stdout, stderr).
    Its output goes to files, so that a long one never fills a pipe."""
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out_file, stderr=err_file)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        out_file.seek(0)
        err_file.seek(0)
        out = out_file.read().decode()
        err = err_file.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{err}")
    return elapsed, usage.ru_maxrss / 1024, out, err


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def signatories(n):
    """A deterministic list of n signatories: one organisation in five."""
    first = ["Ana", "Björn", "Chloé", "Dmitri", "Eleni", "Farah", "György", "Hana", "Ivan", "Zoë"]
    last = ["Andersson", "Bălan", "Costa", "Dąbrowski", "Eriksen", "Fernández", "Horváth",
            "Müller", "Nagy", "Öztürk", "Παπαδάκης", "Смирнов", "Wójcik", "Żak"]
    out = []
    for i in range(n):
        if i % 5 == 0:
            out.append(f'[[organisation]]\nname = "Digital Rights Group {i}"\n'
                       f'url = "https://example.org/{i}"\n')
        else:
            out.append(f'[[individual]]\nname = "{first[i % len(first)]} {last[(i * 7) % len(last)]} {i}"\n'
                       f'affiliation = "University of Somewhere, Department {i % 97}"\n')
    return "\n".join(out)


def project(tmp, name, toml_text=None):
    """A working folder with the letter and a signatories file."""
    folder = tmp / name
    shutil.copytree(REPO / "letter", folder / "letter")
    if toml_text is None:
        shutil.copy(REPO / "signatories.toml", folder / "signatories.toml")
    else:
        (folder / "signatories.toml").write_text(toml_text)
    return folder


def export(folder):
    run_measured([BIN, "export-typst", "exported", "--date", DATE], folder)
    return folder / "exported"


def typst_compile_cmd():
    return ["typst", "compile", "--font-path", "exported/fonts", "--ignore-system-fonts",
            "--pdf-standard", STANDARDS, "exported/main.typ", "typst.pdf"]


def openletter_cmd():
    return [BIN, "build", "--date", DATE, "-o", "openletter.pdf", "--timings"]


def internal_ms(stderr):
    """compile + pdf time that openletter reports with --timings."""
    m = re.search(r"compile ([\d.]+) ms, pdf ([\d.]+) ms", stderr)
    return (float(m.group(1)) + float(m.group(2))) / 1000


def cold_build(tmp, runs, have_typst):
    folder = project(tmp, "cold")
    if have_typst:
        export(folder)
    ours, inside, theirs = [], [], []
    for _ in range(runs):
        t, _, _, err = run_measured(openletter_cmd(), folder)
        ours.append(t)
        inside.append(internal_ms(err))
        if have_typst:
            t, _, _, _ = run_measured(typst_compile_cmd(), folder)
            theirs.append(t)
    print("## Cold build of the letter (109 signatories), whole process\n")
    print(f"Pairs run alternately, {runs} runs each; medians.\n")
    print("| command | median |")
    print("| --- | --- |")
    print(f"| `openletter build --date {DATE} -o openletter.pdf` | {ms(statistics.median(ours))} |")
    if have_typst:
        print(f"| `{' '.join(typst_compile_cmd())}` | {ms(statistics.median(theirs))} |")
    print()
    if have_typst:
        print(f"Ratio openletter / typst CLI: {statistics.median(ours) / statistics.median(theirs):.2f}\n")
    ratio = statistics.median(ours) / statistics.median(inside)
    print(f"Compile + PDF export measured inside openletter (`--timings`): "
          f"{ms(statistics.median(inside))}; whole process / that work: {ratio:.2f}\n")


def scale(tmp, runs, have_typst):
    print("## Signatories at scale, whole process\n")
    print(f"Median of {runs} runs; peak memory is the process's maximum RSS (MiB; 1 MiB = 1.049 MB).\n")
    print("| signatories | openletter time | openletter peak | typst CLI time | typst CLI peak |")
    print("| --- | --- | --- | --- | --- |")
    for n in (100, 1000, 10000):
        folder = project(tmp, f"scale{n}", signatories(n))
        if have_typst:
            export(folder)
        ours, ours_mem, theirs, theirs_mem = [], [], [], []
        for _ in range(runs):
            t, mem, _, _ = run_measured(openletter_cmd(), folder)
            ours.append(t)
            ours_mem.append(mem)
            if have_typst:
                t, mem, _, _ = run_measured(typst_compile_cmd(), folder)
                theirs.append(t)
                theirs_mem.append(mem)
        row = f"| {n:,} | {ms(statistics.median(ours))} | {statistics.median(ours_mem):.1f} MiB |"
        if have_typst:
            row += f" {ms(statistics.median(theirs))} | {statistics.median(theirs_mem):.1f} MiB |"
        else:
            row += " – | – |"
        print(row)
    print()


def publish(tmp, runs, scale_runs):
    """`publish` against `build` of the same letter: into a fresh folder each
    time (the first publication) and over the last site (every later one)."""
    print("## Publishing the web site\n")
    print("`openletter publish site --date 2025-02-13` (every language's page, its PDF, preview, "
          "fonts, signatories.json, counter.svg) against `openletter build` of the same letter; "
          "runs alternate, medians.\n")
    print("| signatories | build | publish, new folder | ratio | publish over the last site | ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    for n, count in ((None, runs), (10000, scale_runs)):
        folder = project(tmp, f"publish{n}", None if n is None else signatories(n))
        built, fresh, again = [], [], []
        run_measured([BIN, "publish", "site", "--date", DATE], folder)
        for i in range(count):
            t, _, _, _ = run_measured(openletter_cmd(), folder)
            built.append(t)
            t, _, _, _ = run_measured([BIN, "publish", f"new{i}", "--date", DATE], folder)
            fresh.append(t)
            shutil.rmtree(folder / f"new{i}")
            t, _, _, _ = run_measured([BIN, "publish", "site", "--date", DATE], folder)
            again.append(t)
        b, f, a = (statistics.median(x) for x in (built, fresh, again))
        label = "109 (the letter)" if n is None else f"{n:,}"
        print(f"| {label} | {ms(b)} | {ms(f)} | {f / b:.2f} | {ms(a)} | {a / b:.2f} |")
    print()


class Watcher:
    """A running watch process whose output lines are collected."""

    def __init__(self, cmd, cwd, pattern):
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.pattern = re.compile(pattern)
        self.times = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            m = self.pattern.search(line)
            if m:
                arrived = time.perf_counter()
                with self.cond:
                    self.times.append((float(m.group(1)), arrived))
                    self.cond.notify_all()

    def wait_for(self, count, timeout=30):
        with self.cond:
            if not self.cond.wait_for(lambda: len(self.times) >= count, timeout):
                sys.exit("watch printed no rebuild line in time")
            return self.times[count - 1]

    def rebuild_after(self, edit):
        """Makes an edit and returns the time of the rebuild it caused as
        the watcher reports it (the first one reported after the edit; a
        watcher may report more), and the time from the save to that line,
        which both watchers print once the new PDF is in place: noticing
        the change included."""
        before = len(self.times)
        saved = time.perf_counter()
        edit()
        took, arrived = self.wait_for(before + 1)
        # Let any further events settle before the next edit; a random part
        # so that edits fall anywhere in a polling watcher's cycle.
        time.sleep(0.3 + random.random() * 0.1)
        return took, (arrived - saved) * 1000

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def replace_file(path, text):
    """Saves as editors do: a new file renamed over the old one."""
    if text == path.read_text():
        sys.exit(f"benchmark bug: an edit of {path} changed nothing")
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(text)
    os.replace(tmp, path)


def edits(text_file, data_edit, runs, watcher):
    """Alternates a one-word text edit and a one-signatory edit."""
    text_times, sig_times = [], []
    words = ["demand", "request"]
    for i in range(runs):
        main = text_file.read_text()
        old, new = f"rescind its {words[i % 2]}", f"rescind its {words[(i + 1) % 2]}"
        text_times.append(watcher.rebuild_after(lambda: replace_file(text_file, main.replace(old, new, 1))))
        sig_times.append(watcher.rebuild_after(lambda: data_edit(i)))
    medians = lambda times, k: statistics.median(t[k] for t in times)
    # (reported rebuild, save to PDF) for the text, then for a signatory.
    return (medians(text_times, 0), medians(text_times, 1)), (medians(sig_times, 0), medians(sig_times, 1))


def watch(tmp, runs, have_typst):
    print("## Rebuilds in `watch`\n")
    print(f"Median of {runs} edits of each kind, alternating, each saved as editors do (a new")
    print("file renamed over the old); the time each watcher reports for the rebuild it")
    print("caused: compile, PDF export and write (openletter's also includes re-reading and")
    print("validating the inputs and regenerating the data); and, as a user waits, the time")
    print("from the save to the watcher's line, printed once the new PDF is in place:")
    print("noticing the change, the rebuild and writing.\n")
    folder = project(tmp, "watch")
    # Exported before any edit, so both watchers start from the same text.
    exported = export(folder) if have_typst else None
    toml = folder / "signatories.toml"
    original = toml.read_text()

    def edit_signatory(i):
        replace_file(toml, original.replace('affiliation = "Brave"', f'affiliation = "Brave {i}"'))

    # The first build's line ("first build: … ms") counts as line 1.
    ours = Watcher([BIN, "watch", "--date", DATE, "-o", "openletter.pdf"], folder,
                   r"(?:first build|changed): .* ([\d.]+) ms →")
    ours.wait_for(1)
    time.sleep(0.3)
    text, sig = edits(folder / "letter" / "main.typ", edit_signatory, runs, ours)
    ours.stop()
    rows = [("openletter watch", text, sig)]

    if have_typst:
        data = exported / "data.json"
        data_original = data.read_text()

        def edit_data(i):
            replace_file(data, data_original.replace('"affiliation": "Brave"', f'"affiliation": "Brave {i}"'))

        theirs = Watcher(["typst", "watch", "--font-path", "exported/fonts", "--ignore-system-fonts",
                          "--pdf-standard", STANDARDS, "exported/main.typ", "typst.pdf"], folder,
                         r"compiled (?:successfully|with warnings) in ([\d.]+)\s*ms")
        theirs.wait_for(1)
        time.sleep(0.3)
        text_t, sig_t = edits(exported / "main.typ", edit_data, runs, theirs)
        theirs.stop()
        rows.append(("typst watch (exported project)", text_t, sig_t))

    print("| watcher | one word: save → PDF | one word: rebuild | one signatory: save → PDF | one signatory: rebuild |")
    print("| --- | --- | --- | --- | --- |")
    for name, text, sig in rows:
        print(f"| {name} | {text[1]:.1f} ms | {text[0]:.1f} ms | {sig[1]:.1f} ms | {sig[0]:.1f} ms |")
    print()


def list_edits(tmp, runs):
    """`signatories add`, `edit` and `remove` on long lists: each a whole
    process, on a fresh copy of the list each run (issue 16, item 9)."""
    print("## Editing a long list: add, edit, remove (#16)\n")
    print(f"Whole process, median of {runs} runs each; every run starts from the same list.\n")
    print("| signatories | `add` | `edit` | `remove` |")
    print("| --- | --- | --- | --- |")
    for n in (10_000, 100_000):
        text = signatories(n)
        folder = project(tmp, f"edits-{n}", text)
        path = folder / "signatories.toml"
        times = {"add": [], "edit": [], "remove": []}
        for i in range(runs):
            path.write_text(text)
            name = f"Newcomer Person {i}"
            commands = {
                "add": ["add", "--individual", name, "--affiliation", "Somewhere"],
                "edit": ["edit", name, "--affiliation", "Elsewhere"],
                "remove": ["remove", name],
            }
            for what, args in commands.items():
                elapsed, _, _, _ = run_measured([BIN, "signatories", *args], folder)
                times[what].append(elapsed)
        print(f"| {n:,} | " + " | ".join(ms(statistics.median(times[w])) for w in times) + " |")
    print()


def form_export(n):
    """A form export of n rows, as Google Forms writes one: a timestamp, an
    address, the name and an affiliation."""
    rows = ["Timestamp,Email address,Full name,Affiliation"]
    for i in range(n):
        rows.append(f"2025-02-14 {i // 3600 % 24:02}:{i // 60 % 60:02}:{i % 60:02},"
                    f"person{i}@example.org,Person Number{i} Formed,University {i % 97}")
    return "\n".join(rows) + "\n"


def imports(tmp, runs):
    """`signatories import` of a form export into a project with an empty
    list and no ledger, then the same export again (every row seen before)
    (issue 17); and the ledger's size."""
    print("## Importing form exports with the ledger (#17)\n")
    print(f"Whole process, median of {runs} runs each; every first import starts from an empty list "
          "and no ledger.\n")
    print("| rows | first import | the same rows again | ledger size |")
    print("| --- | --- | --- | --- |")
    for n in (10_000, 100_000):
        folder = tmp / f"imports-{n}"
        folder.mkdir()
        (folder / "form.csv").write_text(form_export(n))
        first, again, size = [], [], 0
        for _ in range(runs):
            shutil.rmtree(folder / ".openletter", ignore_errors=True)
            (folder / "signatories.toml").write_text("")
            t, _, _, _ = run_measured([BIN, "signatories", "import", "form.csv"], folder)
            first.append(t)
            t, _, _, _ = run_measured([BIN, "signatories", "import", "form.csv"], folder)
            again.append(t)
            size = (folder / ".openletter" / "ledger.sqlite").stat().st_size
        print(f"| {n:,} | {ms(statistics.median(first))} | {ms(statistics.median(again))} | "
              f"{size / 1024 / 1024:.1f} MiB |")
    print()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--scale-runs", type=int, default=5)
    parser.add_argument("--watch-runs", type=int, default=21)
    parser.add_argument("--edit-runs", type=int, default=7)
    parser.add_argument("--import-runs", type=int, default=5)
    parser.add_argument("--only", choices=["publish", "watch", "edits", "imports"], help="run one part only")
    args = parser.parse_args()
    if not BIN.exists():
        sys.exit("build first: cargo build --release")
    have_typst = shutil.which("typst") is not None
    version = subprocess.run(["typst", "--version"], capture_output=True, text=True).stdout.strip() if have_typst else "not installed"
    print(f"# openletter benchmarks\n")
    print(f"- date: {time.strftime('%Y-%m-%d')}")
    print(f"- machine: {os.cpu_count()} cores, {os.uname().machine}, {os.uname().sysname} {os.uname().release}")
    print(f"- openletter: `{BIN.relative_to(REPO)}` (release build); typst CLI: {version}")
    print(f"- PDF standards on both sides: {STANDARDS}\n")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.only == "publish":
            publish(tmp, args.runs, args.scale_runs)
            return
        if args.only == "watch":
            watch(tmp, args.watch_runs, have_typst)
            return
        if args.only == "edits":
            list_edits(tmp, args.edit_runs)
            return
        if args.only == "imports":
            imports(tmp, args.import_runs)
            return
        cold_build(tmp, args.runs, have_typst)
        scale(tmp, args.scale_runs, have_typst)
        publish(tmp, args.runs, args.scale_runs)
        watch(tmp, args.watch_runs, have_typst)
        list_edits(tmp, args.edit_runs)
        imports(tmp, args.import_runs)


if __name__ == "__main__":
    main()

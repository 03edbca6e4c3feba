"""Turns the raw outputs of scripts/bench (in OUT/raw) into the Markdown report on stdout.

    python3 report.py OUT --cores N --seconds S --concurrency "1 16 64" --elapsed SECS --mode full

Standard library only (runs on the system Python)."""

import argparse
import datetime
import json
import platform
import re
import statistics
import subprocess
from pathlib import Path

TARGETS = {
    "msal_vs_python": 20.0,
    "msal_vs_emulator": 0.50,
    "home_vs_bare": 0.55,
    "signins_vs_python": 10.0,
    "rss_100k_sqlite_mb": 100.0,
    "rss_2m_vs_200k": 1.10,
    "export_peak_rss_mb": 150.0,
}


def parse_wrk(path):
    text = path.read_text()
    out = {"rps": None, "p50": None, "p99": None, "requests": 0, "errors": 0}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        out["rps"] = float(m.group(1))
    for pct, key in (("50", "p50"), ("99", "p99")):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if m:
            value = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
            out[key] = value
    m = re.search(r"(\d+) requests in", text)
    if m:
        out["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        out["errors"] += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        # Read errors against gunicorn's sync workers are its closing each connection after one
        # answer; only connect, write and timeout errors are failures.
        out["errors"] += int(m.group(1)) + int(m.group(3)) + int(m.group(4))
        out["read_errors"] = int(m.group(2))
    m = re.search(r"sessions: (\d+) answered 200, (\d+) did not, over (\d+)", text)
    if m:
        out["sessions_ok"], out["sessions_bad"], out["sessions_distinct"] = map(int, m.groups())
    return out


def fmt(value, digits=0):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def ms(value):
    if value is None:
        return "n/a"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def msal_ceiling(load, raw):
    """What `/msal-demo` could reach against the emulator's `/me` on this machine, from CPU per
    request at the top concurrency. When the cores are the limit, requests/s go as the inverse
    of all the CPU one request costs (server, emulator, wrk). An app that did nothing but serve
    the request (the bare handler's CPU) and make the one Graph call (bench_tool graph-calls:
    the app's own client, nothing around it) would cost that much; the app's own CPU per page
    gives what it reaches in the same model."""
    path = raw / "graph-calls.json"
    if not path.exists():
        return None
    calls = json.loads(path.read_text())
    top = max((c for (n, c) in load if n == "graphnote-msal-demo"), default=None)
    need = [("graphnote-msal-demo", top), ("emulator-me", top), ("bare", top)]
    if top is None or any(k not in load or "cpu_us" not in load[k] for k in need):
        return None
    app, me, bare = (load[k]["cpu_us"] for k in need)
    direct = me["server"] + me["wrk"]
    floor = bare["server"] + calls["client_cpu_us_per_call"] + calls["emulator_cpu_us_per_call"] + app["wrk"]
    page = app["server"] + app["emulator"] + app["wrk"]
    return {"c": top, "ceiling": direct / floor, "modelled": direct / page, "floor_us": floor,
            "page_us": page, "direct_us": direct, "client_us": calls["client_cpu_us_per_call"],
            "emulator_call_us": calls["emulator_cpu_us_per_call"], "bare_us": bare["server"]}


def ratio(a, b):
    if not a or not b:
        return None
    return a / b


def verdict(ok):
    return "**met**" if ok else "**missed**"


def machine():
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        rustc = "rustc ?"
    return cpu, platform.release(), rustc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--cores", type=int, required=True)
    ap.add_argument("--seconds", required=True)
    ap.add_argument("--concurrency", required=True)
    ap.add_argument("--elapsed", required=True)
    ap.add_argument("--mode", required=True)
    ap.add_argument("--rounds", default="1")
    ap.add_argument("--load", default="?")
    a = ap.parse_args()
    raw = Path(a.out) / "raw"
    levels = [int(c) for c in a.concurrency.split()]
    names = {
        "graphnote-home": "graphnote `GET /` (signed in)",
        "graphnote-msal-demo": "graphnote `GET /msal-demo` (Graph `/me`)",
        "graphnote-home-warn": "graphnote `GET /` (signed in), `RUST_LOG=warn`",
        "graphnote-msal-demo-warn": "graphnote `GET /msal-demo`, `RUST_LOG=warn`",
        "emulator-me": "emulator `GET /v1.0/me` direct (floor)",
        "bare": "bare axum handler `GET /` (ceiling)",
        "python-home": "Python sample `GET /` (signed in)",
        "python-msal-demo": "Python sample `GET /msal-demo` (Graph `/me`)",
    }
    load = {}
    for name in names:
        for c in levels:
            # Each target's best round (other work on a shared machine only slows a run).
            runs = []
            for path in sorted(raw.glob(f"wrk-{name}-c{c}-r*.txt")):
                run = parse_wrk(path)
                cpu = path.with_name(path.name.replace("wrk-", "cpu-", 1).replace(".txt", ".json"))
                if cpu.exists() and run["requests"]:
                    ticks = json.loads(cpu.read_text())
                    per = 1e6 / ticks["hz"] / run["requests"]
                    run["cpu_us"] = {k: ticks[k] * per for k in ("server", "emulator", "wrk")}
                    # Other processes' share of the machine during the run.
                    ours = ticks["server"] + ticks["emulator"] + ticks["wrk"]
                    run["others"] = max(0, ticks["machine"] - ours) / (ticks["hz"] * ticks["cores"] * float(a.seconds))
                runs.append(run)
            runs = [r for r in runs if r["rps"] is not None]
            if runs:
                best = max(runs, key=lambda r: r["rps"])
                best["rounds"] = [r["rps"] for r in runs]
                best["errors"] = sum(r["errors"] for r in runs)
                load[(name, c)] = best

    def peak(name):
        values = [load[(name, c)]["rps"] for c in levels if (name, c) in load and load[(name, c)]["rps"]]
        return max(values) if values else None

    cpu, kernel, rustc = machine()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = []
    w = lines.append
    w("# graphnote benchmark report")
    w("")
    w(f"{now} · **{a.cores} cores** ({cpu}) · Linux {kernel} · {rustc} · mode `{a.mode}`: "
      f"{a.rounds} round(s) of {a.seconds} s per load run (best round kept), run took {a.elapsed} s · "
      f"load average before / after: {a.load} · everything on loopback on this one machine "
      "(load generator, apps, emulator share the cores) · servers log warnings only (`RUST_LOG=warn`; "
      "gunicorn logs no requests by default)")
    w("")

    # --- targets
    signins = {}
    for app in ("graphnote", "python"):
        path = raw / f"signins-{app}.json"
        if path.exists():
            signins[app] = json.loads(path.read_text())
    memory = {}
    for store in ("sqlite", "redis"):
        path = raw / f"memory-{store}.json"
        if path.exists():
            memory[store] = json.loads(path.read_text())

    w("## Targets (ratios within this run)")
    w("")
    sustained_path = raw / "memory-sustained.json"
    sustained = json.loads(sustained_path.read_text()) if sustained_path.exists() else None

    w("| target | measured | goal | |")
    w("|---|---|---|---|")
    r = ratio(peak("graphnote-msal-demo"), peak("python-msal-demo"))
    if r is not None:
        w(f"| `/msal-demo` req/s vs the Python sample (peak vs peak) | {r:.1f}× | ≥ 20× | {verdict(r >= TARGETS['msal_vs_python'])} |")
    r = ratio(peak("graphnote-msal-demo"), peak("emulator-me"))
    if r is not None:
        w(f"| `/msal-demo` req/s vs the emulator's `/v1.0/me` (peak vs peak) | {r:.0%} | ≥ 50% | {verdict(r >= TARGETS['msal_vs_emulator'])} |")
    ceiling = msal_ceiling(load, raw)
    if ceiling:
        w(f"| `/msal-demo` vs `/v1.0/me`: this machine's ceiling, from CPU per request (c={ceiling['c']}) "
          f"| {ceiling['ceiling']:.0%} (the app's CPU gives {ceiling['modelled']:.0%}) | app at ≥ 80% of it "
          f"| {verdict(ceiling['modelled'] >= 0.8 * ceiling['ceiling'])} |")
    r = ratio(peak("graphnote-home"), peak("bare"))
    if r is not None:
        w(f"| signed-in `/` req/s vs a bare axum handler (peak vs peak; the app at its default log level) | {r:.0%} | ≥ 55% | {verdict(r >= TARGETS['home_vs_bare'])} |")
    r_warn = ratio(peak("graphnote-home-warn"), peak("bare"))
    r_logs = ratio(peak("graphnote-home"), peak("graphnote-home-warn"))
    if r_warn is not None and r_logs is not None:
        w(f"| the same app with `RUST_LOG=warn` (no request lines) vs bare | {r_warn:.0%} | | |")
        w(f"| signed-in `/`: default log level vs `warn` | {r_logs:.0%} | ≥ 90% | {verdict(r_logs >= 0.9)} |")
    r = ratio(peak("graphnote-msal-demo"), peak("graphnote-msal-demo-warn"))
    if r is not None:
        w(f"| `/msal-demo`: default log level vs `warn` | {r:.0%} | ≥ 90% | {verdict(r >= 0.9)} |")
    if "graphnote" in signins and "python" in signins:
        r = ratio(signins["graphnote"]["per_sec"], signins["python"]["per_sec"])
        if r is not None:
            w(f"| sign-ins/s vs the Python sample | {r:.1f}× | ≥ 10× | {verdict(r >= TARGETS['signins_vs_python'])} |")
    if "sqlite" in memory and "rss_kb_100000" in memory["sqlite"]:
        mb = memory["sqlite"]["rss_kb_100000"] / 1024
        w(f"| RSS with 100k sessions in SQLite | {mb:.1f} MB | < 100 MB | {verdict(mb < TARGETS['rss_100k_sqlite_mb'])} |")
    if sustained:
        r = ratio(sustained["rss_kb_2m"], sustained["rss_kb_200k"])
        if r is not None:
            w(f"| RSS after 2M requests vs after 200k, nobody reading `/metrics` | {r:.2f}× "
              f"({sustained['rss_kb_2m'] / 1024:.1f} vs {sustained['rss_kb_200k'] / 1024:.1f} MB) "
              f"| ≤ 1.10× | {verdict(r <= TARGETS['rss_2m_vs_200k'])} |")
    w("")

    # --- load
    w("## Requests (wrk, 2 threads; keep-alive, except that gunicorn's sync workers close each connection)")
    w("")
    w("| what | conc. | req/s | p50 ms | p99 ms | errors | ratio | CPU µs/req: server · emulator · wrk | others' CPU | req/s per round |")
    w("|---|---:|---:|---:|---:|---:|---|---|---:|---|")
    for name, label in names.items():
        for c in levels:
            if (name, c) not in load:
                continue
            d = load[(name, c)]
            note = ""
            if name == "graphnote-msal-demo":
                parts = []
                for base, word in (("python-msal-demo", "× Python"), ("emulator-me", "of emulator")):
                    b = load.get((base, c), {}).get("rps")
                    rr = ratio(d["rps"], b)
                    if rr is not None:
                        parts.append(f"{rr:.1f}{word}" if "×" in word else f"{rr:.0%} {word}")
                note = ", ".join(parts)
            elif name == "graphnote-home":
                parts = []
                for base, word in (("python-home", "× Python"), ("bare", "of bare")):
                    b = load.get((base, c), {}).get("rps")
                    rr = ratio(d["rps"], b)
                    if rr is not None:
                        parts.append(f"{rr:.1f}{word}" if "×" in word else f"{rr:.0%} {word}")
                note = ", ".join(parts)
            rounds = " / ".join(fmt(r) for r in d.get("rounds", []))
            cpu = d.get("cpu_us")
            cpu_text = "n/a"
            if cpu:
                emu = f"{cpu['emulator']:.0f}" if cpu["emulator"] else "–"
                cpu_text = f"{cpu['server']:.0f} · {emu} · {cpu['wrk']:.0f}"
            others = f"{d['others']:.0%}" if "others" in d else "n/a"
            w(f"| {label} | {c} | {fmt(d['rps'])} | {ms(d['p50'])} | {ms(d['p99'])} | {d['errors']} | {note} "
              f"| {cpu_text} | {others} | {rounds} |")
    w("")
    w("CPU µs/req: CPU time per request of the server measured (graphnote, the emulator, the bare "
      "handler or gunicorn's master and workers), of the emulator behind it (for `/msal-demo`), and of "
      "wrk, in the kept round; others' CPU: the share of the machine used by processes outside the "
      "benchmark during that run (a shared machine).")
    w("")
    if ceiling:
        w(f"`/msal-demo`'s ceiling at c={ceiling['c']}: the emulator's `/me` served directly costs "
          f"{ceiling['direct_us']:.0f} µs of CPU per request (emulator and wrk). A page can cost no less than "
          f"serving a request ({ceiling['bare_us']:.0f} µs, the bare handler) plus one Graph call through the "
          f"app's client ({ceiling['client_us']:.0f} µs, bench_tool graph-calls) and the emulator's answer to it "
          f"({ceiling['emulator_call_us']:.0f} µs) plus wrk: {ceiling['floor_us']:.0f} µs, so at most "
          f"{ceiling['ceiling']:.0%} of `/me`'s rate. graphnote's page costs {ceiling['page_us']:.0f} µs "
          f"(app, emulator, wrk): {ceiling['modelled']:.0%} in the same model.")
        w("")
    calls = raw / "emulator-calls-per-10-msal-demo.json"
    if calls.exists():
        data = json.loads(calls.read_text())
        w("Emulator requests behind 10 sequential `/msal-demo` pages (from the emulator's request log):")
        for app, counts in data.items():
            text = ", ".join(f"`{k}` ×{v}" for k, v in sorted(counts.items())) or "none"
            w(f"- {app}: {text}")
        w("")

    # --- sign-ins
    if signins:
        w("## Complete sign-ins (16 in flight)")
        w("")
        w("`/login` → emulator authorize (sign-in form) → form post → the app's redirect URI "
          "(code redeemed, ID token validated, session stored) → `/` answers 200.")
        w("")
        w("| app | sign-ins/s | p50 ms | p99 ms | ok | failed | app CPU ms/sign-in | emulator CPU ms/sign-in | driver CPU ms/sign-in | others' CPU |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for app, label in (("graphnote", "graphnote"), ("python", "Python sample")):
            if app not in signins:
                continue
            s = signins[app]
            w(f"| {label} | {fmt(s['per_sec'], 1)} | {ms(s['p50_ms'])} | {ms(s['p99_ms'])} | {s['ok']} | {s['failed']} "
              f"| {fmt(s.get('app_cpu_ms_per_sign_in'), 2)} | {fmt(s.get('emulator_cpu_ms_per_sign_in'), 2)} "
              f"| {fmt(s.get('driver_cpu_ms_per_sign_in'), 2)} | {s.get('others', 0):.0%} |")
        if "graphnote" in signins and "python" in signins:
            g, p = (signins[k].get("app_cpu_ms_per_sign_in") for k in ("graphnote", "python"))
            if g and p:
                w("")
                w(f"App CPU per sign-in: the Python sample spends {p / g:.0f}× graphnote's.")
        for app in signins:
            if signins[app].get("first_error"):
                w(f"\n{app}: first failure: `{signins[app]['first_error'][:200]}`")
        w("")

    # --- memory
    if memory:
        w("## Memory (graphnote RSS from /proc; a fresh process per store)")
        w("")
        w("| store | RSS idle | RSS 10k sessions | RSS 100k sessions | store bytes/session | `GET /` over 1000 of the 100k sessions |")
        w("|---|---:|---:|---:|---:|---|")
        for store, m in memory.items():
            per = None
            if "store_bytes_100000" in m:
                per = (m["store_bytes_100000"] - m.get("store_bytes_0", 0)) / 100000
            sess = raw / f"wrk-sessions-{store}-100000.txt"
            sess_text = "n/a"
            if sess.exists():
                d = parse_wrk(sess)
                sess_text = (f"{fmt(d['rps'])} req/s, p99 {ms(d['p99'])} ms, "
                             f"{d.get('sessions_ok', 0)} × 200, {d.get('sessions_bad', '?')} other")
            w(f"| {store} | {m['idle_kb'] / 1024:.1f} MB | {m.get('rss_kb_10000', 0) / 1024:.1f} MB "
              f"| {m.get('rss_kb_100000', 0) / 1024:.1f} MB | {fmt(per)} | {sess_text} |")
        w("")
        w("Sessions: one real sign-in through the app, then N more saved through the app's own session "
          "code (`bench_tool seed-sessions`): the same user and token cache, sealed under each new id, "
          "a new provider `sid` each. Store size: SQLite pages in use; Redis `used_memory` growth.")
        w("")

    if sustained:
        w("## Memory under sustained load (graphnote RSS, nobody reading `/metrics`)")
        w("")
        w("| idle | after 200k requests | after 2M requests | answers not 2xx |")
        w("|---:|---:|---:|---:|")
        w(f"| {sustained['idle_kb'] / 1024:.1f} MB | {sustained['rss_kb_200k'] / 1024:.1f} MB "
          f"({fmt(sustained.get('requests_200k'))} requests) | {sustained['rss_kb_2m'] / 1024:.1f} MB "
          f"({fmt(sustained.get('requests_2m'))} requests) | {sustained.get('not_2xx', 'n/a')} |")
        w("")
        w("Half `/healthz`, half a signed-in `GET /`, 16 connections; RSS read from /proc right after each run.")
        w("")

    # --- exports
    paced_path, big_path = raw / "export-paced.json", raw / "export-big.json"
    if paced_path.exists() or big_path.exists():
        w("## Exports")
        w("")
    if paced_path.exists():
        p = json.loads(paced_path.read_text())
        st, limit = p["status"], p["per_minute_limit"]
        minutes = p["wall_seconds"] / 60
        items = st["pages_done"] + st["resources_done"]
        per_page = st["calls"] / max(st["pages_done"], 1)
        idle, during = p["page_views_idle_ms"], p["page_views_during_ms"]
        w(f"Katherine's export-sized notebook, OneNote's per-minute limit L = {limit} on the emulator "
          "and on the app alike (the app keeps a twentieth of each window for page views):")
        w("")
        w("| pages | resources | calls | calls/page | wall time | calls/min ÷ L | pages+resources/min ÷ L | throttled |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|")
        w(f"| {st['pages_done']} | {st['resources_done']} | {st['calls']} | {per_page:.2f} "
          f"| {p['wall_seconds']:.1f} s | {st['calls'] / minutes / limit:.2f} "
          f"| {items / minutes / limit:.2f} | {st['throttled_seconds']} s |")
        w("")
        if idle and during:
            w(f"A page view (`/onenote/pages/{{id}}`) before the export: median {statistics.median(idle):.1f} ms; "
              f"during it ({len(during)} views): median {statistics.median(during):.1f} ms, slowest {max(during):.1f} ms.")
            w("")
    if big_path.exists():
        b = json.loads(big_path.read_text())
        st, dl = b["status"], b["download"]
        mb = lambda kb: kb / 1024
        w(f"A notebook whose attachments total {st['bytes'] / 1e6:.0f} MB (`bench/export-seed.toml`): "
          f"{st['pages_done']} pages, {st['resources_done']} resources, exported in {b['wall_seconds']:.1f} s; "
          f"the zip ({dl['bytes'] / 1e6:.0f} MB) downloaded in {dl['seconds']:.1f} s.")
        w("")
        w("| graphnote RSS | idle | peak while exporting | peak while serving the zip | goal |")
        w("|---|---:|---:|---:|---|")
        ok = max(b["peak_export_kb"], b["peak_download_kb"]) / 1024 < TARGETS["export_peak_rss_mb"]
        w(f"| VmHWM | {mb(b['idle_kb']):.1f} MB | {mb(b['peak_export_kb']):.1f} MB "
          f"| {mb(b['peak_download_kb']):.1f} MB | < 150 MB {verdict(ok)} |")
        w("")
        zipping, other = b.get("probe_while_zipping_ms"), b.get("probe_otherwise_ms")
        if zipping and other and zipping.get("n"):
            w("A signed-in page that calls nothing (`/onenote/exports`), asked every 50 ms during that export, "
              "while the app wrote the zip and otherwise:")
            w("")
            w("| while | requests | p50 | p99 | slowest |")
            w("|---|---:|---:|---:|---:|")
            for label, s in (("writing the zip", zipping), ("the rest of the export", other)):
                w(f"| {label} | {s['n']} | {s['p50']:.1f} ms | {s['p99']:.1f} ms | {s['max']:.1f} ms |")
            w("")

    # --- converter
    conv = raw / "convert.txt"
    if conv.exists():
        rates = {}
        for line in conv.read_text().splitlines():
            m = re.match(r"([\w-]+): ([\d.]+) MB/s over (\d+) bytes", line)
            if m:
                rates[m.group(1)] = float(m.group(2))
        w("## Markdown converter (onenote-md's corpus, one core)")
        w("")
        w("htmd runs in the same process as onenote-md, in alternating rounds; the Python")
        w("converters run after them, on the same pages.")
        w("")
        w("| converter | MB/s | onenote-md ÷ converter |")
        w("|---|---:|---:|")
        base = rates.get("onenote-md")
        for name, rate in rates.items():
            rel = "" if name == "onenote-md" else f"{base / rate:.2f}×" if base else ""
            w(f"| {name} | {rate:.2f} | {rel} |")
        w("")
    # --- OneNote's own files
    files_path = raw / "files.json"
    if files_path.exists():
        f = json.loads(files_path.read_text())
        best = lambda runs: min(runs, key=lambda r: r["wall"])
        parse, conv = best(f["runs"]["parse_only"]), best(f["runs"]["convert"])
        data = best(f["runs"]["parse_and_data"]) if f["runs"].get("parse_and_data") else None
        mb = f["bytes"] / 1e6
        w("## OneNote's own files (`graphnote convert`)")
        w("")
        w(f"A notebook of {f['sections']} sections ({f['copies']} copies of the vendored sections made "
          f"by OneNote), {f['pages']} pages, {mb:.0f} MB; best of {len(f['runs']['convert'])} round(s), "
          f"each run its own process under GNU time (CPU above 100% means both cores worked); the vault "
          f"written to {f.get('vault_on', 'disk')}.")
        w("")
        w("| run | wall | pages/s | MB/s | peak RSS | CPU | throughput ÷ parse alone |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        rows = [("onenote_parser, parse alone (the floor)", parse)]
        if data:
            rows.append(("onenote_parser, parse and every picture's and file's bytes read", data))
        rows.append(("graphnote convert (the vault)", conv))
        for label, r in rows:
            rel = parse["wall"] / r["wall"] if r["wall"] else 0
            w(f"| {label} | {r['wall']:.2f} s | {f['pages'] / r['wall']:.0f} | {mb / r['wall']:.1f} "
              f"| {r['rss_kb'] / 1024:.0f} MB | {r['cpu']:.0f}% | {rel:.2f} |")
        w("")
        calls = f["pages_in_vault"] + f["graph_resources"]
        hours = calls / (400 * 0.75)
        ok_ratio = parse["wall"] / conv["wall"] >= 0.5
        ok_rss = conv["rss_kb"] / 1024 < 200
        w(f"Goals: the conversion at ≥ 0.5 of parse-only throughput {verdict(ok_ratio)}; peak RSS under 200 MB "
          f"{verdict(ok_rss)}.")
        w("")
        w(f"The same notebook through Graph: {f['pages_in_vault']} page calls and {f['graph_resources']} resource "
          f"calls, at the export's share of OneNote's 400 requests an hour (three quarters, 300 an hour) — "
          f"about {hours:.1f} hours, against {conv['wall']:.0f} s from its files.")
        w("")
        fast_path = raw / "export-fast.json"
        if fast_path.exists():
            x = json.loads(fast_path.read_text())
            c = x.get("calls", {})
            w("## Fast export (the same notebook in a drive, through Graph)")
            w("")
            w(f"The notebook above, held in the emulator's drive and served by its page API too, exported "
              f"by `graphnote serve` with **Fast export** (the notebook's files through the drive API, "
              f"converted by the file reader): **{x['wall_seconds']:.1f} s** from the start form to the "
              f"finished zip, with {c.get('onenote', 0)} OneNote call(s) (the notebook list), "
              f"{c.get('onenote_pages', 0)} OneNote page call(s), {c.get('drive', 0)} drive API calls "
              f"({c.get('listings', 0)} listings, {c.get('contents', 0)} content calls) and "
              f"{c.get('downloads', 0)} downloads ({mb:.0f} MB of sections); "
              f"{x['status'].get('pages_done', 0)} pages in the vault. The page-by-page export of the same "
              f"notebook needs {calls} OneNote calls: about {hours:.1f} hours at the export's share of "
              f"OneNote's limits ({hours * 3600 / max(x['wall_seconds'], 0.001):.0f}× the fast export's "
              f"wall time).")
            w("")
    mcp_path = raw / "mcp.json"
    if mcp_path.exists():
        m = json.loads(mcp_path.read_text())
        w("## MCP server (`read_page` against the `.md` download)")
        w("")
        w(f"One page with files ({m['page_bytes']} bytes of Markdown), read {m['n']} times each way, "
          f"alternately, by a client connected through graphnote's OAuth flow: the `.md` download "
          f"**{m['md_median_ms']:.2f} ms** (mean {m['md_mean_ms']:.2f}), `read_page` through `/mcp` "
          f"**{m['mcp_median_ms']:.2f} ms** (mean {m['mcp_mean_ms']:.2f}): "
          f"**{m['mcp_over_md']:.2f}×** the download's median. Both make the same two OneNote calls "
          f"and the same conversion; the rest is the bearer token's checks in the store and JSON-RPC.")
        w("")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

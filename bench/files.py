"""scripts/bench's file section: a large notebook made by copying the vendored OneNote sections
(crates/onenote-files/tests/files) until it holds at least 2,000 pages and 200 MB, then, in
alternating rounds, onenote_parser's parse alone (the floor: examples/parse_only), the parse with
every picture's and file's bytes read (`--read-data`: what a conversion cannot skip), and
`graphnote convert` of the same folder, each in its own process under GNU time (wall seconds,
peak RSS, CPU use: above 100% means both cores were busy). Prints one JSON object.

    python3 bench/files.py WORK GRAPHNOTE PARSE_ONLY ROUNDS

The notebook stays in WORK/files/Big Notebook for scripts/bench's fast-export run.
"""
import json
import math
import pathlib
import shutil
import subprocess
import sys

MIN_PAGES, MIN_BYTES = 2000, 200_000_000


def timed(command):
    """(wall seconds, peak RSS in kB, CPU percent, stdout) of one run of `command`."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M %P"] + command,
                         capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({out.returncode}): {out.stderr[-2000:]}")
    wall, rss, cpu = out.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss), float(cpu.rstrip("%")), out.stdout


def main():
    work, graphnote, parse_only, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    root = pathlib.Path(__file__).resolve().parent.parent
    vendored = root / "crates/onenote-files/tests/files"
    files = pathlib.Path(work) / "files"
    shutil.rmtree(files, ignore_errors=True)
    one_set = json.loads(subprocess.run([parse_only, str(vendored)], capture_output=True,
                                        text=True, check=True).stdout)
    copies = max(math.ceil(MIN_PAGES / one_set["pages"]), math.ceil(MIN_BYTES / one_set["bytes"]))
    notebook = files / "Big Notebook"
    for k in range(copies):
        group = notebook / f"Copy {k + 1:03}"
        group.mkdir(parents=True)
        for n, (path, _pages, _size) in enumerate(one_set["files"]):
            shutil.copyfile(path, group / f"{n:02} {pathlib.Path(path).name}")
    # The vault goes to memory (/dev/shm) when there is room: creating 12,000 files right after
    # deleting the last round's makes ext4 search its inode tables (half the time, measured
    # with perf), which says something about ext4, not about graphnote.
    shm = pathlib.Path("/dev/shm")
    out_root = shm if shm.is_dir() and shutil.disk_usage(shm).free > 3 * one_set["bytes"] * copies else files
    runs = {"parse_only": [], "parse_and_data": [], "convert": []}
    for n in range(rounds):
        wall, rss, cpu, stdout = timed([parse_only, str(notebook)])
        parsed = json.loads(stdout)
        runs["parse_only"].append({"wall": wall, "rss_kb": rss, "cpu": cpu})
        wall, rss, cpu, _ = timed([parse_only, str(notebook), "--read-data"])
        runs["parse_and_data"].append({"wall": wall, "rss_kb": rss, "cpu": cpu})
        vault = out_root / f"graphnote-bench-vault-{n}"
        shutil.rmtree(vault, ignore_errors=True)
        wall, rss, cpu, _ = timed([graphnote, "convert", str(notebook), "--out", str(vault)])
        runs["convert"].append({"wall": wall, "rss_kb": rss, "cpu": cpu})
        manifest = json.loads((vault / "_export/manifest.json").read_text())
        shutil.rmtree(vault, ignore_errors=True)
    resources = sum(len(p["resources"]) for p in manifest["pages"].values())
    attachments = sum(1 for p in manifest["pages"].values() for r in p["resources"] if r["id"])
    json.dump({
        "copies": copies,
        "sections": len(one_set["files"]) * copies,
        "pages": parsed["pages"],
        "bytes": parsed["bytes"],
        "pages_in_vault": len(manifest["pages"]),
        "resources": resources,
        "graph_resources": attachments,
        "runs": runs,
        "vault_on": "tmpfs (/dev/shm)" if out_root == shm else "the work folder's disk",
    }, sys.stdout)


if __name__ == "__main__":
    main()

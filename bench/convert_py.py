"""The Python converters on the same corpus as onenote-md's throughput example, measured the
same way: bytes of HTML converted (file sizes x rounds) over wall time, 1 MB = 1,000,000 bytes.
Rounds repeat until at least SECONDS have passed (default 3).

    python convert_py.py CORPUS_DIR [SECONDS]

prints one line per converter: `markdownify: X.XX MB/s over N bytes`, `html2text: ...`.
"""

import sys
import time
from pathlib import Path

import html2text
import markdownify


def main():
    corpus = Path(sys.argv[1])
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    pages = [p.read_bytes().decode("utf-8", "replace") for p in sorted(corpus.rglob("*.html"))]
    if not pages:
        sys.exit(f"no .html files under {corpus}")
    size = sum(len(p.encode("utf-8")) for p in pages)

    def h2t(html):
        converter = html2text.HTML2Text()
        converter.body_width = 0
        return converter.handle(html)

    def md(html):
        return markdownify.markdownify(html, heading_style="ATX")

    for name, convert in (("markdownify", md), ("html2text", h2t)):
        rounds = 0
        start = time.perf_counter()
        while True:
            for page in pages:
                convert(page)
            rounds += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        total = size * rounds
        print(f"{name}: {total / 1e6 / elapsed:.2f} MB/s over {total} bytes")


if __name__ == "__main__":
    main()

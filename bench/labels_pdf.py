"""Label sheets to PDF: labels/s and peak memory of `write_sheet` for 10,000 labels.

The sheet is written in a child process (`python -m bench.labels_pdf COUNT FILE`),
so that its peak RSS is the sheet's alone. The labels are made one at a time as
the sheet asks for them, with URIs of the real length (a random 16-character
serial, 64 random bytes in place of the signature: signing is not rendering), and
the PDF goes to a file. The time covers making the labels (a few µs each), their
QR codes, the page contents and their compression, and the writes. The child stops
taking labels at its time cap, ending the sheet there, and reports what it wrote.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gi_trace.labels.sheet import LABELS_PER_PAGE, SheetLabel, write_sheet

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class LabelsPdfResult:
    requested: int
    labels: int                # written: fewer when stopped by the time cap
    pages: int
    seconds: float
    pdf_bytes: int
    start_rss_mb: float        # the child once its modules are imported, before the sheet
    peak_rss_mb: float

    @property
    def rate(self) -> float:
        return self.labels / self.seconds if self.seconds > 0 else 0.0

    def details(self) -> str:
        capped = f" (of {self.requested:,}: stopped by the time cap)" if self.labels < self.requested else ""
        return (f"{self.labels:,} labels{capped}, {self.pages:,} A4 pages of {LABELS_PER_PAGE} "
                f"in {self.seconds:.1f} s; "
                f"PDF {self.pdf_bytes / 1e6:,.1f} MB ({self.pdf_bytes / self.labels / 1e3:.1f} kB a label); "
                f"peak RSS {self.peak_rss_mb:,.0f} MB ({self.start_rss_mb:,.0f} MB before the first label); "
                "one process")


def measure(count: int, directory: Path, cap: float) -> LabelsPdfResult:
    """Write a sheet of `count` labels (for `cap` seconds at most) in a child process; what it measured."""
    out = directory / "labels.pdf"
    done = subprocess.run([sys.executable, "-m", "bench.labels_pdf", str(count), str(out), str(cap)],
                          cwd=ROOT, capture_output=True, text=True, timeout=cap + 60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench.labels_pdf failed: {done.stderr.strip()[-800:]}")
    result = LabelsPdfResult(**json.loads(done.stdout.strip().splitlines()[-1]))
    out.unlink(missing_ok=True)
    return result


def labels(count: int, deadline: float) -> Iterator[SheetLabel]:
    for _ in range(count):
        if time.perf_counter() > deadline:
            return
        serial = base64.b32encode(os.urandom(10)).decode()
        signature = base64.urlsafe_b64encode(os.urandom(64)).decode().rstrip("=")
        yield SheetLabel(uri=f"{BASE}/01/06901234567892/10/WC2026-A/21/{serial}?s={signature}",
                         serial=serial, lot="WC2026-A", product_zh="五常大米", product_en="Wuchang Rice",
                         producer_zh="五常市稻花香米业有限公司",
                         producer_en="Wuchang Daohuaxiang Rice Co., Ltd.", uscc="91230184MA1BXYZ12K")


def _status_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process; unlike ru_maxrss, VmHWM does not carry the
    parent's peak over fork and exec."""
    with open("/proc/self/status", encoding="ascii") as status:
        kb = next(line.split()[1] for line in status if line.startswith(f"{field}:"))
    return int(kb) / 1024


def main(argv: list[str]) -> int:
    count, path, cap = int(argv[0]), Path(argv[1]), float(argv[2])
    start_rss = _status_mb("VmRSS")
    taken = [0]

    def counted() -> Iterator[SheetLabel]:
        for label in labels(count, started + cap):
            taken[0] += 1
            yield label

    started = time.perf_counter()
    with path.open("wb") as out:
        pages = write_sheet(counted(), out)
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM")
    print(json.dumps({"requested": count, "labels": taken[0], "pages": pages, "seconds": seconds,
                      "pdf_bytes": path.stat().st_size, "start_rss_mb": start_rss, "peak_rss_mb": peak}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

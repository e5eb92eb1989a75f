"""Bundles stream: writing and reading one holds a record at a time, whatever the log's size."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

from gi_trace.ledger import keys
from gi_trace.ledger.bundle import BundleSource, export_bundle
from gi_trace.ledger.checkpoint import Checkpoint
from gi_trace.ledger.note import NoteSigner
from gi_trace.ledger.record import GENESIS_PREV, Record
from tests.support import Actor

SIGNER = NoteSigner("test.gi-trace/log", keys.generate())


class Synthetic:
    """A genesis, then records of 2 KB (bytes only, made on the fly), and a checkpoint for
    each size: a log no audit would pass, but the same work for a bundle."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.note = Checkpoint(SIGNER.name, size, bytes(32)).sign(SIGNER)
        self.genesis = Actor("cnipa").register_self()

    def latest_checkpoint(self) -> str:
        return self.note

    def records(self) -> Iterator[Record]:
        yield Record.build(0, self.genesis.statement.canonical, self.genesis.signature,
                           GENESIS_PREV)
        for seq in range(1, self.size):
            yield Record(seq, b"x" * 2048, bytes(64), bytes(32), bytes(32))

    def checkpoints(self) -> Iterator[tuple[int, str]]:
        for size in range(1, self.size + 1):
            yield size, self.note

    def sidecars(self) -> None:
        return None


def peak(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def read_all(path: Path) -> None:
    bundle = BundleSource(path)
    for _ in bundle.records():
        pass
    for _ in bundle.checkpoints():
        pass


def test_export_and_read_hold_no_more_for_a_log_ten_times_larger(tmp_path: Path) -> None:
    small, large = Synthetic(500), Synthetic(5000)  # the large one is over 13 MB on disk
    write_small = peak(lambda: export_bundle(small, tmp_path / "small", SIGNER.vkey()))
    write_large = peak(lambda: export_bundle(large, tmp_path / "large", SIGNER.vkey()))
    assert (tmp_path / "large" / "records.jsonl").stat().st_size > 13_000_000
    assert write_large < 2 * write_small + 200_000
    assert write_large < 1_000_000


def test_reading_holds_no_more_for_a_log_ten_times_larger(tmp_path: Path) -> None:
    for name, source in (("small", Synthetic(500)), ("large", Synthetic(5000))):
        export_bundle(source, tmp_path / name, SIGNER.vkey())
    read_small = peak(lambda: read_all(tmp_path / "small"))
    read_large = peak(lambda: read_all(tmp_path / "large"))
    assert read_large < 2 * read_small + 200_000

"""Progress of long document loops: log lines with rate and ETA, plus a tqdm bar on a terminal."""

from __future__ import annotations

import time


class Progress:
    def __init__(self, log, label: str, total: int, bar: bool = False, every_seconds: float = 10.0):
        self.log, self.label, self.total = log, label, total
        self.start = self.last = time.monotonic()
        self.every = every_seconds
        self.bar = None
        if bar and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=label, unit="doc", leave=False)
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(done - self.done)
        self.done = done
        now = time.monotonic()
        if now - self.last >= self.every or done == total:
            self.last = now
            rate = done / max(now - self.start, 1e-9)
            eta = (total - done) / rate if rate else float("inf")
            self.log.info(f"{self.label}: {done}/{total} documents, {rate:.0f} docs/s, ETA {eta:.0f} s")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

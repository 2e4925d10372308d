"""`make bench N=…`: time the real pipeline (`xxgk run`) on N synthetic reports against a reference.

    python -m bench.benchmark --n N [--seed S] [--scaling] [--no-record]
    python -m bench.benchmark --n N --profile K     # cProfile of process_document over K documents, then exit

In one invocation, so that every number comes from the same machine under the same load:
1. corpus: bench/corpus-N from bench.synth (reused when bench/corpus-N/synth.json has the same n and seed);
2. floor (read + UTF-8 decode) and reference mini-pipeline (read, UTF-8 decode, OpenCC t2s, pinyin
   strip, 10 simple regexes) over every file, across 2 processes;
3. `python -m assets.cli run` (what `make run` runs) on a fresh bench/warehouse-N.duckdb: wall time,
   peak memory, Dagster step durations (from its DEBUG log), warehouse size; then a no-change rerun and
   a rerun after 1% of the files changed (the files are restored afterwards);
4. per-stage throughput in this process, one core, on a sample: decode, normalize, extract, load;
5. extraction F1 (bench.evaluate) over the corpus, or its first 2000 documents when larger;
6. with --scaling, one more fresh run with XXGK_WORKERS=1 to compare 1 worker with the default.
Prints a report with PASS/FAIL next to each target and appends a row to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = ROOT / "docs" / "benchmarks.md"
STAGE_SAMPLE = 1000
EVAL_SAMPLE = 2000
REFERENCE_WORKERS = 2
CHANGE_SENTENCE = "\n本年度报告已在本机关门户网站政府信息公开专栏全文发布。\n".encode()

# ------------------------------------------------------------------------------------------------
# Corpus
# ------------------------------------------------------------------------------------------------


def ensure_corpus(n: int, seed: int, root: Path = BENCH) -> Path:
    """bench/corpus-N with raw/ and gold/, generated unless a clean one of the same n and seed exists."""
    corpus = root / f"corpus-{n}"
    marker = corpus / "synth.json"
    want = {"n": n, "seed": seed}
    try:
        reuse = json.loads(marker.read_text()) == want and _count(corpus / "raw") == n
    except (OSError, ValueError):
        reuse = False
    if reuse:
        _say(f"corpus: reusing {corpus}")
        return corpus
    shutil.rmtree(corpus, ignore_errors=True)
    cmd = [sys.executable, "-m", "bench.synth", "--n", str(n), "--out", str(corpus), "--seed", str(seed)]
    subprocess.run(cmd, check=True, cwd=ROOT)
    marker.write_text(json.dumps(want))
    return corpus


def _count(folder: Path) -> int:
    with os.scandir(folder) as entries:
        return sum(1 for _ in entries)


def change_one_percent(corpus: Path, paths: list[Path]) -> dict[Path, bytes]:
    """Append a sentence to 1% of the files (UTF-8 ones, spread evenly); returns the originals.

    The corpus is marked dirty until `restore` runs, so an interrupted benchmark regenerates it.
    """
    marker = corpus / "synth.json"
    marker.write_text(json.dumps({**json.loads(marker.read_text()), "dirty": True}))
    want = max(1, len(paths) // 100)
    step = max(1, len(paths) // want)
    originals: dict[Path, bytes] = {}
    for offset in range(step):
        for path in paths[offset::step]:
            if len(originals) >= want:
                return originals
            data = path.read_bytes()
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            originals[path] = data
            path.write_bytes(data + CHANGE_SENTENCE)
    return originals


def restore(corpus: Path, originals: dict[Path, bytes]) -> None:
    for path, data in originals.items():
        path.write_bytes(data)
    marker = corpus / "synth.json"
    state = json.loads(marker.read_text())
    state.pop("dirty", None)
    marker.write_text(json.dumps(state))


# ------------------------------------------------------------------------------------------------
# Reference mini-pipeline and floor (2 processes)
# ------------------------------------------------------------------------------------------------

REFERENCE_PATTERNS = (
    r"\d+件", r"\d+条", r"申请\d+", r"\d+人次", r"\d+次", r"\d+个", r"\d+元", r"\d+篇", r"\d+期", r"\d{4}年",
)  # fmt: skip
PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)")
_worker: dict = {}


def _reference_init() -> None:
    import opencc_pyo3

    _worker["convert"] = opencc_pyo3.OpenCC("t2s").convert
    _worker["regexes"] = [re.compile(p) for p in REFERENCE_PATTERNS]


def reference_text(data: bytes, convert, regexes) -> int:
    """The reference work on one document: decode, t2s, strip pinyin, run the regexes; returns the match count."""
    text = PINYIN.sub("", convert(data.decode("utf-8", "replace")))
    return sum(len(r.findall(text)) for r in regexes)


def _reference_chunk(paths: list[str]) -> int:
    if not _worker:
        _reference_init()
    convert, regexes = _worker["convert"], _worker["regexes"]
    total = 0
    for path in paths:
        with open(path, "rb") as f:
            total += reference_text(f.read(), convert, regexes)
    return total


def _floor_chunk(paths: list[str]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as f:
            total += len(f.read().decode("utf-8", "replace"))
    return total


def children_cpu() -> float:
    """User + system seconds of every reaped child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_pool(func, paths: list[Path], workers: int = REFERENCE_WORKERS, init=None) -> tuple[float, float]:
    """(wall s, CPU s) to map func over the paths in chunks across `workers` processes, pool start-up included."""
    names = [str(p) for p in paths]
    chunks = [names[i : i + 64] for i in range(0, len(names), 64)]
    cpu, started = children_cpu(), time.perf_counter()
    with multiprocessing.Pool(workers, initializer=init) as pool:
        sum(pool.imap_unordered(func, chunks))
        pool.close()
        pool.join()  # reaped, so their CPU time shows in RUSAGE_CHILDREN
    return time.perf_counter() - started, children_cpu() - cpu


# ------------------------------------------------------------------------------------------------
# The real pipeline as a subprocess: wall time, memory, step durations
# ------------------------------------------------------------------------------------------------


def descendants(root: int) -> list[int]:
    """root and every process below it (one scan of /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def rss_pss_kb(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


class TreeMemory(threading.Thread):
    """Samples the summed RSS and PSS of a process tree twice a second; keeps the peaks (kB) and when."""

    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_rss = self.peak_pss = 0
        self.peak_at = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while True:
            totals = [rss_pss_kb(p) for p in descendants(self.pid)]
            self.peak_rss = max(self.peak_rss, sum(r for r, _ in totals))
            pss = sum(p for _, p in totals)
            if pss > self.peak_pss:
                self.peak_pss, self.peak_at = pss, time.time()
            if self.done.wait(self.every):
                return


_STEP_DONE = re.compile(r'Finished execution of step "([^"]+)" in (\S+)\.\s*$', re.MULTILINE)
_STEP_START = re.compile(r'^(\S+ \S+ [+-]\d{4}) - .*Started execution of step "([^"]+)"', re.MULTILINE)


def parse_duration(text: str) -> float:
    """Seconds from Dagster's format_duration: '0.83ms', '533ms', '5.6s', '4m52s', '1h4m'."""
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    units = {"h": 3600.0, "m": 60.0, "s": 1.0}
    return sum(float(value) * units[unit] for value, unit in re.findall(r"([\d.]+)([hms])", text))


def step_at(log: str, when: float) -> str:
    """The step of a Dagster DEBUG log that had started last at `when` (epoch s; the log has 1 s resolution)."""
    current = "start-up"
    for stamp, key in _STEP_START.findall(log):
        if datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S %z").timestamp() > when:
            break
        current = key
    return current


def step_durations(log: str) -> dict[str, float]:
    """step key -> seconds, from the STEP_SUCCESS lines of a Dagster DEBUG log."""
    steps: dict[str, float] = {}
    for key, duration in _STEP_DONE.findall(log):
        steps[key] = steps.get(key, 0.0) + parse_duration(duration)
    return steps


@dataclass
class Run:
    label: str
    seconds: float
    returncode: int
    cpu_s: float  # user + system seconds of the whole tree (wait4)
    max_rss_mb: float  # largest single process of the tree (wait4's ru_maxrss: exact, but per process)
    tree_rss_mb: (
        float  # peak of the summed RSS of the tree, sampled every 0.5 s (shared pages counted per process)
    )
    tree_pss_mb: float  # the same with PSS (shared pages split between processes): the honest total
    peak_step: str = ""  # the Dagster step running when the tree's PSS peaked
    steps: dict[str, float] = field(default_factory=dict)
    summary: str = ""
    ingest: dict = field(default_factory=dict)
    load_after: float = 0.0

    @property
    def peak_mb(self) -> float:
        return max(self.max_rss_mb, self.tree_pss_mb)


def cli_flags() -> list[str]:
    """--log-level DEBUG (which logs every step's duration) when this CLI accepts it."""
    help_text = subprocess.run(
        [sys.executable, "-m", "assets.cli", "run", "--help"], capture_output=True, text=True, cwd=ROOT
    ).stdout
    return ["--log-level", "DEBUG"] if "--log-level" in help_text else []


def remove_warehouse(warehouse: Path) -> None:
    """The warehouse file and what the pipeline keeps next to it (WAL, staging, Data Docs)."""
    for path in [warehouse, *warehouse.parent.glob(f"{warehouse.stem}.*")]:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def run_cli(label: str, raw: Path, warehouse: Path, log: Path, flags: list[str], workers: int = 0) -> Run:
    """`python -m assets.cli run` with XXGK_RAW_DIR / XXGK_WAREHOUSE (and XXGK_WORKERS) set, its
    Dagster runs recorded in bench/dagster_home (not the project's instance the UI shows)."""
    env = {**os.environ, "XXGK_RAW_DIR": str(raw), "XXGK_WAREHOUSE": str(warehouse),
           "DAGSTER_HOME": str(BENCH / "dagster_home")}  # fmt: skip
    if workers:
        env["XXGK_WORKERS"] = str(workers)
    _say(f"{label}: xxgk run ... (log: {log.relative_to(ROOT)})")
    with open(log, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "assets.cli", "run", *flags],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=err,
        )  # fmt: skip
        sampler = TreeMemory(proc.pid)
        sampler.start()
        out = proc.stdout.read().decode("utf-8", "replace")
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.done.set()
        sampler.join()
    run = Run(
        label=label,
        seconds=seconds,
        returncode=proc.returncode,
        cpu_s=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        tree_rss_mb=sampler.peak_rss / 1024,
        tree_pss_mb=sampler.peak_pss / 1024,
        steps=step_durations(log_text := log.read_text(encoding="utf-8", errors="replace")),
        peak_step=step_at(log_text, sampler.peak_at) if flags else "",
        summary=out.strip(),
        load_after=os.getloadavg()[0],
    )
    if run.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        raise SystemExit(f"bench: {label} failed (exit {run.returncode}):\n" + "\n".join(tail))
    run.ingest = last_ingest_run(warehouse)
    return run


def last_ingest_run(warehouse: Path) -> dict:
    import duckdb

    try:
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            cur = conn.execute("SELECT * FROM ingest_runs ORDER BY started_at DESC, finished_at DESC LIMIT 1")
            row = cur.fetchone()
            return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else {}
    except duckdb.Error:
        return {}


def size_mb(path: Path) -> float:
    files = [path, path.with_name(path.name + ".wal")]
    return sum(p.stat().st_size for p in files if p.exists()) / 1e6


# ------------------------------------------------------------------------------------------------
# In-process per-stage timing, F1, profile
# ------------------------------------------------------------------------------------------------


def stage_times(paths: list[Path], scratch: Path) -> tuple[dict[str, float], int]:
    """CPU seconds per stage over `paths` in this process, caches warmed first: decode, normalize, extract, load."""
    from pipeline import batch
    from pipeline import warehouse as wh
    from pipeline.extract import extract
    from pipeline.ingest import content_id, decode_document
    from pipeline.normalize import normalize
    from pipeline.process import DocumentResult, process_document

    process_document(paths[0].read_bytes(), paths[0].name)  # builds the lazy caches (a one-off per worker)
    times = dict.fromkeys(("decode", "normalize", "extract", "load"), 0.0)
    results, mtimes = [], {}
    clock = time.process_time  # CPU seconds: what one idle core would take, whatever else runs
    for path in paths:
        data = path.read_bytes()
        t0 = clock()
        try:
            decoded = decode_document(data, path.name)
            t1 = clock()
            doc = normalize(decoded.text)
            t2 = clock()
            extraction = extract(doc)
            t3 = clock()
        except Exception:  # noqa: BLE001 - quarantined documents are left out of the sample
            continue
        times["decode"] += t1 - t0
        times["normalize"] += t2 - t1
        times["extract"] += t3 - t2
        results.append(
            DocumentResult(
                report_id=content_id(data), source_file=path.name, content_sha256="", n_bytes=len(data),
                status="parsed", encoding=decoded.encoding, script=doc.script, normalized=doc, extraction=extraction,
            )
        )  # fmt: skip
        mtimes[path.name] = 0
    stage = batch.Stage(scratch / "stage")
    stage.reset()
    t0 = clock()
    stage.write(0, batch.to_arrow(results, mtimes, "bench"))
    times["load"] = clock() - t0
    with wh.connect(scratch / "load.duckdb") as conn:
        wh.ensure_schema(conn)
        t0 = clock()
        wh.replace_documents(conn, {n: stage.glob(n) for n in batch.STAGED_TABLES if stage.has(n)}, [])
        times["load"] += clock() - t0
    return times, len(results)


def extraction_f1(corpus: Path, limit: int = EVAL_SAMPLE) -> tuple[dict, int]:
    """bench.evaluate over the corpus, or over its first `limit` documents by name (a fixed sample)."""
    from bench.evaluate import evaluate

    golds = sorted((corpus / "gold").glob("*.json"))
    with tempfile.TemporaryDirectory(dir=corpus) as tmp, open(os.devnull, "w") as sink:
        gold_dir = corpus / "gold"
        if len(golds) > limit:
            gold_dir = Path(tmp)
            for path in golds[:limit]:
                (gold_dir / path.name).symlink_to(path)
        return evaluate([(corpus / "raw", gold_dir)], out=sink), min(limit, len(golds))


def profile(paths: list[Path], top: int = 15) -> None:
    import cProfile
    import pstats

    from pipeline.process import process_document

    process_document(paths[0].read_bytes(), paths[0].name)
    docs = [(p.read_bytes(), p.name) for p in paths]
    profiler = cProfile.Profile()
    profiler.enable()
    for data, name in docs:
        process_document(data, name)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


# ------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------


@dataclass
class Results:
    n: int
    floor_s: float
    reference_s: float
    reference_cpu_s: float
    first: Run
    nochange: Run
    changed: Run
    n_changed: int
    warehouse_mb: float
    stages: dict[str, float]
    stage_docs: int
    f1: dict
    f1_docs: int
    single: Run | None = None
    workers: int = 0
    load_start: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def ratio(self) -> float:
        return self.first.seconds / self.reference_s

    @property
    def cpu_ratio(self) -> float:
        return self.first.cpu_s / self.reference_cpu_s


def targets(r: Results) -> list[tuple[str, bool | None, str]]:
    """(target, passed or None when not measured, observed) for the scale of r.n (10k limits up to 10,000)."""
    big = r.n > 10_000
    rerun_limit, rss_limit = (60, 2048) if big else (15, 1536)
    rows = [
        ("full run ≤ 8× reference", r.ratio <= 8, f"{r.ratio:.1f}×"),
        ("  stretch: ≤ 4× reference", r.ratio <= 4, f"{r.ratio:.1f}×"),
        (
            f"no-change rerun ≤ {rerun_limit} s",
            r.nochange.seconds <= rerun_limit,
            f"{r.nochange.seconds:.1f} s",
        ),
        (f"peak memory ≤ {rss_limit / 1024:g} GB", r.first.peak_mb <= rss_limit, f"{r.first.peak_mb:.0f} MB"),
    ]
    if r.single is None:
        rows.append(("2 workers ≥ 1.6× over 1", None, "not measured (run with --scaling)"))
    else:
        speedup = _parse_s(r.single) / _parse_s(r.first)
        rows.append(
            (
                "2 workers ≥ 1.6× over 1",
                speedup >= 1.6,
                f"parse step {speedup:.2f}× ({_parse_s(r.single):.1f} s -> {_parse_s(r.first):.1f} s, "
                f"{r.workers} workers), whole run {r.single.seconds / r.first.seconds:.2f}×, "
                f"CPU s {r.single.cpu_s:.0f} with 1 worker vs {r.first.cpu_s:.0f}",
            )
        )
    return rows


def _parse_s(run: Run) -> float:
    return run.steps.get("parse_reports", run.seconds)


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.1f} docs/s" if seconds > 0 else "      n/a"


def report(r: Results) -> str:
    f = r.first
    lines = [
        f"== xxgk benchmark: N={r.n}, {machine()}",
        f"load average (1/5/15 min) at start: {' / '.join(f'{x:.2f}' for x in r.load_start)} on {os.cpu_count()} CPUs;"
        f" after each run: {', '.join(f'{x.load_after:.2f}' for x in (f, r.nochange, r.changed))}",
        "",
        *(
            f"{label:64} {seconds:8.2f} s {_rate(r.n, seconds) if rate else ''}"
            for label, seconds, rate in (
                (f"floor: read + UTF-8 decode, {REFERENCE_WORKERS} processes", r.floor_s, True),
                (
                    f"reference: + OpenCC t2s, pinyin strip, 10 regexes, {REFERENCE_WORKERS} processes",
                    r.reference_s,
                    True,
                ),
                (f"pipeline: xxgk run, fresh warehouse, {r.workers} workers", f.seconds, True),
                ("no-change rerun", r.nochange.seconds, False),
                (f"1%-changed rerun ({r.n_changed} files got a sentence appended)", r.changed.seconds, False),
            )
        ),
        f"ratio pipeline / reference: {r.ratio:.1f}×   (pipeline / floor: {f.seconds / r.floor_s:.0f}×)",
        f"CPU seconds (user + sys of all processes; less sensitive to other load): reference {r.reference_cpu_s:.1f},"
        f" pipeline {f.cpu_s:.1f}, ratio {r.cpu_ratio:.1f}×",
        "",
        "memory of the first run (the targets use the larger of the first two):",
        *(
            f"  {label:62} {mb:7.0f} MB{note}"
            for label, mb, note in (
                ("largest single process (wait4 ru_maxrss, exact)", f.max_rss_mb, ""),
                (
                    "whole tree, sum of PSS (sampled every 0.5 s)",
                    f.tree_pss_mb,
                    f"  (peak in {f.peak_step or '?'})",
                ),
                ("whole tree, sum of RSS (shared pages counted in every process)", f.tree_rss_mb, ""),
            )
        ),
        f"warehouse: {r.warehouse_mb:.1f} MB (.duckdb + .wal after the first run)",
        "",
        f"Dagster steps of the first run (from its DEBUG log; docs/s = N / step time; sum {sum(f.steps.values()):.1f} s):",
    ]
    for key, seconds in f.steps.items():
        lines.append(f"  {key:24} {seconds:8.2f} s {_rate(r.n, seconds)}")
    if not f.steps:
        lines.append("  (none: the CLI did not accept --log-level DEBUG)")
    if f.ingest:
        lines.append(
            f"ingest_runs (first run): {f.ingest.get('seconds')} s scan -> load committed, "
            f"{f.ingest.get('files_new')} new, {f.ingest.get('files_quarantined')} quarantined, "
            f"{f.ingest.get('facts_written')} facts"
        )
    for run in (r.nochange, r.changed):
        steps = ", ".join(f"{k} {v:.1f}" for k, v in run.steps.items() if v >= 0.5)
        lines.append(f"{run.label} steps ≥ 0.5 s: {steps or '-'}")
    total = sum(r.stages.values())
    lines += [
        "",
        f"stages in-process, 1 core, CPU time over {r.stage_docs} documents (warm caches; load = to_arrow + Parquet + DuckDB):",
    ]
    for name, seconds in r.stages.items():
        lines.append(f"  {name:10} {seconds:8.2f} s {_rate(r.stage_docs, seconds)}  {seconds / total:5.1%}")
    lines.append(f"  {'all four':10} {total:8.2f} s {_rate(r.stage_docs, total)}")
    sample = "" if r.f1_docs == r.n else f" (fixed sample: the first {r.f1_docs} of {r.n} documents by name)"
    lines += [
        "",
        f"extraction F1 {r.f1['f1']:.3f} (precision {r.f1['precision']:.3f}, recall {r.f1['recall']:.3f}, "
        f"metadata mismatches {r.f1['metadata_mismatches']}) over {r.f1_docs} documents{sample}",
        "",
        "targets"
        + ("" if r.n in (10_000, 100_000) else " (set for N=10,000 / 100,000; shown for reference)")
        + ":",
    ]
    for name, passed, observed in targets(r):
        verdict = "----" if passed is None else "PASS" if passed else "FAIL"
        lines.append(f"  {verdict}  {name:30} {observed}")
    return "\n".join(lines)


COLUMNS = (
    ("date", "Day of the run"),
    ("machine", "CPU count, processor, OS, Python version"),
    ("N", "Synthetic documents (bench.synth, seed 0 unless noted)"),
    ("wall s", "`xxgk run` on a fresh warehouse, whole process"),
    ("docs/s", "N / wall s"),
    ("reference s", "Reference mini-pipeline on the same files, 2 processes"),
    ("ratio", "wall s / reference s (target ≤ 8, stretch ≤ 4)"),
    (
        "CPU ratio",
        "CPU seconds (user + sys, all processes) of the run / of the reference: steadier on a busy machine",
    ),
    ("no-change s", "Second run on the same folder (target ≤ 15 s at 10k, ≤ 60 s at 100k)"),
    ("1%-change s", "Run after 1% of the files had a sentence appended"),
    (
        "peak RSS MB",
        "Max of the largest process and the summed PSS of the tree (≤ 1.5 GB at 10k, ≤ 2 GB at 100k)",
    ),
    ("warehouse MB", "The .duckdb file after the first run"),
    ("F1", "Extraction F1 against the generated gold (at most 2000 documents)"),
    ("load", "1-minute load average at the start (the machine may be shared)"),
)


def results_header() -> str:
    explained = "\n".join(f"- **{name}**: {meaning}" for name, meaning in COLUMNS)
    names = [name for name, _ in COLUMNS]
    return (
        "# Benchmarks\n\n"
        "Rows are appended by `make bench N=…` (`python -m bench.benchmark`); do not edit them by hand.\n"
        "The reference mini-pipeline reads each file, decodes it as UTF-8, converts it with OpenCC t2s\n"
        "(opencc_pyo3), strips pinyin and runs 10 simple regexes, across 2 processes: the cost of touching\n"
        "every byte once with fast native code, against which the real pipeline is measured.\n\n"
        f"{explained}\n\n"
        f"| {' | '.join(names)} |\n|{'---|' * len(names)}\n"
    )


def results_row(r: Results) -> str:
    cells = (
        time.strftime("%Y-%m-%d"),
        machine(),
        f"{r.n:,}",
        f"{r.first.seconds:.1f}",
        f"{r.n / r.first.seconds:.1f}",
        f"{r.reference_s:.2f}",
        f"{r.ratio:.1f}",
        f"{r.cpu_ratio:.1f}",
        f"{r.nochange.seconds:.1f}",
        f"{r.changed.seconds:.1f}",
        f"{r.first.peak_mb:.0f}",
        f"{r.warehouse_mb:.1f}",
        f"{r.f1['f1']:.3f}",
        f"{r.load_start[0]:.2f}",
    )
    return "| " + " | ".join(cells) + " |\n"


def record(r: Results, path: Path = RESULTS) -> None:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(results_header(), encoding="utf-8")
    with path.open("a", encoding="utf-8") as f:
        f.write(results_row(r))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{os.cpu_count()} CPU {cpu}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="number of synthetic documents")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument(
        "--scaling", action="store_true", help="also run with XXGK_WORKERS=1 (doubles the time)"
    )
    parser.add_argument("--no-record", action="store_true", help="do not append a row to docs/benchmarks.md")
    parser.add_argument(
        "--profile", type=int, metavar="K", help="cProfile process_document over K documents; exit"
    )
    args = parser.parse_args(argv)
    load_start = os.getloadavg()
    BENCH.mkdir(exist_ok=True)
    corpus = ensure_corpus(args.n, args.seed)
    raw = corpus / "raw"
    paths = sorted(raw.iterdir())
    if args.profile:
        profile(paths[: args.profile])
        return 0

    _say("floor and reference ...")
    floor_s, _ = timed_pool(_floor_chunk, paths)
    reference_s, reference_cpu_s = timed_pool(_reference_chunk, paths, init=_reference_init)

    flags = cli_flags()
    warehouse = BENCH / f"warehouse-{args.n}.duckdb"
    remove_warehouse(warehouse)
    first = run_cli("first run", raw, warehouse, BENCH / f"run-{args.n}-first.log", flags)
    warehouse_mb = size_mb(warehouse)
    nochange = run_cli("no-change rerun", raw, warehouse, BENCH / f"run-{args.n}-nochange.log", flags)
    originals = change_one_percent(corpus, paths)
    try:
        changed = run_cli("1%-changed rerun", raw, warehouse, BENCH / f"run-{args.n}-changed.log", flags)
    finally:
        restore(corpus, originals)

    _say(f"stages in-process over {min(STAGE_SAMPLE, len(paths))} documents ...")
    with tempfile.TemporaryDirectory(dir=BENCH) as scratch:
        stages, stage_docs = stage_times(paths[:STAGE_SAMPLE], Path(scratch))
    _say("extraction F1 ...")
    f1, f1_docs = extraction_f1(corpus)

    single = None
    if args.scaling:
        one = BENCH / f"warehouse-{args.n}-w1.duckdb"
        remove_warehouse(one)
        single = run_cli("1-worker run", raw, one, BENCH / f"run-{args.n}-w1.log", flags, workers=1)
        remove_warehouse(one)

    results = Results(
        n=args.n, floor_s=floor_s, reference_s=reference_s, reference_cpu_s=reference_cpu_s, first=first, nochange=nochange, changed=changed,
        n_changed=len(originals), warehouse_mb=warehouse_mb, stages=stages, stage_docs=stage_docs, f1=f1,
        f1_docs=f1_docs, single=single, workers=int(os.environ.get("XXGK_WORKERS") or 0) or os.cpu_count() or 1,
        load_start=load_start,
    )  # fmt: skip
    print(report(results), flush=True)
    if not args.no_record:
        record(results)
        _say(f"appended a row to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

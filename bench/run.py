"""The benchmark of issue 2: the CLI against naive pandas and DuckDB (``make bench``).

1. Generate (or reuse from the cache) a seeded orders file: 3 million rows by default.
2. Interleaved rounds: round i runs the CLI, the pandas baseline and the DuckDB baseline,
   in an order rotated by i, each in a fresh process. Wall time is measured around the
   process, peak RSS is the ``ru_maxrss`` that ``wait4`` returns for exactly that child
   (cross-checked by sampling its RSS with psutil). The table shows medians.
3. Every round's outputs must agree: the three report files byte for byte, and the row
   counts (total, valid, rejected) with each other and with what the generator knows.
4. Sub-linearity: the CLI on a base file and on a file with 4x the rows but the same
   distinct orders; its peak RSS must grow far less than 4x.

Exit status: 1 when the tools disagree or one fails, 0 otherwise (target misses are
printed as FAIL; ``--strict`` turns them into exit status 3).

The runner itself stays a small process on purpose (no numpy/pandas imported here):
Linux folds the parent's RSS high-water mark into a vfork()ed child's ``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cli_runtime import cli_command, in_image_runtime, python_command
from bench.reports import compare_outputs

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"
TOOLS = ("cli", "pandas", "duckdb", "cli-no-lake")
MIB = 1024 * 1024

# Targets: the CLI (curated Parquet file included) against the baselines.
MAX_CLI_OVER_DUCKDB_WALL = 1.25
MAX_CLI_OVER_PANDAS_WALL = 1.0
MAX_CLI_OVER_PANDAS_RSS = 0.35
# 4x the rows, same distinct orders: the issue forbids 4x the memory; "well under 4" is
# read as at most 2x, which a streaming engine meets with room to spare.
SUBLINEAR_FACTOR = 4
MAX_SUBLINEAR_RSS_RATIO = 2.0

QUICK_ROWS = 60_000


@dataclass
class Run:
    tool: str
    label: str
    round: int
    wall_s: float
    maxrss_mib: float
    sampled_rss_mib: float
    exit_code: int
    out_dir: str


@dataclass
class Target:
    name: str
    value: float | None
    limit: float
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.value is not None and self.value <= self.limit


@dataclass
class DataFile:
    path: Path
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return self.path.stat().st_size


# --------------------------------------------------------------------------- machine


def machine_info() -> dict[str, Any]:
    cpu_model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "cpu model"):
                cpu_model = value.strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in ("pandas", "pyarrow", "numpy", "duckdb", "orders-reports"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "nproc": os.cpu_count(),
        "usable_cpus": usable,
        "cpu_model": cpu_model,
        "arch": platform.machine(),
        "ram_gib": round(psutil.virtual_memory().total / 1024**3, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": versions,
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and whether app/ differs from it (the package is editable)."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True
            )
        except (OSError, subprocess.CalledProcessError):
            return None
        return done.stdout.strip()

    status = git("status", "--porcelain", "--", "app")
    return {"commit": git("rev-parse", "--short", "HEAD"), "app_modified": bool(status)}


def other_benchmarks() -> list[int]:
    """Pids of other benchmark runners on this machine: they would skew every figure."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if proc.info["pid"] != os.getpid() and any(a.endswith("bench/run.py") for a in cmdline):
            found.append(proc.info["pid"])
    return found


# --------------------------------------------------------------------------- data


def generate(
    rows: int, seed: int, distinct: int | None, cache_dir: Path | None, layout: str = "grouped"
) -> DataFile:
    """Run the generator in its own process, so its memory never inflates this one."""
    cmd = [sys.executable, str(BENCH_DIR / "generate.py"), "--rows", str(rows), "--seed", str(seed)]
    cmd += ["--layout", layout]
    if distinct is not None:
        cmd += ["--distinct-orders", str(distinct)]
    if cache_dir is not None:
        cmd += ["--cache-dir", str(cache_dir)]
    started = time.perf_counter()
    out = subprocess.run([*cmd, "--json"], check=True, capture_output=True, text=True)
    meta = json.loads(out.stdout)
    took = time.perf_counter() - started
    how = "cached" if meta.pop("cached") else "generated"
    print(f"  {how}: {meta['path']} ({meta['bytes'] / MIB:,.1f} MiB, {took:.1f} s)", flush=True)
    return DataFile(Path(meta["path"]), meta)


def warm_page_cache(path: Path) -> None:
    """Read the file once so every measured run starts from the same (warm) cache."""
    with path.open("rb", buffering=0) as fh:
        while fh.read(8 * MIB):
            pass


# --------------------------------------------------------------------------- measuring


def tool_command(tool: str, input_path: Path, out_dir: Path) -> list[str]:
    if tool == "cli":
        return [*cli_command(), "run", str(input_path), "--out", str(out_dir)]
    if tool == "cli-no-lake":
        script = BENCH_DIR / "without_curated.py"
        return [*python_command(), str(script), str(input_path), "--out", str(out_dir)]
    return [
        sys.executable,
        str(BENCH_DIR / "baselines.py"),
        tool,
        str(input_path),
        "--out",
        str(out_dir),
    ]


def _sample_rss(pid: int, stop: threading.Event, peak: list[int]) -> None:
    try:
        proc = psutil.Process(pid)
        while not stop.is_set():
            rss = proc.memory_info().rss
            for child in proc.children(recursive=True):
                with contextlib.suppress(psutil.Error):  # a child may end meanwhile
                    rss += child.memory_info().rss
            peak[0] = max(peak[0], rss)
            stop.wait(0.02)
    except psutil.Error:
        pass


def measure(tool: str, label: str, round_no: int, input_path: Path, out_dir: Path) -> Run:
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = tool_command(tool, input_path, out_dir)
    log = (out_dir.parent / f"{out_dir.name}.log").open("wb")
    peak = [0]
    stop = threading.Event()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=out_dir.parent)
    sampler = threading.Thread(target=_sample_rss, args=(proc.pid, stop, peak), daemon=True)
    sampler.start()
    # wait4 rather than Popen.wait: it returns this child's own rusage.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    log.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        tool=tool,
        label=label,
        round=round_no,
        wall_s=round(wall, 3),
        maxrss_mib=round(usage.ru_maxrss * 1024 / MIB, 1),  # Linux reports KiB
        sampled_rss_mib=round(peak[0] / MIB, 1),
        exit_code=proc.returncode,
        out_dir=str(out_dir),
    )


def log_tail(run: Run, lines: int = 15) -> str:
    path = Path(run.out_dir).parent / f"{Path(run.out_dir).name}.log"
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "<no log>"


def median(runs: list[Run], tool: str, label: str, attr: str) -> float | None:
    values = [getattr(r, attr) for r in runs if r.tool == tool and r.label == label]
    return statistics.median(values) if values else None


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


# --------------------------------------------------------------------------- phases


def run_rounds(
    tools: list[str],
    data: dict[str, DataFile],
    repeats: int,
    work: Path,
    first_round_only: tuple[str, ...] = (),
) -> tuple[list[Run], list[str]]:
    """Interleaved rounds over every (label, file); returns runs and agreement problems.

    Tools in ``first_round_only`` run in the first round only (figures for contrast).
    """
    runs: list[Run] = []
    problems: list[str] = []
    for label, df in data.items():
        warm_page_cache(df.path)
        for round_no in range(repeats):
            active = [t for t in tools if round_no == 0 or t not in first_round_only]
            order = active[round_no % len(active) :] + active[: round_no % len(active)]
            outputs: dict[str, Path] = {}
            for tool in order:
                out_dir = work / f"{label}-r{round_no}-{tool}"
                run = measure(tool, label, round_no, df.path, out_dir)
                runs.append(run)
                status = "" if run.exit_code == 0 else f"  EXIT {run.exit_code}"
                print(
                    f"  {label:>6} round {round_no + 1}/{repeats} {tool:<12}"
                    f"{run.wall_s:8.2f} s {run.maxrss_mib:9.1f} MiB{status}",
                    flush=True,
                )
                if run.exit_code != 0:
                    problems.append(
                        f"{tool} failed on {label} (exit {run.exit_code}):\n{log_tail(run)}"
                    )
                else:
                    outputs[tool] = out_dir
            # The reference is the first tool of the canonical order, whatever the rotation.
            ordered = {t: outputs[t] for t in tools if t in outputs}
            if ordered:
                agreement = compare_outputs(ordered, df.meta)
                problems += [f"{label} round {round_no + 1}: {p}" for p in agreement.problems]
    return runs, problems


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "n/a" if value is None else format(value, spec)


def print_report(result: dict[str, Any]) -> None:
    m = result["machine"]
    v = m["versions"]
    print()
    print("Machine")
    print(
        f"  {m['cpu_model']} ({m['arch']}), {m['nproc']} CPUs ({m['usable_cpus']} usable), "
        f"{m['ram_gib']} GiB RAM, {m['os']}"
    )
    print(
        f"  Python {m['python']}, pandas {v['pandas']}, pyarrow {v['pyarrow']}, "
        f"numpy {v['numpy']}, duckdb {v['duckdb']}, orders-reports {v['orders-reports']}"
    )
    print(f"  the CLI ran in {result['cli_runtime']}")
    code = result["code"]
    dirty = " + uncommitted changes in app/" if code["app_modified"] else ""
    print(f"  code measured: commit {code['commit']}{dirty}")
    load = result["load_average"]
    print(f"  load average before/after: {load['before']} / {load['after']}")
    if load["busy"]:
        print("  WARNING: the machine was busy during the run; the figures are noisy.")
    if result["concurrent_benchmarks"]:
        pids = ", ".join(map(str, result["concurrent_benchmarks"]))
        print(f"  WARNING: another benchmark ran at the same time (pid {pids}); figures skewed.")

    main = result["files"]["main"]
    print()
    print(
        f"Input: {main['rows']:,} rows, {main['bytes'] / MIB:,.1f} MiB, "
        f"{main['distinct_orders']:,} distinct orders, {main['rows_rejected']:,} rows to reject; "
        f"median of {result['repeats']} interleaved runs, each in a fresh process"
    )
    print()
    print(f"  {'tool':<12}{'wall s':>9}{'MiB/s':>9}{'peak RSS MiB':>14}{'min wall s':>12}")
    for tool, row in result["summary"].items():
        print(
            f"  {tool:<12}{fmt(row['wall_s']):>9}{fmt(row['mib_per_s'], '.1f'):>9}"
            f"{fmt(row['peak_rss_mib'], '.0f'):>14}{fmt(row['min_wall_s']):>12}"
        )
    print()
    print(f"  {'ratio':<44}{'value':>7}  {'target':<9}result")
    for t in result["targets"]:
        verdict = "PASS" if t["passed"] else "FAIL"
        if result["quick"]:
            verdict += " (quick run: start-up dominates, not meaningful)"
        note = f"  {t['note']}" if t["note"] else ""
        print(f"  {t['name']:<44}{fmt(t['value']):>7}  <= {t['limit']:<6}{verdict}{note}")
    print()
    agreement = result["agreement"]
    if agreement["ok"]:
        print(f"Agreement: {agreement['checked']} -- identical reports and row counts: OK")
    else:
        print("Agreement: FAILED")
        for problem in agreement["problems"]:
            print("  " + problem.replace("\n", "\n  "))
    lake = result.get("curated_cost")
    if lake:
        print(
            f"Writing the curated Parquet file: +{fmt(lake['seconds'])} s of the CLI's wall time"
            f" ({fmt(lake['share_of_cli'] * 100, '.0f')} %), median against cli-no-lake"
        )
    missed = [t["name"] for t in result["targets"] if not t["passed"]]
    if missed:
        print(f"TARGETS MISSED: {', '.join(missed)}")


def summarise(runs: list[Run], tools: list[str], label: str, size: int) -> dict[str, Any]:
    summary = {}
    for tool in tools:
        wall = median(runs, tool, label, "wall_s")
        walls = [r.wall_s for r in runs if r.tool == tool and r.label == label]
        summary[tool] = {
            "wall_s": wall,
            "min_wall_s": min(walls) if walls else None,
            "mib_per_s": (size / MIB / wall) if wall else None,
            "peak_rss_mib": median(runs, tool, label, "maxrss_mib"),
            "sampled_peak_rss_mib": median(runs, tool, label, "sampled_rss_mib"),
        }
    return summary


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the orders-reports CLI against naive pandas and DuckDB."
    )
    parser.add_argument("--rows", type=int, default=None, help="rows of the main file (3,000,000)")
    parser.add_argument("--distinct-orders", type=int, default=None, help="default rows/3")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument(
        "--layout",
        choices=["grouped", "shuffled"],
        default="grouped",
        help="an order's lines adjacent (as exports write them) or scattered over the file",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows: a smoke run")
    parser.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help="comma-separated subset of cli,pandas,duckdb,cli-no-lake (the CLI without its "
        "curated Parquet file, to show what writing it costs)",
    )
    parser.add_argument("--no-sublinear", action="store_true", help="skip the sub-linearity check")
    parser.add_argument("--json", type=Path, default=None, help="write all figures to this file")
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help="default $BENCH_CACHE or .bench/"
    )
    parser.add_argument("--keep-outputs", action="store_true", help="keep every run's outputs")
    parser.add_argument("--strict", action="store_true", help="exit 3 when a target is missed")
    args = parser.parse_args(argv)
    args.tools = [t for t in args.tools.split(",") if t]
    unknown = set(args.tools) - set(TOOLS)
    if unknown or not args.tools:
        parser.error(f"--tools: unknown {sorted(unknown)}; choose from {','.join(TOOLS)}")
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    args.rows = args.rows or (QUICK_ROWS if args.quick else 3_000_000)
    return args


def main_targets(summary: dict[str, Any], tools: list[str]) -> list[Target]:
    cli, pandas_, duck = (summary.get(t, {}) for t in ("cli", "pandas", "duckdb"))
    targets = []
    if "cli" in tools and "duckdb" in tools:
        value = ratio(cli["wall_s"], duck["wall_s"])
        targets.append(Target("CLI / DuckDB wall time", value, MAX_CLI_OVER_DUCKDB_WALL))
    if "cli" in tools and "pandas" in tools:
        value = ratio(cli["wall_s"], pandas_["wall_s"])
        targets.append(Target("CLI / pandas wall time", value, MAX_CLI_OVER_PANDAS_WALL))
        value = ratio(cli["peak_rss_mib"], pandas_["peak_rss_mib"])
        targets.append(Target("CLI / pandas peak RSS", value, MAX_CLI_OVER_PANDAS_RSS))
    return targets


def sublinear_target(
    runs: list[Run], tools: list[str], sub_data: dict[str, DataFile]
) -> tuple[dict[str, Any], Target]:
    summary: dict[str, Any] = {}
    sub_tools = [t for t in ("cli", "pandas") if t in tools]
    for label, df in sub_data.items():
        summary[label] = {
            "rows": df.meta["rows"],
            "distinct_orders": df.meta["distinct_orders"],
            **summarise(runs, sub_tools, label, df.size),
        }
    base, x4 = summary["base"], summary["x4"]
    note = (
        f"{x4['rows']:,} vs {base['rows']:,} rows, {base['distinct_orders']:,} distinct "
        f"orders each; CLI {fmt(base['cli']['peak_rss_mib'], '.0f')} -> "
        f"{fmt(x4['cli']['peak_rss_mib'], '.0f')} MiB; hard limit 4"
    )
    if "pandas" in sub_tools:
        pandas_ratio = ratio(x4["pandas"]["peak_rss_mib"], base["pandas"]["peak_rss_mib"])
        note += f"; naive pandas {fmt(pandas_ratio)}"
    value = ratio(x4["cli"]["peak_rss_mib"], base["cli"]["peak_rss_mib"])
    name = "CLI peak RSS, 4x rows / base (same orders)"
    return summary, Target(name, value, MAX_SUBLINEAR_RSS_RATIO, note)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tools: list[str] = args.tools
    base_rows = args.rows // SUBLINEAR_FACTOR
    load_before = os.getloadavg()
    concurrent = set(other_benchmarks())
    result: dict[str, Any] = {
        "machine": machine_info(),
        "code": code_version(),
        "repeats": args.repeats,
        "quick": args.quick,
        "cli_runtime": "the image's runtime (.venv/lambda-runtime: Python 3.12, no pandas)"
        if in_image_runtime()
        else f"{sys.executable} (no .venv/lambda-runtime: pyarrow imports pandas here)",
    }

    print("Data", flush=True)
    data = {
        "main": generate(args.rows, args.seed, args.distinct_orders, args.cache_dir, args.layout)
    }
    sub_data: dict[str, DataFile] = {}
    sublinear = not args.no_sublinear and "cli" in tools and base_rows >= 3
    if sublinear:
        orders = max(1, base_rows // 3)
        for label, size in (("base", base_rows), ("x4", base_rows * SUBLINEAR_FACTOR)):
            sub_data[label] = generate(size, args.seed, orders, args.cache_dir, args.layout)

    work_ctx = tempfile.TemporaryDirectory(prefix="orders-bench-")
    work = Path(work_ctx.name)
    try:
        print(f"Runs (outputs under {work})", flush=True)
        runs, problems = run_rounds(tools, data, args.repeats, work)
        if sublinear:
            # The CLI alone carries the target; pandas (one run per file, it is slow) shows
            # the contrast.
            sub_tools = [t for t in ("cli", "pandas") if t in tools]
            sub_runs, sub_problems = run_rounds(
                sub_tools, sub_data, args.repeats, work, first_round_only=("pandas",)
            )
            runs += sub_runs
            problems += sub_problems
    finally:
        if args.keep_outputs:
            print(f"Outputs kept in {work}")
        else:
            work_ctx.cleanup()

    summary = summarise(runs, tools, "main", data["main"].size)
    targets = main_targets(summary, tools)
    if {"cli", "cli-no-lake"} <= set(tools):
        cli_wall, bare_wall = summary["cli"]["wall_s"], summary["cli-no-lake"]["wall_s"]
        if cli_wall and bare_wall:
            result["curated_cost"] = {
                "seconds": cli_wall - bare_wall,
                "share_of_cli": (cli_wall - bare_wall) / cli_wall,
            }
    sub_summary: dict[str, Any] = {}
    if sublinear:
        sub_summary, target = sublinear_target(runs, tools, sub_data)
        targets.append(target)

    load_after = os.getloadavg()
    concurrent |= set(other_benchmarks())
    files = {label: {**df.meta, "path": str(df.path)} for label, df in {**data, **sub_data}.items()}
    result.update(
        {
            "load_average": {
                "before": [round(x, 2) for x in load_before],
                "after": [round(x, 2) for x in load_after],
                # More runnable work than half the CPUs besides ours means noisy figures.
                "busy": load_before[0] > (os.cpu_count() or 1) * 0.5,
            },
            "concurrent_benchmarks": sorted(concurrent),
            "files": files,
            "summary": summary,
            "sublinear": sub_summary,
            "targets": [{**asdict(t), "passed": t.passed} for t in targets],
            "agreement": {
                "ok": not problems,
                "problems": problems,
                "checked": f"{len(tools)} tool(s) on {len(files)} file(s) "
                f"x {args.repeats} round(s)",
            },
            "runs": [asdict(r) for r in runs],
            "runner_maxrss_mib": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
            ),
        }
    )
    print_report(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"Figures written to {args.json}")
    if problems:
        return 1
    if args.strict and not all(t.passed for t in targets):
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())

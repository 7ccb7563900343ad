"""``orders-reports run INPUT [--out OUT]``: the engine on a local or S3 file.

Exit codes: 0 success (also with rejected rows), 2 the input is refused (one line on
stderr saying why), 1 anything unexpected (one line; ``--debug`` adds the traceback),
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from orders_reports import __version__, layout, outputs, storage
from orders_reports.curated import CURATED
from orders_reports.engine import build_reports
from orders_reports.rejects import REJECTED_ROWS
from orders_reports.reports import REPORT_NAMES
from orders_reports.schema import InputRefused

PROG = "orders-reports"
EXIT_OK, EXIT_FAILED, EXIT_REFUSED, EXIT_INTERRUPTED = 0, 1, 2, 130
# The files of a run, directly inside OUT.
FILE_NAMES = {
    **{name: f"{name}.csv" for name in REPORT_NAMES},
    REJECTED_ROWS: f"{REJECTED_ROWS}.csv",
    CURATED: "orders.parquet",
    outputs.MANIFEST: "manifest.json",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Analytics reports over an orders CSV.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="compute the reports of one CSV file")
    run.add_argument("input", metavar="INPUT", help="a local path or s3://bucket/key")
    run.add_argument(
        "--out",
        default="out",
        metavar="OUT",
        help="a local folder or s3://bucket/prefix (default: ./out)",
    )
    run.add_argument("--debug", action="store_true", help="print tracebacks of unexpected errors")
    return parser


def _target(out: str) -> storage.Target:
    s3 = storage.parse_s3_uri(out)
    if s3 is None:
        return storage.LocalFolder(Path(out), FILE_NAMES)
    bucket, prefix = s3
    base = layout.normalise_prefix(prefix)
    keys = {name: f"{base}{file_name}" for name, file_name in FILE_NAMES.items()}
    return storage.S3Keys(storage.s3_client(), bucket, keys)


def run(input_location: str, out: str) -> str:
    if storage.parse_s3_uri(out) is None and Path(out).exists() and not Path(out).is_dir():
        raise NotADirectoryError(f"--out {out} is a file, not a folder")
    with storage.open_input(input_location) as (stream, provenance), _target(out) as target:
        result = build_reports(stream, open_output=target.open_output, provenance=provenance)
        target.apply(outputs.run_plan(result, provenance, target.places))
    s3 = storage.parse_s3_uri(out)
    where = out if s3 is None else f"s3://{s3[0]}/{layout.normalise_prefix(s3[1])}"
    return (
        f"{input_location}: {result.rows_total} rows, {result.rows_valid} valid, "
        f"{result.rows_rejected} rejected -> {where}"
    )


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        summary = run(args.input, args.out)
    except InputRefused as refusal:
        print(f"{PROG}: refused {args.input}: {refusal}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing of this run was published", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        if args.debug:
            traceback.print_exc()
        print(f"{PROG}: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_FAILED
    print(summary)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

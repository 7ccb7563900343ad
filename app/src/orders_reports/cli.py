"""``orders-reports run INPUT [--out OUT]``: the engine on a local or S3 file.

Exit codes: 0 success (also with rejected rows), 2 the input is refused (one line on
stderr saying why), 1 anything unexpected (one line; ``--debug`` adds the traceback).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from orders_reports import __version__, layout, storage
from orders_reports.engine import REJECTED_ROWS, InputRefused, RunResult, build_reports

PROG = "orders-reports"
EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2
MANIFEST = "manifest.json"


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


def _output_files(result: RunResult, source: str) -> tuple[dict[str, storage.Payload], list[str]]:
    """File name -> payload, manifest last; and the names of files this run does not make."""
    files: dict[str, storage.Payload] = {
        f"{name}.csv": data for name, data in result.reports.items()
    }
    stale: list[str] = []
    if result.rejected_rows is not None:
        files[f"{REJECTED_ROWS}.csv"] = result.rejected_rows
    else:
        stale.append(f"{REJECTED_ROWS}.csv")
    locations = {name.removesuffix(".csv"): name for name in files}
    files[MANIFEST] = result.manifest(source, locations)
    return files, stale


def _write(result: RunResult, source: str, out: str) -> str:
    files, stale = _output_files(result, source)
    target = storage.parse_s3_uri(out)
    if target is None:
        storage.write_local(Path(out), files, stale=tuple(stale))
        return out
    prefix = layout.normalise_prefix(target.key)
    client = storage.s3_client()
    storage.write_s3(
        client, target.bucket, {f"{prefix}{name}": data for name, data in files.items()}
    )
    for name in stale:
        client.delete_object(Bucket=target.bucket, Key=f"{prefix}{name}")
    return f"s3://{target.bucket}/{prefix}"


def run(input_location: str, out: str) -> str:
    with storage.open_input(input_location) as stream:
        result = build_reports(stream)
    with result:
        where = _write(result, input_location, out)
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
    except Exception as error:
        if args.debug:
            traceback.print_exc()
        print(f"{PROG}: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_FAILED
    print(summary)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

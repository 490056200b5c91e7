"""Where a note's time goes, from the lines trace_fanout.patch makes the servers print.

    git apply bench/experiments/trace_fanout.patch
    .venv/bin/python bench/fanout.py --seconds 30 2> baseline.err | tee run.out     # add --post-over http
                                                                  # for the rows of an HTTP post
    .venv/bin/python bench/experiments/trace_summary.py SERVER_LOG baseline.err
    git apply -R bench/experiments/trace_fanout.patch

SERVER_LOG is the yoriai server's log, whose path bench/fanout.py prints ("log …"); the baseline's
broadcast times go to the harness's stderr. Prints the median and p95 of each stage in µs.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: yoriai's stages, in the order the TRACE line gives them (µs, CLOCK_MONOTONIC).
STAGES = (
    "phone sends → the server's ASGI app (on the socket: → the service, its read included)",
    "ASGI app → the service (middleware, dependencies, the phone's read; 0 on the socket)",
    "the service → published (limits, the note's statements, commit)",
    "published → the board's feed takes it",
    "the feed writes it to every socket",
)


def quantiles(values: list[int]) -> str:
    values = sorted(values)
    return f"p50 {values[len(values) // 2]:>7,}  p95 {values[int(len(values) * 0.95)]:>7,}  (n {len(values)})"


def main(server_log: str, baseline_err: str | None = None) -> None:
    rows = [
        [int(x) for x in line.split()[1:]]
        for line in Path(server_log).read_text(errors="replace").splitlines()
        if line.startswith("TRACE ")
    ]
    if not rows:
        sys.exit(f"no TRACE line in {server_log}: is trace_fanout.patch applied?")
    for i, stage in enumerate(STAGES):
        print(f"yoriai    {stage:70s} {quantiles([row[i] for row in rows])}")
    if baseline_err:
        loops = [
            int(line.split()[1])
            for line in Path(baseline_err).read_text(errors="replace").splitlines()
            if line.startswith("BTRACE ")
        ]
        if loops:
            print(f"baseline  {'broadcast() to every socket':70s} {quantiles(loops)}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(*sys.argv[1:])

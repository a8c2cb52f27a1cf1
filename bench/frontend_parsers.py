"""Why the frontend parses with the standard library's `ast` rather than libcst: measured.

The brief named libcst. The frontend needs a syntax tree with positions and nothing else
(it never rewrites source), and the issue's bars are a 2,000-step flow checked in under 1 s
and a cold single-file check no slower than Metaflow's (~0.27 s). This script measures, in
one run, in fresh processes, what each parser costs to import and to produce a tree with
positions for generated flows, and prints the ratios.

Usage: .venv/bin/python bench/frontend_parsers.py [--sizes 250,2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import flowgen  # noqa: E402

PROBE = r"""
import sys, time
begin = time.perf_counter()
if sys.argv[1] == "libcst":
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider
imported = time.perf_counter()
source = open(sys.argv[2]).read()
if sys.argv[1] == "libcst":
    module = libcst.parse_module(source)
    parsed = time.perf_counter()
    MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
else:
    import ast
    ast.parse(source)
    parsed = time.perf_counter()
positioned = time.perf_counter()
print(imported - begin, parsed - imported, positioned - parsed)
"""


def measure(parser: str, path: Path, repeat: int) -> tuple[float, float, float]:
    samples = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", PROBE, parser, str(path)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        samples.append(tuple(float(x) for x in out.split()))
    return tuple(statistics.median(column) for column in zip(*samples, strict=True))  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="250,2000")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="flowc-parsers-"))
    print(
        f"{'flow':14} {'parser':7} {'import s':>9} {'parse s':>8} {'positions s':>11}"
        f" {'total s':>8}"
    )
    for size in (int(s) for s in options.sizes.split(",")):
        path = work / f"chain_{size}.py"
        path.write_text(flowgen.chain(size))
        totals = {}
        for name in ("ast", "libcst"):
            imported, parsed, positioned = measure(name, path, options.repeat)
            totals[name] = imported + parsed + positioned
            print(
                f"chain {size:<8} {name:7} {imported:9.3f} {parsed:8.3f} {positioned:11.3f}"
                f" {totals[name]:8.3f}"
            )
        print(f"{'':14} libcst / ast: {totals['libcst'] / totals['ast']:.1f}x")
    print("\n(ast carries positions in the tree, so its 'positions' column is zero.)")


if __name__ == "__main__":
    main()

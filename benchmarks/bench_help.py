"""Speed of the help search (figures from this run only).

In a fresh process: importing ssdkit, importing the modules the catalog walks, walking them into the
catalog, building the index, then the latency of every query of tests/help_queries.py. Then the wall time
of the command line ``python -m ssdkit.help`` with the disk cache off, cold (first run writes it) and warm.

Run: ``python benchmarks/bench_help.py``
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI_RUNS = 3

_PHASES = r"""
import time, sys
t0 = time.perf_counter(); c0 = time.process_time()
import ssdkit
t1 = time.perf_counter(); c1 = time.process_time()
from ssdkit.help import catalog
from ssdkit.help.ranking import Index
for path in catalog.ROOTS:
    try:
        catalog._resolve(path)
    except Exception:
        pass
t2 = time.perf_counter(); c2 = time.process_time()
entries = catalog.build_catalog()
t3 = time.perf_counter(); c3 = time.process_time()
index = Index(entries)
t4 = time.perf_counter(); c4 = time.process_time()
sys.path.insert(0, sys.argv[1])
from help_queries import QUERIES
lat = []
for query, _ in QUERIES:
    s = time.perf_counter(); index.search(query); lat.append(time.perf_counter() - s)
print(len(entries), t1 - t0, c1 - c0, t2 - t1, c2 - c1, t3 - t2, c3 - c2, t4 - t3, c4 - c3, *lat)
"""


def bench_phases():
    out = subprocess.run([sys.executable, "-c", _PHASES, os.path.join(ROOT, "tests")], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.split()
    n, *vals = out
    names = ["import ssdkit", "import walked modules", "walk -> catalog", "build index"]
    print(f"help index over {n} catalog entries (wall / cpu seconds):")
    for k, name in enumerate(names):
        print(f"  {name:24s} {float(vals[2 * k]):6.3f} / {float(vals[2 * k + 1]):6.3f}")
    lat = sorted(float(v) * 1e3 for v in vals[8:])
    print(f"  {len(lat)} queries: mean {statistics.mean(lat):.2f} ms, median {statistics.median(lat):.2f} ms, "
          f"p95 {lat[int(0.95 * (len(lat) - 1))]:.2f} ms, max {lat[-1]:.2f} ms")


def _cli(env):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ssdkit.help", "-n", "3", "remove overlapping boxes"], cwd=ROOT,
                   env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def bench_cli():
    with tempfile.TemporaryDirectory() as tmp:
        base = dict(os.environ)
        off = _cli({**base, "SSDKIT_HELP_CACHE": "off"})
        cache = {**base, "SSDKIT_HELP_CACHE": os.path.join(tmp, "catalog.json")}
        cold = _cli(cache)
        warm = min(_cli(cache) for _ in range(CLI_RUNS))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import ssdkit"], cwd=ROOT, check=True)
        bare = time.perf_counter() - start
    print("command line `python -m ssdkit.help -n 3 ...` (wall seconds):")
    print(f"  cache off {off:.2f}, cold cache {cold:.2f}, warm cache {warm:.2f} "
          f"(of which `python -c 'import ssdkit'` alone: {bare:.2f})")


if __name__ == "__main__":
    bench_phases()
    bench_cli()

"""Time the viewer on the synthetic ToySSD (~80 ops) and SSD-with-FeatureExpander (~150 ops) graphs.

Run: python benchmarks/bench_viz.py
"""
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from viz_builder import ssd_feature_expander, toy_ssd  # noqa: E402

import ssdkit.viz as viz  # noqa: E402
from ssdkit.viz.geometry import layout_document  # noqa: E402

REPEATS = 5


def _best(fn):
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_viz():
    """Print, per graph: node count, planning (grouping, layering, crossings) time, one re-layout, HTML size."""
    for build in (toy_ssd, ssd_feature_expander):
        conf, shapes = build()
        graph = viz.plot_network(conf, shapes=shapes)
        doc = graph.document
        plan_s = _best(lambda: viz.plot_network(conf, shapes=shapes).document)
        layout_s = _best(lambda: layout_document(doc))
        html_s = _best(lambda: graph.html)
        print(f"{build.__name__:22s} nodes={len(conf['nodes']):4d} visible={len(doc['nodes']):4d} "
              f"groups={len(doc['groups']):2d} plan={plan_s * 1e3:7.1f} ms layout={layout_s * 1e3:6.1f} ms "
              f"html={html_s * 1e3:6.1f} ms ({len(graph.html) / 1024:.0f} KiB)")


if __name__ == "__main__":
    bench_viz()

"""Plotting speed, re4-viz (Swift + Cairo) vs matplotlib (Agg), same figures, in
one run: a 100k-point scatter and a 6-panel curve figure, both to PNG at 100 dpi.
Wall time of the whole process each (what a user waits for), best of 3.

    .venv-bench/bin/python bench/plot_compare.py
"""
import json, os, subprocess, sys, tempfile, time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
VIZ = os.path.join(ROOT, ".build", "release", "re4-viz")

MPL_SCATTER = """
import sys, numpy as np, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
y = np.load(sys.argv[1]); lab = np.load(sys.argv[2]).ravel().astype(int)
fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
ax.scatter(y[:, 0], y[:, 1], c=[plt.cm.tab10(i % 10) for i in lab], s=9, linewidths=0)
fig.savefig(sys.argv[3], dpi=100)
"""

MPL_CURVES = """
import sys, json, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
runs = [[json.loads(l) for l in open(p)] for p in sys.argv[1:3]]
metrics = ["test_recall@20", "test_recall@50", "test_ndcg@20", "test_ndcg@50", "test_hitrate@20", "test_hitrate@50"]
fig, axes = plt.subplots(2, 3, figsize=(12.6, 7.0), dpi=100)
for ax, m in zip(axes.ravel(), metrics):
    for r, label in zip(runs, ["Base", "Re4"]):
        ax.plot([x["epoch"] for x in r], [x[m] for x in r], label=label)
    ax.set_title(m); ax.set_xlabel("epoch"); ax.grid(True); ax.legend()
fig.savefig(sys.argv[3], dpi=100)
"""


def best_of(cmd, n=3):
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t)
    return best


def write_log(path, slope):
    with open(path, "w") as f:
        for e in range(1, 31):
            rec = {"epoch": e}
            for m in ("recall", "ndcg", "hitrate"):
                for n in (20, 50):
                    rec[f"test_{m}@{n}"] = 0.05 + slope * e + 0.001 * ((e * 7) % 5)
                    rec[f"valid_{m}@{n}"] = rec[f"test_{m}@{n}"]
            rec["loss"] = 10 - 0.1 * e
            f.write(json.dumps(rec) + "\n")


def main():
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as d:
        y = rng.normal(size=(100_000, 2)).astype(np.float32)
        np.save(f"{d}/y.npy", y)
        np.save(f"{d}/lab.npy", (rng.integers(0, 10, size=(100_000, 1))).astype(np.float32))
        write_log(f"{d}/a.jsonl", 0.003); write_log(f"{d}/b.jsonl", 0.004)
        py = sys.executable
        rows = {
            "scatter 100k": (best_of([VIZ, "scatter", "--points", f"{d}/y.npy", "--labels", f"{d}/lab.npy", "--out", f"{d}/s.png"]),
                             best_of([py, "-c", MPL_SCATTER, f"{d}/y.npy", f"{d}/lab.npy", f"{d}/m.png"])),
            "6-panel curves": (best_of([VIZ, "curves", f"{d}/a.jsonl", f"{d}/b.jsonl", "--labels", "Base,Re4", "--metrics",
                                        "test_recall@20,test_recall@50,test_ndcg@20,test_ndcg@50,test_hitrate@20,test_hitrate@50",
                                        "--out", f"{d}/c.png"]),
                               best_of([py, "-c", MPL_CURVES, f"{d}/a.jsonl", f"{d}/b.jsonl", f"{d}/mc.png"])),
        }
    print("| figure | re4-viz s | matplotlib s | ratio |")
    print("|---|---|---|---|")
    for k, (a, b) in rows.items():
        print(f"| {k} | {a:.2f} | {b:.2f} | {a / b:.2f}× |")


if __name__ == "__main__":
    main()

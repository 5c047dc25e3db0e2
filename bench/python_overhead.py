"""What a call of the re4viz package costs over running the executable directly
(issue: Python and Jupyter): the same job both ways, best of 5, in one process.

    RE4_BIN=.build/release PYTHONPATH=python python3 bench/python_overhead.py

Jobs: t-SNE of a 2,000 × 16 array (array in, array out) and distinctness of two
interest bundles (DataFrame out). The package's side includes writing the
inputs, running the executable, reading the outputs and removing its temporaries.
"""
import os, subprocess, tempfile, time

import numpy as np
import re4viz


def best(f, n=5):
    t = []
    for _ in range(n):
        t0 = time.perf_counter(); f(); t.append(time.perf_counter() - t0)
    return min(t)


def main():
    binary = os.path.join(os.environ["RE4_BIN"], "re4-viz")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 16)).astype(np.float32)
    users, K, d, n, L = 500, 4, 32, 2000, 20
    E = rng.normal(size=(n + 1, d)).astype(np.float32); E[0] = 0
    H = rng.integers(1, n + 1, size=(users, L)).astype(np.int64)
    with tempfile.TemporaryDirectory() as tmp:
        np.save(f"{tmp}/x.npy", X)
        a = re4viz.bundle(interests=rng.normal(size=(users, K, d)).astype(np.float32), items=E, histories=H, folder=f"{tmp}/a")
        b = re4viz.bundle(interests=rng.normal(size=(users, K, d)).astype(np.float32), items=E, histories=H, folder=f"{tmp}/b")
        cli = {
            "tsne 2,000 × 16": lambda: subprocess.run([binary, "embed", f"{tmp}/x.npy", "--out", f"{tmp}/y.npy", "--threads", "2"],
                                                     check=True, capture_output=True),
            "distinct, 2 bundles × 500 users": lambda: subprocess.run([binary, "distinct", a, b, "--format", "csv"], check=True, capture_output=True),
        }
        py = {
            "tsne 2,000 × 16": lambda: re4viz.tsne(X, threads=2),
            "distinct, 2 bundles × 500 users": lambda: re4viz.distinct([a, b]),
        }
        print("| job | CLI s | re4viz s | re4viz / CLI | overhead s |\n|---|---|---|---|---|")
        for job in cli:
            c, p = best(cli[job]), best(py[job])
            print(f"| {job} | {c:.3f} | {p:.3f} | {p / c:.2f} | {p - c:+.3f} |")


if __name__ == "__main__":
    main()

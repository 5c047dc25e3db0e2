"""t-SNE side by side: re4-viz tsne (pure Swift) vs openTSNE 1.0.4 (BH, FFT) and
scikit-learn, each at its defaults with 2 threads, on the same seeded Gaussian
mixture (20 clusters, D = 64). Every embedding is scored by the same code
against one shared P (perplexity-30 affinities, openTSNE's code, exact neighbours
by default): exact KL(P||Q),
kNN10 preservation (exact neighbours) and trustworthiness T(10).

    .venv-bench/bin/python bench/tsne_compare.py --sizes 2000 10000 [--skip-sklearn-above 10000]
    .venv-bench/bin/python bench/tsne_compare.py --sizes 50000 --methods fft --score-up-to 10000
    .venv-bench/bin/python bench/tsne_compare.py --sizes --points items.npy     # real embeddings (re4 export)

Prints a Markdown table; wall seconds are ratios' inputs, not absolutes.
"""
import argparse, os, subprocess, sys, tempfile, time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def mixture(n, d=64, k=20, seed=42):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 10, (k, d))
    labels = np.arange(n) % k
    return (centres[labels] + rng.normal(0, 1, (n, d))).astype(np.float32), labels


def exact_kl(P, Y, chunk=2048, dof=1.0):
    """KL(P||Q) = sum p log p - sum p log w + log Z, Z over all pairs i != j,
    w = (1 + d^2/dof)^-dof (dof 1: the Cauchy kernel)."""
    P = P.tocoo()
    w = (1.0 + ((Y[P.row] - Y[P.col]) ** 2).sum(1) / dof) ** -dof
    Z = 0.0
    sq = (Y ** 2).sum(1)
    for s in range(0, len(Y), chunk):
        d2 = sq[s:s + chunk, None] + sq[None, :] - 2 * Y[s:s + chunk] @ Y.T
        Z += ((1.0 + np.maximum(d2, 0) / dof) ** -dof).sum() - min(chunk, len(Y) - s)
    p = P.data
    return float((p * np.log(p)).sum() - (p * np.log(w)).sum() + np.log(Z))


def knn(X, k, chunk=1024):
    X = X.astype(np.float64)
    sq = (X ** 2).sum(1)
    out = np.empty((len(X), k), dtype=np.int64)
    for s in range(0, len(X), chunk):
        d2 = sq[s:s + chunk, None] + sq[None, :] - 2 * X[s:s + chunk] @ X.T
        for r in range(d2.shape[0]):
            d2[r, s + r] = np.inf
        idx = np.argpartition(d2, k, axis=1)[:, :k]
        order = np.take_along_axis(d2, idx, 1).argsort(1)
        out[s:s + chunk] = np.take_along_axis(idx, order, 1)
    return out


def knn_kept(X, Y, k=10, a=None):
    a = knn(X, k) if a is None else a
    b = knn(Y, k)
    return float(np.mean([len(set(a[i]) & set(b[i])) / k for i in range(len(X))]))


def trustworthiness(X, Y, k=10, chunk=512):
    """sklearn.manifold.trustworthiness's formula, computed in chunks."""
    n = len(X)
    X = X.astype(np.float64)
    nn_out = knn(Y, k)
    sq = (X ** 2).sum(1)
    t = 0.0
    for s in range(0, n, chunk):
        d2 = sq[s:s + chunk, None] + sq[None, :] - 2 * X[s:s + chunk] @ X.T
        for r in range(d2.shape[0]):
            d2[r, s + r] = -np.inf
        ranks = np.empty_like(d2, dtype=np.int64)
        order = np.argsort(d2, axis=1, kind="stable")
        np.put_along_axis(ranks, order, np.arange(n)[None, :].repeat(d2.shape[0], 0), 1)
        r = np.take_along_axis(ranks, nn_out[s:s + chunk], 1) - k
        t += r[r > 0].sum()
    return float(1 - 2.0 / (n * k * (2 * n - 3 * k - 1)) * t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[2000, 10000])
    ap.add_argument("--skip-sklearn-above", type=int, default=10000)
    ap.add_argument("--methods", nargs="+", default=["bh", "fft"], help="gradient methods to run for re4-viz and openTSNE")
    ap.add_argument("--score-up-to", type=int, default=1 << 30, help="above this N report wall time only (scoring is O(N^2 log N))")
    ap.add_argument("--trust-up-to", type=int, default=20000, help="above this N leave T(10) out (it ranks all N per point)")
    ap.add_argument("--shared-p", choices=["exact", "opentsne"], default="exact",
                    help="the P every embedding is scored against: perplexity-30 affinities from exact neighbours "
                         "(default), or openTSNE's own default (approximate neighbours above 1,000 points)")
    ap.add_argument("--dof", type=float, default=1.0, help="degrees of freedom of the kernel, both tools (scikit-learn left out when not 1)")
    ap.add_argument("--points", help="also embed this .npy (rows = points), e.g. item embeddings from `re4 export`")
    a = ap.parse_args()
    import openTSNE
    from openTSNE.affinity import PerplexityBasedNN
    from sklearn.manifold import TSNE as SKTSNE
    swift = os.path.join(ROOT, ".build", "release", "re4-viz")
    rows = []
    inputs = [(n, mixture(n)[0], f"{n:,}") for n in a.sizes]
    if a.points:
        X = np.load(a.points).astype(np.float32)
        if np.allclose(X[0], 0):
            X = X[1:]                     # row 0 of re4 export's items.npy is the padding row
        inputs.append((len(X), X, f"{len(X):,} ({os.path.basename(a.points)})"))
    for n, X, label in inputs:
        P = PerplexityBasedNN(X, perplexity=30, n_jobs=2, random_state=42, verbose=False,
                              method="exact" if a.shared_p == "exact" else "auto").P
        results = []
        with tempfile.TemporaryDirectory() as tmp:
            np.save(os.path.join(tmp, "x.npy"), X)
            for method in a.methods:
                t = time.perf_counter()
                subprocess.run([swift, "embed", os.path.join(tmp, "x.npy"), "--out", os.path.join(tmp, "y.npy"),
                                "--method", method, "--threads", "2", "--seed", "42", "--dof", str(a.dof)], check=True, stdout=subprocess.DEVNULL)
                results.append((f"re4-viz {method}", time.perf_counter() - t, np.load(os.path.join(tmp, "y.npy")).astype(np.float64)))
        for method in a.methods:
            t = time.perf_counter()
            Y = np.asarray(openTSNE.TSNE(negative_gradient_method=method, n_jobs=2, random_state=42, dof=a.dof).fit(X))
            results.append((f"openTSNE {method}", time.perf_counter() - t, Y))
        if n <= a.skip_sklearn_above and a.dof == 1:
            t = time.perf_counter()
            Y = SKTSNE(n_jobs=2, random_state=42).fit_transform(X)
            results.append(("scikit-learn", time.perf_counter() - t, Y))
        kx = knn(X, 10) if n <= a.score_up_to else None
        for name, secs, Y in results:
            if n <= a.score_up_to:
                t10 = trustworthiness(X, Y) if n <= a.trust_up_to else float("nan")
                rows.append((label, name, secs, exact_kl(P, Y, dof=a.dof), knn_kept(X, Y, a=kx), t10))
            else:
                rows.append((label, name, secs, float("nan"), float("nan"), float("nan")))
            print("%s %s %.1fs KL %.3f kNN %.3f T %.3f" % rows[-1], file=sys.stderr)
    print("| N | method | wall s | exact KL | kNN10 kept | T(10) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(("| %s | %s | %.1f | %.3f | %.3f | %.3f |" % r).replace("nan", "–"))


if __name__ == "__main__":
    main()

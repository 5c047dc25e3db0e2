"""t-SNE of a whole catalogue: re4-viz tsne (approximate neighbours) against
openTSNE 1.0.4 (Annoy neighbours, FFT gradients, 2 threads), in the same run,
each as its own process (wall time and peak RSS).

Quality on a seeded sample of 20,000 points, against exact neighbours in the
input: kNN10 preserved = the share of each sampled point's 10 nearest input
neighbours that are among its 10 nearest points in the embedding. For re4-viz
also the recall of its k = 90 neighbour graph (--neighbors-out) against the
exact 90 nearest neighbours of the sample.

    .venv-bench/bin/python bench/tsne_scale.py --n 368000          # a 368,000 × 64 Gaussian mixture
    .venv-bench/bin/python bench/tsne_scale.py --input items.npy    # e.g. a model's item embeddings
"""
import argparse, json, os, resource, subprocess, sys, time
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=368_000)
ap.add_argument("--input")
ap.add_argument("--sample", type=int, default=20_000)
ap.add_argument("--out", default="/tmp/tsne-scale")
ap.add_argument("--skip-opentsne", action="store_true")
ap.add_argument("--opentsne-timeout", type=float, default=None,
                help="seconds; openTSNE is stopped after this and reported as not finished")
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
if a.input:
    X = np.load(a.input).astype(np.float32)
else:
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(200, 64)) * 2
    X = (centres[rng.integers(0, 200, a.n)] + rng.normal(size=(a.n, 64))).astype(np.float32)
xpath = os.path.join(a.out, "x.npy")
np.save(xpath, X)
n = X.shape[0]


def timed(cmd, timeout=None):
    t = time.perf_counter()
    # Its own process group, so a timeout stops the tool and not only /usr/bin/time.
    p = subprocess.Popen(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
        p.communicate()
        return None, None, None
    r = subprocess.CompletedProcess(cmd, p.returncode, out, err)
    if r.returncode != 0:
        sys.exit(r.stderr[-2000:])
    return time.perf_counter() - t, int(r.stderr.strip().splitlines()[-1]) / 1024, r.stdout


results = {}
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
re4viz = os.path.join(repo, ".build/release/re4-viz")
wall, rss, out = timed([re4viz, "embed", xpath, "--out", os.path.join(a.out, "y-re4.npy"),
                        "--neighbors-out", os.path.join(a.out, "knn-re4.npy"), "--threads", "2"])
results["re4-viz"] = {"wall": wall, "peak_MB": rss, "line": out.strip()}
if not a.skip_opentsne:
    code = ("import numpy as np, openTSNE, sys; X = np.load(sys.argv[1]); "
            "Y = openTSNE.TSNE(neighbors='annoy', negative_gradient_method='fft', n_jobs=2, random_state=42).fit(X); "
            "np.save(sys.argv[2], np.asarray(Y))")
    wall, rss, _ = timed([sys.executable, "-c", code, xpath, os.path.join(a.out, "y-opentsne.npy")], a.opentsne_timeout)
    if wall is None:
        print(f"openTSNE did not finish within {a.opentsne_timeout:.0f} s", flush=True)
    else:
        results["openTSNE"] = {"wall": wall, "peak_MB": rss}

# Exact neighbours of the sample, in blocks (squared distances via the norms).
rng = np.random.default_rng(7)
S = np.sort(rng.choice(n, size=min(a.sample, n), replace=False))
norms = (X.astype(np.float64) ** 2).sum(1)
def exact_knn(Z, rows, k, zn):
    out = np.empty((len(rows), k), dtype=np.int64)
    ZT = Z.T.astype(np.float64)
    step = max(100, min(1000, 300_000_000 // len(Z)))   # a block's distances stay near 2.4 GB at any n
    for s in range(0, len(rows), step):
        r = rows[s:s + step]
        d = zn[r, None] + zn[None, :] - 2 * (Z[r].astype(np.float64) @ ZT)
        d[np.arange(len(r)), r] = np.inf
        part = np.argpartition(d, k, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(d, part, 1), axis=1)
        out[s:s + step] = np.take_along_axis(part, order, 1)
    return out
K90 = exact_knn(X, S, 90, norms)
K10 = K90[:, :10]
knn = np.load(os.path.join(a.out, "knn-re4.npy"))
results["re4-viz"]["recall90"] = float(np.mean([len(set(knn[s]) & set(K90[i])) / 90 for i, s in enumerate(S)]))
for name, f in (("re4-viz", "y-re4.npy"), ("openTSNE", "y-opentsne.npy")):
    if name not in results:
        continue
    Y = np.load(os.path.join(a.out, f)).astype(np.float64)
    yn = (Y ** 2).sum(1)
    Y10 = exact_knn(Y, S, 10, yn)
    results[name]["knn10_preserved"] = float(np.mean([len(set(Y10[i]) & set(K10[i])) / 10 for i in range(len(S))]))
print(json.dumps(results, indent=1))
if "openTSNE" in results:
    r, o = results["re4-viz"], results["openTSNE"]
    print(f"| {n:,} × {X.shape[1]} | {r['wall']:.0f} s | {o['wall']:.0f} s | {r['wall'] / o['wall']:.2f}× | "
          f"{r['knn10_preserved']:.3f} | {o['knn10_preserved']:.3f} | {r['peak_MB']:.0f} MB | {o['peak_MB']:.0f} MB | {r['recall90']:.3f} |")

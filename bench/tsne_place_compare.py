"""Placement of new points into a fixed t-SNE map: re4-viz against openTSNE's
`TSNEEmbedding.transform`, in the same run.

Each tool embeds the same reference points and places the same new points with
its own defaults (perplexity 5, k = 25, 250 iterations, lr 0.1, exaggeration
1.5, gradient clip 0.25). Our reference map is then aligned onto openTSNE's by a
Procrustes fit (rotation/reflection, scale, shift) over the reference points,
and the same transform is applied to our placed points. Reported: the distance
between the two placements as a share of the map's extent, and for each tool
the share of new points whose 10 nearest reference points on the map are of
the new point's own cluster (how often a placement lands where it belongs).

    .venv-bench/bin/python bench/tsne_place_compare.py [--reference 5000] [--new 500]
"""
import argparse, subprocess, tempfile, time
import numpy as np
from scipy.linalg import orthogonal_procrustes
from openTSNE import TSNE

p = argparse.ArgumentParser()
p.add_argument("--reference", type=int, default=5000)
p.add_argument("--new", type=int, default=500)
p.add_argument("--dim", type=int, default=32)
p.add_argument("--clusters", type=int, default=10)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--re4-viz", default=".build/release/re4-viz")
a = p.parse_args()

rng = np.random.default_rng(7)
centres = rng.normal(0, 6, (a.clusters, a.dim))
lab = rng.integers(0, a.clusters, a.reference + a.new)
x = (centres[lab] + rng.normal(0, 1, (len(lab), a.dim))).astype(np.float32)
ref, new, ref_lab, new_lab = x[:a.reference], x[a.reference:], lab[:a.reference], lab[a.reference:]

def belongs(y_ref, y_new):
    d = ((y_new[:, None, :] - y_ref[None, :, :]) ** 2).sum(-1)
    nn = np.argsort(d, 1)[:, :10]
    return float((np.mean(ref_lab[nn] == new_lab[:, None], 1) > 0.5).mean())

with tempfile.TemporaryDirectory() as t:
    np.save(f"{t}/ref.npy", ref); np.save(f"{t}/new.npy", new)
    base = [a.re4_viz, "embed", f"{t}/ref.npy", "--out", f"{t}/refy.npy", "--threads", str(a.threads)]
    out = subprocess.run(base + ["--place", f"{t}/new.npy", "--placed-out", f"{t}/newy.npy"], check=True,
                         capture_output=True, text=True).stdout
    # "placed N new points … in S s → path": the placement's own wall time.
    t_ours = float(out.split("placed ")[1].split(" in ")[1].split("s ")[0])
    ours_ref, ours_new = np.load(f"{t}/refy.npy").astype(float), np.load(f"{t}/newy.npy").astype(float)

emb = TSNE(perplexity=30, n_jobs=a.threads, random_state=42).fit(ref)
t0 = time.time(); theirs_new = np.asarray(emb.transform(new)); t_theirs = time.time() - t0
theirs_ref = np.asarray(emb)

# Align our map onto openTSNE's: centre, rotate/reflect, scale, shift.
mo, mt = ours_ref.mean(0), theirs_ref.mean(0)
R, _ = orthogonal_procrustes(ours_ref - mo, theirs_ref - mt)
s = np.trace((theirs_ref - mt).T @ ((ours_ref - mo) @ R)) / np.trace((ours_ref - mo).T @ (ours_ref - mo))
align = lambda y: (y - mo) @ R * s + mt
extent = np.ptp(theirs_ref, 0).max()
gap = np.linalg.norm(align(ours_new) - theirs_new, axis=1) / extent

print(f"reference {a.reference} × {a.dim}, {a.clusters} clusters; {a.new} new points; {a.threads} threads")
print("| | re4-viz | openTSNE |")
print("|---|---|---|")
print(f"| placed among their own cluster (10 nearest reference points) | {belongs(ours_ref, ours_new):.3f} | {belongs(theirs_ref, theirs_new):.3f} |")
print(f"| placement wall time, s | {t_ours:.2f} | {t_theirs:.2f} |")
print(f"distance between the two placements after alignment: median {np.median(gap):.4f}, "
      f"90th percentile {np.quantile(gap, 0.9):.4f} of the map's extent")
print(f"placement wall-time ratio re4-viz / openTSNE: {t_ours / t_theirs:.2f}")

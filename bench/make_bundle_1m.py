# The synthetic million-item interest bundle of the explorer benchmark (bench/README.md § Explorer):
# python3 bench/make_bundle_1m.py [ITEMS [FOLDER]]  → bundle-1m/ in the current folder (about 90 MB);
# python3 bench/make_bundle_1m.py 368000 bundle-368k  → the mid-size row.
import numpy as np, json, os, csv, sys
rng = np.random.default_rng(7)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
d, C, U, K, L = 16, 50, 200, 4, 20
centers = rng.normal(size=(C, d)).astype(np.float32) * 3
cat = rng.integers(0, C, size=n)
E = np.zeros((n + 1, d), np.float32)
E[1:] = centers[cat] + rng.normal(size=(n, d)).astype(np.float32)
H = rng.integers(1, n + 1, size=(U, L)).astype(np.int64)
ucats = rng.integers(0, C, size=(U, K))
Uint = (centers[ucats] + 0.5 * rng.normal(size=(U, K, d))).astype(np.float32)
out = sys.argv[2] if len(sys.argv) > 2 else "bundle-1m"; os.makedirs(out, exist_ok=True)
np.save(f"{out}/interests.npy", Uint); np.save(f"{out}/items.npy", E); np.save(f"{out}/histories.npy", H)
with open(f"{out}/items.csv", "w", newline="") as f:
    w = csv.writer(f); w.writerow(["id", "title", "genres"])
    for i in range(1, n + 1): w.writerow([i, f"item {i}", f"c{cat[i-1]}"])
json.dump({"format": 1, "model": "synthetic-1m", "padding_row": True, "metric": "dot"}, open(f"{out}/bundle.json", "w"))
print("ok")

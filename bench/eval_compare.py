"""Full-gallery top-50 retrieval, re4 (Swift, blocked sgemm + streaming top-N)
vs faiss-cpu IndexFlatIP + max-merge over interests, on the same exported
arrays (`re4 export`: items.npy, interests.npy), same thread count.

    re4 export --checkpoint runs/x/best.safetensors --data ml-1m --out /tmp/exp
    .venv-bench/bin/python bench/eval_compare.py /tmp/exp --threads 2
"""
import argparse, json, os, subprocess, time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    import faiss
    faiss.omp_set_num_threads(a.threads)
    E = np.load(os.path.join(a.export, "items.npy"))[1:].astype(np.float32)
    U = np.load(os.path.join(a.export, "interests.npy")).astype(np.float32)
    users, K, d = U.shape
    best = float("inf")
    search_only = float("inf")
    for _ in range(a.repeats):
        t = time.perf_counter()
        index = faiss.IndexFlatIP(d)
        index.add(E)
        D, I = index.search(U.reshape(-1, d), 50)
        search_only = min(search_only, time.perf_counter() - t)
        D, I = D.reshape(users, K * 50), I.reshape(users, K * 50)
        tops = []
        for u in range(users):   # max-merge over interests: best score per item, top 50
            order = np.argsort(-D[u], kind="stable")
            seen, top = set(), []
            for j in order:
                if I[u, j] not in seen:
                    seen.add(I[u, j]); top.append(I[u, j] + 1)
                    if len(top) == 50:
                        break
            tops.append(top)
        best = min(best, time.perf_counter() - t)
    out = subprocess.run([os.path.join(ROOT, ".build", "release", "re4"), "bench", "--retrieval", a.export,
                          "--threads", str(a.threads), "--repeats", str(a.repeats)], check=True, capture_output=True, text=True)
    ours = json.loads(out.stdout)
    print(json.dumps({"users": users, "K": K, "items": len(E), "faiss_search_s": search_only,
                      "faiss_search_and_merge_s": best, "re4_s": ours["seconds"],
                      "ratio_vs_faiss_search": search_only / ours["seconds"],
                      "ratio_vs_faiss_with_merge": best / ours["seconds"]}))


if __name__ == "__main__":
    main()

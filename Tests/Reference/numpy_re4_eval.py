"""Independent NumPy evaluation of a Re4-encoder checkpoint (docs/model.md 2.1, docs/protocol.md 5).

Reads a safetensors state_dict (the authors' PyTorch names) and a JSON file of
evaluation users ({"histories": [[...L ids, 0-padded]], "truths": [[...]]}),
computes the interests U, ranks the full gallery by max_k U_k . e_j (ties by
smaller id), and prints Recall / HitRate / NDCG (standard, comirec, re4) @20/@50
as JSON. Used by the Swift tests as an oracle, and by hand to check that
`re4 evaluate` agrees with another implementation.

    python3 numpy_re4_eval.py weights.safetensors users.json
"""
import json, math, sys

import numpy as np


def interests(w, hist):
    E = w["embedding_layer.weight"].astype(np.float64)
    X = E[hist]                                             # B,L,d
    mask = hist > 0
    logits = np.einsum("kh,blh->bkl", w["W1_2"], np.tanh(np.einsum("hd,bld->blh", w["W1"], X)))
    logits = np.where(mask[:, None, :], logits, -1e9)
    logits = logits - logits.max(-1, keepdims=True)
    A = np.exp(logits)
    A /= A.sum(-1, keepdims=True)
    Z = A @ (X @ w["W2"])
    return np.tanh(Z @ w["fc1.weight"].T + w["fc1.bias"])


def ndcg(top, gt, conv):
    g = lambda r: 1.0 / math.log2(r + 2)
    s = set(gt)
    hits = [r for r, i in enumerate(top) if i in s]
    if not hits:
        return 0.0
    dcg = sum(g(r) for r in hits)
    if conv == "standard":
        return dcg / sum(g(r) for r in range(min(len(s), len(top))))
    idcg = sum(g(r) for r in range(len(hits)))
    if conv == "re4":
        ts = set(top)
        dcg = sum(g(p) for p, i in enumerate(gt) if i in ts)
    return dcg / idcg


def add_user(out, ranked, gt):
    """Adds one user's metrics at 20 and 50 to `out`; `ranked`: item ids, best first."""
    for n in (20, 50):
        top = ranked[:n]
        found = [i for i in top if i in set(gt)]
        out[f"recall@{n}"] += len(found) / len(gt)
        out[f"hitrate@{n}"] += 1.0 if found else 0.0
        out[f"ndcg@{n}"] += ndcg(top, gt, "standard")
        out[f"ndcg_comirec@{n}"] += ndcg(top, gt, "comirec")
        out[f"ndcg_re4@{n}"] += ndcg(top, gt, "re4")


def main():
    from safetensors.numpy import load_file  # here, so that ndcg() imports without safetensors
    w = load_file(sys.argv[1])
    users = json.load(open(sys.argv[2]))
    hist = np.array(users["histories"], dtype=np.int64)
    U = interests(w, hist)
    E = w["embedding_layer.weight"].astype(np.float64)
    scores = np.einsum("bkd,nd->bkn", U, E[1:]).max(1)      # B, n (item j at column j-1)
    out = {}
    for n in (20, 50):
        for k in ("recall", "hitrate", "ndcg", "ndcg_comirec", "ndcg_re4"):
            out[f"{k}@{n}"] = 0.0
    for b, gt in enumerate(users["truths"]):
        order = np.lexsort((np.arange(scores.shape[1]), -scores[b]))[:50] + 1
        add_user(out, [int(i) for i in order], gt)
    print(json.dumps({k: v / len(users["truths"]) for k, v in out.items()}))


if __name__ == "__main__":
    main()

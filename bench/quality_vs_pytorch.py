"""Training quality against PyTorch (issue: interest collapse, "a standing check").

Both sides train Base and Re4 on one ComiRec-style split of ML-1M, with the same
epochs of the same size, three seeds each; both are scored by the same code
(`re4 evaluate` reads the PyTorch state dicts), at each side's best validation
epoch. The PyTorch side is bench/pytorch_re4.py's model and loss (the authors'
module and losses restated, docs/model.md) with Adam(lr 0.003, weight_decay
1e-6), min(5000, available) negatives without replacement from non-targets.

    .venv-bench/bin/python bench/quality_vs_pytorch.py --out ../quality [--epochs 4]
        [--samples 204800] [--seeds 1,2,3] [--threads 1] [--re4 .build/release/re4]

Resumable: every finished run (its log, its evaluations) is kept in --out and
skipped. Prints a Markdown table of test and validation Recall@50 per side and
seed, the means and the Welch t-test of the two sides' seed means.
"""
import argparse, json, math, os, random, subprocess, sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from pytorch_re4 import Re4Model, batch, negatives, train_step  # noqa: E402


def write_split(out):
    """ML-1M as ComiRec files: users with >= 5 ratings, time-sorted, items numbered
    1..n by first appearance, users split 80/10/10 by a seeded shuffle."""
    prefix = os.path.join(out, "ml1m")
    if os.path.exists(prefix + "_test.txt"):
        return prefix
    cache = os.environ.get("RE4_CACHE", os.path.expanduser("~/.cache/re4"))
    path = os.path.join(cache, "ml-1m", "ml-1m.inter")
    seqs = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        ui, ii, ti = (header.index(c) for c in ("user_id:token", "item_id:token", "timestamp:float"))
        for n, line in enumerate(f):
            p = line.rstrip("\n").split("\t")
            seqs.setdefault(p[ui], []).append((float(p[ti]), n, p[ii]))
    users = sorted(u for u in seqs if len(seqs[u]) >= 5)
    ids = {}
    for u in users:
        seqs[u] = [i for _, _, i in sorted(seqs[u])]
        for i in seqs[u]:
            ids.setdefault(i, len(ids) + 1)
    random.Random(2022).shuffle(users)
    a, b = int(0.8 * len(users)), int(0.9 * len(users))
    for part, us in (("train", users[:a]), ("valid", users[a:b]), ("test", users[b:])):
        with open(f"{prefix}_{part}.txt.tmp", "w") as f:
            for u in us:
                for t, i in enumerate(seqs[u]):
                    f.write(f"{u},{ids[i]},{t}\n")
    for part in ("train", "valid", "test"):
        os.replace(f"{prefix}_{part}.txt.tmp", f"{prefix}_{part}.txt")
    return prefix


def read_train(prefix):
    seqs = {}
    with open(prefix + "_train.txt") as f:
        for line in f:
            u, i, t = line.rstrip("\n").split(",")
            seqs.setdefault(u, []).append((int(t), int(i)))
    n = 0
    out = []
    for u in seqs:
        s = [i for _, i in sorted(seqs[u])]
        out.append(s)
        n = max(n, max(s))
    for part in ("valid", "test"):
        with open(f"{prefix}_{part}.txt") as f:
            for line in f:
                n = max(n, int(line.split(",")[1]))
    return out, n


def evaluate(re4, model, prefix, split, threads):
    r = subprocess.run([re4, "evaluate", model, "--data", prefix + "_train.txt", "--split", split, "--json",
                        "--threads", str(threads)], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"re4 evaluate {model}: {r.stderr.strip()}")
    return json.loads(r.stdout)["recall@50"]


def torch_run(a, prefix, seqs, n, seed, base):
    """Trains one PyTorch model; after each epoch its state dict is saved and
    scored on validation and test by re4 evaluate. Returns [(valid, test)]."""
    folder = os.path.join(a.out, f"torch-{'base' if base else 're4'}-s{seed}")
    os.makedirs(folder, exist_ok=True)
    done = os.path.join(folder, "scores.json")
    if os.path.exists(done):
        return json.load(open(done))
    torch.manual_seed(seed)
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(seed)
    L = 20
    ex = np.array([(u, p) for u, s in enumerate(seqs) for p in range(1, len(s))])
    model = Re4Model(n, flows=not base)
    opt = torch.optim.Adam(model.parameters(), lr=0.003, weight_decay=1e-6)
    lam = (0, 0, 0) if base else (0.001, 0.1, 0.1)
    B, scores = 1024, []
    for epoch in range(1, a.epochs + 1):
        order = rng.permutation(len(ex))[: a.samples]
        for s in range(0, len(order), B):
            hist, tgt = batch(seqs, ex[order[s:s + B]], L)
            train_step(model, opt, hist, tgt, negatives(tgt, n, 5000, rng), lam)
        pt = os.path.join(folder, f"epoch-{epoch}.pt")
        torch.save(model.state_dict(), pt)
        scores.append((evaluate(a.re4, pt, prefix, "valid", a.threads), evaluate(a.re4, pt, prefix, "test", a.threads)))
        print(f"torch {'base' if base else 're4'} s{seed} epoch {epoch}: valid {scores[-1][0]:.4f} test {scores[-1][1]:.4f}", file=sys.stderr)
    json.dump(scores, open(done + ".tmp", "w"))
    os.replace(done + ".tmp", done)
    return scores


def swift_run(a, prefix, seed, base):
    folder = os.path.join(a.out, f"swift-{'base' if base else 're4'}-s{seed}")
    log = os.path.join(folder, "log.jsonl")
    rows = [json.loads(l) for l in open(log)] if os.path.exists(log) else []
    if len(rows) < a.epochs:
        cmd = [a.re4, "train", "--data", prefix + "_train.txt", "--seed", str(seed), "--epochs", str(a.epochs),
               "--samples-per-epoch", str(a.samples), "--threads", str(a.threads), "--out", folder]
        if base:
            cmd.append("--base")
        if rows:
            cmd.append("--resume")
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            sys.exit(f"re4 train into {folder}: {r.stderr.strip().splitlines()[-1]}")
        rows = [json.loads(l) for l in open(log)]
    return [(r["valid_recall@50"], r["test_recall@50"]) for r in rows]


def best(scores):
    """The best validation epoch (earliest on ties): its (valid, test)."""
    i = max(range(len(scores)), key=lambda e: (scores[e][0], -e))
    return i + 1, scores[i]


def welch(x, y):
    mx, my = sum(x) / len(x), sum(y) / len(y)
    vx = sum((v - mx) ** 2 for v in x) / (len(x) - 1)
    vy = sum((v - my) ** 2 for v in y) / (len(y) - 1)
    se = math.sqrt(vx / len(x) + vy / len(y))
    t = (mx - my) / se if se > 0 else 0.0
    df = (vx / len(x) + vy / len(y)) ** 2 / ((vx / len(x)) ** 2 / (len(x) - 1) + (vy / len(y)) ** 2 / (len(y) - 1)) if se > 0 else 1
    from scipy import stats
    return t, 2 * stats.t.sf(abs(t), df)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--samples", type=int, default=204800)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--variants", default="re4,base")
    ap.add_argument("--re4", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "re4"))
    a = ap.parse_args()
    a.re4 = os.path.abspath(a.re4)
    os.makedirs(a.out, exist_ok=True)
    prefix = write_split(a.out)
    seqs, n = read_train(prefix)
    seeds = [int(s) for s in a.seeds.split(",")]
    print(f"ML-1M ComiRec split: {len(seqs)} training users, {n} items; {a.epochs} epochs of {a.samples} examples; "
          f"torch {torch.__version__}, {a.threads} thread(s) per side\n")
    print("| variant | side | seed | best epoch | valid Recall@50 | test Recall@50 |\n|---|---|---|---|---|---|")
    summary = []
    for v in a.variants.split(","):
        got = {"re4 (Swift)": [], "PyTorch": []}
        for s in seeds:
            for side, scores in (("re4 (Swift)", swift_run(a, prefix, s, v == "base")),
                                 ("PyTorch", torch_run(a, prefix, seqs, n, s, v == "base"))):
                e, (va, te) = best(scores)
                got[side].append((va, te))
                print(f"| {v} | {side} | {s} | {e} | {va:.4f} | {te:.4f} |", flush=True)
        for k, name in ((0, "valid"), (1, "test")):
            x = [r[k] for r in got["re4 (Swift)"]]
            y = [r[k] for r in got["PyTorch"]]
            t, p = welch(x, y) if len(seeds) > 1 else (float("nan"), float("nan"))
            summary.append(f"| {v} | {name} | {sum(x) / len(x):.4f} | {sum(y) / len(y):.4f} | {sum(x) / len(x) - sum(y) / len(y):+.4f} | {p:.3f} |")
    print("\n| variant | split | Swift mean | PyTorch mean | Swift − PyTorch | Welch p |\n|---|---|---|---|---|---|")
    print("\n".join(summary))


if __name__ == "__main__":
    main()

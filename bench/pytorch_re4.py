"""PyTorch CPU reference of the Re4 / ComiRec model of docs/model.md, for throughput
comparison with `re4 train` (same data, batch, shapes, negatives and threads).

It follows docs/model.md sections 2.1 and 3.1-3.5: the authors' self-attentive
extractor, sampled softmax with hard interest selection over min(5000,
available) negatives drawn without replacement from non-targets, Re-attend,
Re-contrast (tau = 0.02) and Re-construct, Adam(lr 0.003, weight_decay 1e-6).

    python bench/pytorch_re4.py --data ml-1m --threads 2 --batches 30 [--base]

Prints one JSON line: {"impl": "pytorch", "variant": ..., "examples_per_s": ...}.
"""
import argparse, csv, json, os, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_sequences(name):
    """Per-user item sequences, time-sorted (stable), items renumbered 1..n."""
    if name == "ml-1m" or name == "ml-100k":
        cache = os.environ.get("RE4_CACHE", os.path.expanduser("~/.cache/re4"))
        path = os.path.join(cache, name, name + ".inter")
        rows = []
        with open(path, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
            ui, ii, ti = (header.index(c) for c in ("user_id:token", "item_id:token", "timestamp:float"))
            for line in f:
                p = line.rstrip("\n").split("\t")
                rows.append((p[ui], p[ii], float(p[ti])))
    else:
        path = os.path.join(os.path.dirname(__file__), "..", "data", "ml-latest-small", "ratings.csv")
        with open(path, encoding="utf-8") as f:
            r = csv.reader(f)
            next(r)
            rows = [(u, i, float(t)) for u, i, _, t in r]
    users, items = {}, {}
    for n, (u, i, t) in enumerate(rows):
        users.setdefault(u, []).append((t, n, i))
        items.setdefault(i, len(items) + 1)
    seqs = [[items[i] for _, _, i in sorted(v)] for v in users.values() if len(v) >= 2]
    return seqs, len(items)


class Re4Model(nn.Module):
    def __init__(self, n, d=64, K=4, L=20, H=256, flows=True):
        super().__init__()
        self.embedding_layer = nn.Embedding(n + 1, d)
        with torch.no_grad():
            self.embedding_layer.weight[0].zero_()
        self.W1 = nn.Parameter(torch.randn(H, d))
        self.W1_2 = nn.Parameter(torch.randn(K, H))
        self.W2 = nn.Parameter(torch.randn(d, d))
        self.fc1 = nn.Linear(d, d)
        if flows:
            self.W3 = nn.Parameter(torch.randn(d, d))
            self.W3_2 = nn.Parameter(torch.randn(L, d))
            self.W5 = nn.Parameter(torch.randn(d, d))
            self.fc_cons = nn.Linear(d, d * L)
        self.K, self.L, self.d = K, L, d

    def forward(self, hist, tgt, negs, lam_att, lam_ct, lam_cs, tau=0.02):
        return self.components(hist, tgt, negs, lam_att, lam_ct, lam_cs, tau)["total"]

    def components(self, hist, tgt, negs, lam_att, lam_ct, lam_cs, tau=0.02):
        B, L, d, K = hist.shape[0], self.L, self.d, self.K
        mask = hist > 0
        X = self.embedding_layer(hist)                                   # B,L,d
        logits = self.W1_2 @ torch.tanh(self.W1 @ X.transpose(1, 2))     # B,K,L
        logits = logits.masked_fill(~mask[:, None, :], -1e9)
        A = torch.softmax(logits, -1)
        Z = A @ (X @ self.W2)                                            # B,K,d
        U = torch.tanh(self.fc1(Z))
        e_t = self.embedding_layer(tgt)
        with torch.no_grad():
            ks = (U * e_t[:, None, :]).sum(-1).argmax(1)
        u = U[torch.arange(B), ks]
        pos = (u * e_t).sum(-1)
        neg = u @ self.embedding_layer(negs).T
        rec = (torch.logsumexp(torch.cat([pos[:, None], neg], 1), 1) - pos).mean()
        total = rec
        out = {"rec": rec}
        if lam_att:
            S = (Z @ X.transpose(1, 2)).masked_fill(~mask[:, None, :], -1e9)
            Ahat = torch.softmax(S, -1)
            att = -(Ahat * torch.log_softmax(logits, -1)).sum() / Ahat.sum()
            total = total + lam_att * att
            out["att"] = att
        length = mask.sum(1).clamp(max=L).float()
        posm = (A > (1.0 / length)[:, None, None]) & mask[:, None, :]
        if lam_ct:
            Zn = F.normalize(Z, dim=-1)
            Xn = F.normalize(X, dim=-1)
            s_own = (Zn @ Xn.transpose(1, 2) / tau).masked_fill(~mask[:, None, :], float("-inf"))
            eye = torch.eye(K, dtype=torch.bool)
            s_int = (Zn @ Zn.transpose(1, 2) / tau).masked_fill(eye, float("-inf"))
            Xp, mp = torch.roll(Xn, 1, 0), torch.roll(mask, 1, 0)
            s_oth = (Zn @ Xp.transpose(1, 2) / tau).masked_fill(~mp[:, None, :], float("-inf"))
            lden = torch.logsumexp(torch.cat([s_own, s_int, s_oth], -1), -1)
            ell = torch.where(posm, lden[..., None] - s_own, torch.zeros_like(s_own))
            out["ct"] = ell.sum() / (B * K * L)
            total = total + lam_ct * out["ct"]
        if lam_cs:
            C = self.fc_cons(Z).view(B, K, L, d)
            R = (torch.tanh(C @ self.W3.T) @ self.W3_2.T).transpose(-1, -2)
            R = R.masked_fill(~mask[:, None, None, :], -1e9)
            Xhat = torch.softmax(R, -1) @ (C @ self.W5)
            err = ((Xhat - X[:, None]) ** 2) * posm[..., None]
            out["cs"] = err.sum() / (B * K * L * d)
            total = total + lam_cs * out["cs"]
        out["total"] = total
        return out


def evaluate(model, users, L, N=50, chunk=512):
    """Recall@N of each held-out user: interests from the items before the 80 %
    cut, top-N over the whole gallery by the max over interests, as re4's
    evaluation does (docs/protocol.md)."""
    model.eval()
    hits = 0.0
    E = model.embedding_layer.weight
    with torch.no_grad():
        for s in range(0, len(users), chunk):
            part = users[s:s + chunk]
            hist = np.zeros((len(part), L), dtype=np.int64)
            truth = []
            for r, seq in enumerate(part):
                cut = int(0.8 * len(seq))
                h = seq[max(0, cut - L):cut][::-1]
                hist[r, :len(h)] = h
                truth.append(set(seq[cut:]))
            X = model.embedding_layer(torch.from_numpy(hist))
            mask = torch.from_numpy(hist > 0)
            logits = (model.W1_2 @ torch.tanh(model.W1 @ X.transpose(1, 2))).masked_fill(~mask[:, None, :], -1e9)
            U = torch.tanh(model.fc1(torch.softmax(logits, -1) @ (X @ model.W2)))       # B,K,d
            scores = (U @ E[1:].T).max(1).values                                       # B,n
            top = scores.topk(N, dim=1).indices + 1
            for r, t in enumerate(top.tolist()):
                hits += len(truth[r].intersection(t)) / max(1, len(truth[r]))
    model.train()
    return hits / max(1, len(users))


def batch(seqs, part, L):
    """The histories (most recent first, padded with 0 on the right) and targets
    of the (user, position) examples in part."""
    hist = np.zeros((len(part), L), dtype=np.int64)
    tgt = np.zeros(len(part), dtype=np.int64)
    for r, (u, p) in enumerate(part):
        h = seqs[u][max(0, p - L):p][::-1]
        hist[r, :len(h)] = h
        tgt[r] = seqs[u][p]
    return hist, tgt


def negatives(tgt, n, count, rng):
    """min(count, available) items drawn without replacement from those that are
    not a target of the batch (nor the padding item)."""
    is_t = np.zeros(n + 1, dtype=bool)
    is_t[tgt] = True
    is_t[0] = True
    pool = np.flatnonzero(~is_t)
    return pool if len(pool) <= count else rng.choice(pool, count, replace=False)


def train_step(model, opt, hist, tgt, negs, lam):
    """One Adam step on a batch; the padding row stays 0."""
    loss = model(torch.from_numpy(hist), torch.from_numpy(tgt), torch.from_numpy(negs), *lam)
    opt.zero_grad()
    loss.backward()
    opt.step()
    with torch.no_grad():
        model.embedding_layer.weight[0].zero_()
    return loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="ml-1m")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=1024)
    ap.add_argument("--negatives", type=int, default=5000)
    ap.add_argument("--base", action="store_true")
    ap.add_argument("--whole", metavar="OUT",
                    help="also do what a training process does around the steps: evaluate every held-out user "
                         "(full-gallery top-50 over the K interests) and torch.save the model to OUT; "
                         "time the process from outside for whole-process ratios")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    seqs, n = load_sequences(a.data)
    order = rng.permutation(len(seqs))
    train = [seqs[i] for i in order[: int(0.8 * len(seqs))]]
    held_out = [seqs[i] for i in order[int(0.8 * len(seqs)):]]
    ex = np.array([(u, p) for u, s in enumerate(train) for p in range(1, len(s))])
    rng.shuffle(ex)
    L = 20
    lam = (0, 0, 0) if a.base else (0.001, 0.1, 0.1)
    model = Re4Model(n, flows=not a.base)
    opt = torch.optim.Adam(model.parameters(), lr=0.003, weight_decay=1e-6)
    B = a.batch_size
    elapsed = 0.0
    if a.whole:
        a.warmup = 0                      # a training process times every step
    for step in range(a.warmup + a.batches):
        hist, tgt = batch(train, ex[step * B:(step + 1) * B], L)
        t0 = time.perf_counter()
        loss = train_step(model, opt, hist, tgt, negatives(tgt, n, a.negatives, rng), lam)
        if step >= a.warmup:
            elapsed += time.perf_counter() - t0
    if a.whole:
        evaluate(model, held_out, L)
        torch.save(model.state_dict(), a.whole)
    print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "data": a.data,
                      "variant": "base" if a.base else "re4", "threads": a.threads,
                      "examples_per_s": a.batches * B / elapsed, "loss": loss.item()}))


if __name__ == "__main__":
    main()

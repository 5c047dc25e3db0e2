"""Fixtures for the PyTorch checkpoint reader (docs/interop.md).

Writes, into the folder given (Tests/Re4CoreTests/Fixtures/torch):
- real `torch.save` files made by PyTorch, each with `<name>.expected.json`
  holding every tensor's shape and values as PyTorch reads them back;
- hostile and malformed files made with Python's zipfile and pickle only.

Run with a Python that has torch (Debian's python3-torch, or .venv-bench):
    python3 Tests/Reference/make_torch_fixtures.py Tests/Re4CoreTests/Fixtures/torch
The files are committed, so the tests need no torch.
"""
import io
import json
import os
import pickle
import sys
import zipfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def expected(name, sd):
    with open(os.path.join(out, name + ".expected.json"), "w") as f:
        json.dump({k: {"shape": list(v.shape), "values": [float(x) for x in v.detach().double().flatten().tolist()]}
                   for k, v in sd.items()}, f, indent=0, sort_keys=True)


def real():
    import torch
    g = torch.Generator().manual_seed(7)
    n, d, K, H, L = 12, 4, 2, 6, 5
    # The authors' Re4 module names (docs/model.md §6), a Base model.
    sd = {
        "embedding_layer.weight": torch.randn(n + 1, d, generator=g),
        "W1": torch.randn(H, d, generator=g),
        "W1_2": torch.randn(K, H, generator=g),
        "W2": torch.randn(d, d, generator=g),
        "fc1.weight": torch.randn(d, d, generator=g) * 0.3,
        "fc1.bias": torch.randn(d, generator=g) * 0.1,
    }
    sd["embedding_layer.weight"][0] = 0
    # nn.Parameter goes through _rebuild_parameter; an OrderedDict like model.state_dict().
    from collections import OrderedDict
    params = OrderedDict((k, torch.nn.Parameter(v.clone())) for k, v in sd.items())
    torch.save(params, os.path.join(out, "re4-base.pt"))
    expected("re4-base", sd)
    # Nested under "model", with an optimizer beside it.
    torch.save({"model": OrderedDict(sd), "optimizer": {"lr": 0.003, "step": 10}, "epoch": 3}, os.path.join(out, "nested.pt"))
    expected("nested", sd)
    # Views and dtypes: a transpose (strided), a slice with an offset, float16, bfloat16, float64, int64, bool.
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = OrderedDict([
        ("transposed", base.t()),
        ("sliced", base[1:3, 2:5]),
        ("half", torch.tensor([0.5, -2.0, 65504.0, 1e-4], dtype=torch.float16)),
        ("bf16", torch.tensor([1.5, -3.0, 1e20], dtype=torch.bfloat16)),
        ("double", torch.tensor([[1e-3, 2.5], [3.25, -4.0]], dtype=torch.float64)),
        ("long", torch.tensor([1, -2, 3], dtype=torch.int64)),
        ("flag", torch.tensor([True, False, True])),
        ("scalar", torch.tensor(2.75)),
    ])
    torch.save(views, os.path.join(out, "views.pt"))
    expected("views", views)
    # The legacy (pre-1.6) format: refused with advice.
    torch.save(OrderedDict(sd), os.path.join(out, "legacy.pt"), _use_new_zipfile_serialization=False)


def evaluation():
    """A Re4 state dict, ComiRec-format data it fits, and the test metrics PyTorch computes for it."""
    import torch
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from numpy_re4_eval import add_user
    g = torch.Generator().manual_seed(11)
    n, d, K, H, L = 30, 8, 3, 12, 6
    sd = {
        "embedding_layer.weight": torch.randn(n + 1, d, generator=g, dtype=torch.float64) * 0.3,
        "W1": torch.randn(H, d, generator=g, dtype=torch.float64) * 0.3,
        "W1_2": torch.randn(K, H, generator=g, dtype=torch.float64) * 0.3,
        "W2": torch.randn(d, d, generator=g, dtype=torch.float64) * 0.3,
        "fc1.weight": torch.randn(d, d, generator=g, dtype=torch.float64) * 0.3,
        "fc1.bias": torch.randn(d, generator=g, dtype=torch.float64) * 0.1,
    }
    sd["embedding_layer.weight"][0] = 0
    sd = {k: v.float() for k, v in sd.items()}
    torch.save(sd, os.path.join(out, "re4-eval.pt"))
    # 60 users (40 train, 10 valid, 10 test), sequences of 6–15 items; item n appears.
    import random
    rnd = random.Random(5)
    seqs = [[rnd.randint(1, n) for _ in range(rnd.randint(6, 15))] for _ in range(60)]
    seqs[0][0] = n
    for part, users in (("train", range(0, 40)), ("valid", range(40, 50)), ("test", range(50, 60))):
        with open(os.path.join(out, f"tiny_{part}.txt"), "w") as f:
            for u in users:
                for t, it in enumerate(seqs[u]):
                    f.write(f"{u},{it},{t}\n")
    # The protocol (docs/protocol.md): cut c = floor(0.8 m), history = the last L items before it,
    # truth = the rest; rank all n items by max_k U_k . e_j, ties to the smaller id.
    w = {k: v.double() for k, v in sd.items()}
    E = w["embedding_layer.weight"]
    metrics = {f"{k}@{c}": 0.0 for c in (20, 50) for k in ("recall", "hitrate", "ndcg", "ndcg_comirec", "ndcg_re4")}
    test = range(50, 60)
    for u in test:
        s = seqs[u]
        c = max(1, len(s) * 8 // 10)
        h = list(reversed(s[max(0, c - L):c])) + [0] * max(0, L - c)
        hist = torch.tensor([h])
        X = E[hist]
        logits = torch.einsum("kh,blh->bkl", w["W1_2"], torch.tanh(torch.einsum("hd,bld->blh", w["W1"], X)))
        logits = logits.masked_fill(~(hist > 0)[:, None, :], -1e9)
        A = torch.softmax(logits, -1)
        U = torch.tanh(A @ (X @ w["W2"]) @ w["fc1.weight"].T + w["fc1.bias"])[0]
        scores = (U @ E[1:].T).max(0).values
        order = sorted(range(n), key=lambda j: (-float(scores[j]), j))
        add_user(metrics, [j + 1 for j in order], s[c:])
    with open(os.path.join(out, "re4-eval.metrics.json"), "w") as f:
        json.dump({k: v / len(test) for k, v in metrics.items()}, f, indent=0, sort_keys=True)


def ports():
    """The PyTorch ComiRec port's models (ShiningCosmos/pytorch_ComiRec), restated
    here as torch modules with the port's parameter names and forward computation
    (docs/interop.md), on the tiny data of evaluation(). For each: the state dict
    as the port saves it (torch.save(model.state_dict())), and for the test users
    the interests in float64 and the test metrics of docs/protocol.md."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from numpy_re4_eval import add_user
    n, d, K, L = 30, 8, 3, 6
    seqs = {}
    for part in ("train", "valid", "test"):
        for line in open(os.path.join(out, f"tiny_{part}.txt")):
            u, it, t = map(int, line.split(","))
            seqs.setdefault(u, []).append(it)
    test = list(range(50, 60))

    def port_history(s):
        # The port's evaluation: cut k = int(0.8 m); the last L items before it,
        # oldest first, left-aligned; mask 1 on the items.
        k = int(len(s) * 0.8)
        h = s[k - L:k] if k >= L else s[:k] + [0] * (L - k)
        return h, [1.0] * min(k, L) + [0.0] * (L - min(k, L)), s[k:]

    class SA(nn.Module):
        def __init__(self):
            super().__init__()
            self.embeddings = nn.Embedding(n + 1, d, padding_idx=0)
            self.position_embedding = nn.Parameter(torch.empty(1, L, d))
            self.linear1 = nn.Sequential(nn.Linear(d, 4 * d, bias=False), nn.Tanh())
            self.linear2 = nn.Linear(4 * d, K, bias=False)

        def forward(self, hist, mask):
            x = self.embeddings(hist) * mask[:, :, None]
            w = self.linear2(self.linear1(x + self.position_embedding)).transpose(1, 2)
            w = torch.where(mask[:, None, :] == 0, torch.full_like(w, -2.0 ** 32 + 1), w)
            return torch.softmax(w, -1) @ x

    class Capsule(nn.Module):
        def __init__(self, mind, relu_layer):
            super().__init__()
            self.mind, self.relu_layer = mind, relu_layer
            self.relu = nn.Sequential(nn.Linear(d, d, bias=False), nn.ReLU())
            if mind:
                self.linear = nn.Linear(d, d, bias=False)
            else:
                self.w = nn.Parameter(torch.empty(1, L, K * d, d))

        def forward(self, x, mask, b0):
            B = x.shape[0]
            if self.mind:
                uh = self.linear(x).repeat(1, 1, K)
            else:
                uh = (self.w * x[:, :, None, :]).sum(3)
            uh = uh.reshape(B, L, K, d).transpose(1, 2)          # B, K, L, d
            detached = uh.detach()
            r = b0.clone() if self.mind else torch.zeros(B, K, L, dtype=x.dtype)
            for i in range(3):
                c = torch.softmax(r, -1)
                c = torch.where(mask[:, None, :] == 0, torch.zeros_like(c), c)[:, :, None, :]
                z = c @ (detached if i < 2 else uh)
                nz = (z * z).sum(-1, keepdim=True)
                v = nz / (1 + nz) / torch.sqrt(nz + 1e-9) * z
                if i < 2:
                    r = r + (detached @ v.transpose(2, 3)).reshape(B, K, L)
            v = v.reshape(B, K, d)
            return self.relu(v) if self.relu_layer else v

    class CapsuleModel(nn.Module):
        def __init__(self, mind, relu_layer):
            super().__init__()
            self.embeddings = nn.Embedding(n + 1, d, padding_idx=0)
            self.capsule_network = Capsule(mind, relu_layer)

        def forward(self, hist, mask, b0):
            return self.capsule_network(self.embeddings(hist) * mask[:, :, None], mask, b0)

    cases = [("port-sa", SA(), None), ("port-dr", CapsuleModel(False, False), None),
             ("port-mind", CapsuleModel(True, True), torch.Generator().manual_seed(4))]
    for i, (name, model, b0gen) in enumerate(cases):
        torch.manual_seed(20 + i)
        for w in model.parameters():
            nn.init.kaiming_normal_(w)      # the port's reset_parameters
        with torch.no_grad():
            model.embeddings.weight.mul_(0.5)
        torch.save(model.state_dict(), os.path.join(out, name + ".pt"))
        model = model.double()
        rows = [port_history(seqs[u]) for u in test]
        hist = torch.tensor([r[0] for r in rows])
        mask = torch.tensor([r[1] for r in rows], dtype=torch.float64)
        b0 = torch.randn(len(test), K, L, generator=b0gen, dtype=torch.float64) if b0gen else None
        with torch.no_grad():
            U = model(hist, mask) if name == "port-sa" else model(hist, mask, b0)
            E = model.embeddings.weight
            metrics = {f"{k}@{c}": 0.0 for c in (20, 50) for k in ("recall", "hitrate", "ndcg", "ndcg_comirec", "ndcg_re4")}
            for b, r in enumerate(rows):
                scores = (U[b] @ E[1:].T).max(0).values
                order = sorted(range(n), key=lambda j: (-float(scores[j]), j))
                add_user(metrics, [j + 1 for j in order], r[2])
        doc = {"users": test, "interests": U.flatten().tolist(),
               "metrics": {k: v / len(test) for k, v in metrics.items()}}
        if b0 is not None:
            doc["initial_logits"] = b0.flatten().tolist()
        with open(os.path.join(out, name + ".expected.json"), "w") as f:
            json.dump(doc, f, indent=0, sort_keys=True)


def zipped(name, pkl, extra=None, prefix="archive/"):
    with zipfile.ZipFile(os.path.join(out, name), "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(prefix + "data.pkl", pkl)
        for k, v in (extra or {}).items():
            z.writestr(prefix + k, v)


def hostile():
    # A pickle that would run os.system("echo pwned") if loaded by pickle.load.
    import struct
    text = lambda s: b"X" + struct.pack("<I", len(s)) + s
    zipped("os-system.pt", b"\x80\x02cos\nsystem\nq\x00" + text(b"echo pwned") + b"q\x01\x85q\x02Rq\x03.")
    zipped("eval.pt", b"\x80\x02cbuiltins\neval\n" + text(b"1+1") + b"\x85R.")
    # STACK_GLOBAL (protocol 4) spelling of posix.system.
    zipped("stack-global.pt", b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x8c\x06system\x93\x8c\x02id\x85R.")
    # Python's own pickle of os.system (posix.system on Linux), as pickle.dumps writes it.
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))
    zipped("reduce-system.pt", pickle.dumps(Evil(), protocol=2))
    # A tensor whose storage entry is missing.
    tensor = (b"\x80\x02}q\x00X\x01\x00\x00\x00wq\x01ctorch._utils\n_rebuild_tensor_v2\nq\x02((X\x07\x00\x00\x00storageq\x03"
              b"ctorch\nFloatStorage\nq\x04X\x01\x00\x00\x000q\x05X\x03\x00\x00\x00cpuq\x06K\x04tq\x07QK\x00K\x04\x85q\x08K\x01\x85q\t"
              b"\x89ccollections\nOrderedDict\nq\n)Rq\x0btq\x0cRq\rs.")
    zipped("missing-storage.pt", tensor)
    # The same tensor with its storage (4 floats: 1, 2, 3, 4), read fine — the control case.
    zipped("handmade.pt", tensor, {"data/0": struct.pack("<4f", 1, 2, 3, 4), "version": b"3\n"}, prefix="my_model/")
    # A size that overflows: 2^31 × 2^31 elements over a 4-element storage.
    big = tensor.replace(b"K\x00K\x04\x85q\x08K\x01\x85q\t", b"K\x00J\xff\xff\xff\x7fJ\xff\xff\xff\x7f\x86q\x08K\x01K\x01\x86q\t")
    zipped("overflow.pt", big, {"data/0": struct.pack("<4f", 1, 2, 3, 4)})
    # A view past the end of its storage (size 4, stride 2).
    past = tensor.replace(b"K\x01\x85q\t", b"K\x02\x85q\t")
    zipped("past-end.pt", past, {"data/0": struct.pack("<4f", 1, 2, 3, 4)})
    # A zip bomb: the storage entry deflates from 64 KB to 64 MB; the pickle says 4 floats.
    with zipfile.ZipFile(os.path.join(out, "bomb.pt"), "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", tensor)
        z.writestr("archive/data/0", b"\x00" * (64 << 20))
    # Truncated pickle; a pickle of a list; not a zip at all.
    zipped("truncated.pt", tensor[:40])
    zipped("list.pt", b"\x80\x02]q\x00(K\x01K\x02e.")
    with open(os.path.join(out, "not-a-zip.pt"), "wb") as f:
        f.write(b"\x80\x02}q\x00.")


if __name__ == "__main__":
    if "--ports-only" in sys.argv:
        ports()
    else:
        if "--hostile-only" not in sys.argv:
            real()
            evaluation()
            ports()
        hostile()
    print("wrote", sorted(os.listdir(out)))

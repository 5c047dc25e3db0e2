"""Cross-check of the whole Re4 objective against PyTorch autograd.

Reads weights (the authors' tensor names) and a batch written by the Swift
test, evaluates the benchmark's model (bench/pytorch_re4.py) on it, and writes each loss
component and the gradient of the total for every parameter.

    python torch_check.py weights.safetensors batch.safetensors out.safetensors
"""
import os, sys

import numpy as np
import torch
from safetensors.numpy import load_file, save_file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from pytorch_re4 import Re4Model  # noqa: E402


def main():
    w = load_file(sys.argv[1])
    b = load_file(sys.argv[2])
    n, d = w["embedding_layer.weight"].shape[0] - 1, w["embedding_layer.weight"].shape[1]
    K, H = w["W1_2"].shape
    L = w["W3_2"].shape[0]
    torch.set_num_threads(1)
    m = Re4Model(n, d=d, K=K, L=L, H=H, flows=True).double()
    with torch.no_grad():
        for name, p in m.named_parameters():
            p.copy_(torch.from_numpy(w[name].astype(np.float64)))
    hist = torch.from_numpy(b["hist"].astype(np.int64))
    tgt = torch.from_numpy(b["targets"].astype(np.int64))
    negs = torch.from_numpy(b["negatives"].astype(np.int64))
    lam = [float(x) for x in b["lambdas"]]
    comps = m.components(hist, tgt, negs, lam[0], lam[1], lam[2], tau=float(b["tau"][0]))
    comps["total"].backward()
    out = {"loss_" + k: np.array([float(v)], dtype=np.float64) for k, v in comps.items()}
    for name, p in m.named_parameters():
        out["grad/" + name] = p.grad.numpy().astype(np.float64)
    save_file(out, sys.argv[3])


if __name__ == "__main__":
    main()

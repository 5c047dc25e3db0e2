"""REMI's two training terms restated in PyTorch, for the cross-check of the
Swift implementation (Tests/Re4CoreTests/Losses/REMITests.swift).

Follows Tokkiu/REMI's code step by step (src/BasicModel.py `read_out` with
hard readout and `sampled_softmax_loss` with beta; src/REMI.py
`calculate_atten_loss`), in double precision, on the interests, embedding,
negatives and attention logits the Swift test writes:

    python remi_check.py in.safetensors out.safetensors

Writes loss_rec, loss_rr and the gradients of loss_rec + rlambda * loss_rr
with respect to U, E and the attention logits.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import load_file, save_file


def main():
    x = load_file(sys.argv[1])
    U = torch.tensor(x["U"].astype(np.float64), requires_grad=True)           # (B, K, d)
    E = torch.tensor(x["E"].astype(np.float64), requires_grad=True)           # (n+1, d)
    logits = torch.tensor(x["logits"].astype(np.float64), requires_grad=True)  # (B, K, L), padding masked
    mask = torch.tensor(x["mask"].astype(np.float64))                         # (B, L)
    targets = torch.tensor(x["targets"].astype(np.int64))
    negatives = torch.tensor(x["negatives"].astype(np.int64))
    beta = float(x["beta"][0])
    rlambda = float(x["rlambda"][0])
    B, K, d = U.shape

    # read_out with hard_readout: the interest with the largest U_k . e_t.
    label_eb = E[targets]
    atten = torch.matmul(U, label_eb.reshape(-1, d, 1)).reshape(-1, K)
    atten = F.softmax(atten, dim=-1)
    readout = U.reshape(-1, d)[(torch.argmax(atten, dim=-1) + torch.arange(B) * K).long()]

    # NCELoss.get_score / sampled_softmax_loss (norm_term = 0; with beta != 0 the
    # noise log-probabilities are not used).
    target_score = torch.sum(readout * label_eb, dim=1)
    noise_score = torch.matmul(readout, E[negatives].t())
    ori_logits = torch.cat([target_score.unsqueeze(1), noise_score], dim=1)
    z = ori_logits - torch.max(ori_logits, dim=-1)[0].unsqueeze(-1)
    pos = torch.exp(z[:, 0])
    neg = torch.exp(z[:, 1:])
    imp = (beta * z[:, 1:] - torch.max(beta * z[:, 1:], dim=-1)[0].unsqueeze(-1)).exp()
    reweight_neg = (imp * neg).sum(dim=-1) / imp.mean(dim=-1)
    loss_rec = (-(z[:, 0] - torch.log(pos + reweight_neg))).mean()

    # calculate_atten_loss on the softmax of the masked logits (hidden_size = d).
    paddings = torch.ones_like(logits) * (-2 ** 32 + 1)
    item_att_w = torch.where(torch.eq(mask.unsqueeze(1).repeat(1, K, 1), 0), paddings, logits)
    A = F.softmax(item_att_w, dim=-1)
    C_mean = torch.mean(A, dim=2, keepdim=True)
    C_reg = A - C_mean
    C_reg = torch.bmm(C_reg, C_reg.transpose(1, 2)) / d
    dr = torch.diagonal(C_reg, dim1=-2, dim2=-1)
    loss_rr = (torch.norm(dr, dim=1) ** 2).sum()

    (loss_rec + rlambda * loss_rr).backward()
    save_file({
        "loss_rec": np.array([loss_rec.item()]), "loss_rr": np.array([loss_rr.item()]),
        "dU": U.grad.numpy(), "dE": E.grad.numpy(), "dlogits": logits.grad.numpy(),
    }, sys.argv[2])


if __name__ == "__main__":
    main()

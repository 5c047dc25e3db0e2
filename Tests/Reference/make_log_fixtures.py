"""Logs written by the real tools, for `re4-viz curves` (Tests/Re4VizTests/Fixtures/logs).

    .venv-bench/bin/python Tests/Reference/make_log_fixtures.py Tests/Re4VizTests/Fixtures/logs

Needs torch, tensorboard and lightning (pip). Writes:
- tb/: a SummaryWriter log folder with three runs; re4-s1 was resumed into a
  second event file whose steps overlap the first's (6-8), without purge_step;
  base-s1 was resumed with purge_step=5 (TensorBoard discards its old steps >= 5).
- tb-expected.json: every scalar as TensorBoard's EventAccumulator reads the
  folder (per run and tag: [step, value] in the order it keeps them).
- lightning/metrics.csv: PyTorch Lightning's CSVLogger, a loss logged on step
  and on epoch (5 steps an epoch) and a validation metric per epoch.
- nested.jsonl: a script's JSON lines with nested objects.
"""
import json, os, shutil, sys, time

import torch
from torch.utils.tensorboard import SummaryWriter

out = sys.argv[1]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
tb = os.path.join(out, "tb")
T0 = 1_700_000_000.0


def writer(run, **kw):
    return SummaryWriter(log_dir=os.path.join(tb, run), **kw)


# re4-s1: steps 1-8, then a resumed writer writes 6-12 (overlap 6-8, other values).
w = writer("re4-s1")
for s in range(1, 9):
    w.add_scalar("loss/train", 2.0 / s, s, walltime=T0 + s)
    w.add_scalar("recall@50/valid", 0.02 * s, s, walltime=T0 + s)
w.close()
time.sleep(1.1)  # a new file name (the time in it is in seconds)
w = writer("re4-s1")
for s in range(6, 13):
    w.add_scalar("loss/train", 2.5 / s, s, walltime=T0 + 100 + s)
    w.add_scalar("recall@50/valid", 0.021 * s, s, walltime=T0 + 100 + s)
w.close()
# re4-s2: one file.
w = writer("re4-s2")
for s in range(1, 13):
    w.add_scalar("loss/train", 2.2 / s, s, walltime=T0 + s)
    w.add_scalar("recall@50/valid", 0.019 * s, s, walltime=T0 + s)
w.close()
# base-s1: steps 1-9, resumed with purge_step=5 and logging every other step.
w = writer("base-s1")
for s in range(1, 10):
    w.add_scalar("loss/train", 3.0 / s, s, walltime=T0 + s)
    w.add_scalar("recall@50/valid", 0.015 * s, s, walltime=T0 + s)
w.close()
time.sleep(1.1)
w = writer("base-s1", purge_step=5)
for s in range(5, 13, 2):
    w.add_scalar("loss/train", 3.3 / s, s, walltime=T0 + 200 + s)
    w.add_scalar("recall@50/valid", 0.016 * s, s, walltime=T0 + 200 + s)
w.close()

from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer
m = EventMultiplexer().AddRunsFromDirectory(tb)
m.Reload()
expected = {}
for run, tags in sorted(m.Runs().items()):
    expected[run] = {t: [[e.step, e.value] for e in m.Scalars(run, t)] for t in sorted(tags["scalars"])}
with open(os.path.join(out, "tb-expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)

# Lightning: a tiny regression, 3 epochs of 5 steps.
import lightning as L
from lightning.pytorch.loggers import CSVLogger


class Tiny(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 1)

    def training_step(self, batch, i):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.lin(x), y)
        self.log("train_loss", loss, on_step=True, on_epoch=True)
        return loss

    def validation_step(self, batch, i):
        x, y = batch
        self.log("val_mse", torch.nn.functional.mse_loss(self.lin(x), y), on_epoch=True)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


torch.manual_seed(0)
X = torch.randn(40, 4); Y = X.sum(1, keepdim=True) * 2 + 1
data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=8)
logger = CSVLogger(os.path.join(out, "lightning-tmp"), name="", version="")
trainer = L.Trainer(max_epochs=3, logger=logger, log_every_n_steps=1, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False, accelerator="cpu")
trainer.fit(Tiny(), data, data)
os.makedirs(os.path.join(out, "lightning"))
shutil.copy(os.path.join(logger.log_dir, "metrics.csv"), os.path.join(out, "lightning", "metrics.csv"))
shutil.rmtree(os.path.join(out, "lightning-tmp"))

with open(os.path.join(out, "nested.jsonl"), "w") as f:
    for e in range(1, 6):
        f.write(json.dumps({"epoch": e, "train": {"loss": 1.0 / e}, "valid": {"recall@50": 0.03 * e, "ndcg@50": 0.01 * e}}) + "\n")

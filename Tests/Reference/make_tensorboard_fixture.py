"""An event file written by torch.utils.tensorboard, for `re4-viz curves` (docs/interop.md).

    python3 Tests/Reference/make_tensorboard_fixture.py Tests/Re4CoreTests/Fixtures/tensorboard

Needs torch and tensorboard (e.g. a venv with --system-site-packages over
Debian's python3-torch, plus `pip install tensorboard`). Writes the event file
under a fixed name and `expected.json` with every scalar as written.
"""
import glob, json, os, shutil, sys, tempfile
from torch.utils.tensorboard import SummaryWriter

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
tmp = tempfile.mkdtemp()
w = SummaryWriter(log_dir=tmp)
expected = []
for step in range(1, 11):
    w.add_scalar("Loss/train", 1.0 / step, step, walltime=1700000000.0 + step)
    w.add_scalar("Recall/valid", 0.05 * step ** 0.5, step, walltime=1700000000.0 + step)
    expected += [("Loss/train", step, 1.0 / step), ("Recall/valid", step, 0.05 * step ** 0.5)]
    if step % 5 == 0:
        # new_style: the scalar as a 0-d float tensor instead of simple_value.
        w.add_scalar("tensor_style", 0.25 * step, step, walltime=1700000000.0 + step, new_style=True)
        expected.append(("tensor_style", step, 0.25 * step))
w.add_text("note", "not a scalar", 1)
w.close()
(src,) = glob.glob(os.path.join(tmp, "events.out.tfevents.*"))
for old in glob.glob(os.path.join(out, "events.out.tfevents.*")):
    os.remove(old)
shutil.copy(src, os.path.join(out, "events.out.tfevents.fixture"))
json.dump([{"tag": t, "step": s, "value": v} for t, s, v in expected], open(os.path.join(out, "expected.json"), "w"), indent=0)
print("wrote", os.listdir(out))

"""Tests of the re4viz package against the executables it wraps (run by make test)."""
import glob
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import pytest

import re4viz

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cli(tool, *args):
    re4, viz = re4viz.executables()
    r = subprocess.run([re4 if tool == "re4" else viz] + [os.fspath(a) if isinstance(a, os.PathLike) else str(a) for a in args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def arrays(seed=0, users=12, K=3, d=6, n=40, L=8):
    rng = np.random.default_rng(seed)
    hist = rng.integers(1, n + 1, size=(users, L))
    hist[:, 6:] = 0
    att = rng.random((users, K, L))
    att[:, :, 6:] = 0
    att /= att.sum(-1, keepdims=True)
    items = np.vstack([np.zeros((1, d)), rng.normal(size=(n, d))])
    titles = {j: (f"item {j}", ["even" if j % 2 == 0 else "odd"]) for j in range(1, n + 1)}
    return rng.normal(size=(users, K, d)), items, hist, att, titles


def scratch_count():
    return len(glob.glob(os.path.join(tempfile.gettempdir(), "re4viz-*")))


def test_tsne_gives_the_cli_bytes(tmp_path):
    X = np.random.default_rng(1).normal(size=(60, 5)).astype(np.float32)
    before = scratch_count()
    Y = re4viz.tsne(X, seed=3, perplexity=10)
    assert Y.shape == (60, 2)
    np.save(tmp_path / "x.npy", X)
    cli("re4-viz", "embed", tmp_path / "x.npy", "--out", tmp_path / "y.npy", "--seed", 3, "--perplexity", 10)
    assert np.array_equal(Y, np.load(tmp_path / "y.npy")), "same input, same options: the same numbers"
    assert scratch_count() == before, "temporary files are removed"
    Yr, Yn = re4viz.place(X[:50], X[50:], seed=3, perplexity=10)
    assert Yr.shape == (50, 2) and Yn.shape == (10, 2) and np.isfinite(Yn).all()


def test_bundles_figure4_and_distinct_match_the_cli(tmp_path):
    U, E, H, A, titles = arrays()
    a = re4viz.bundle(U, E, histories=H, attention=A, titles=titles, model="mine", users=[f"u{i}" for i in range(12)])
    b = re4viz.bundle(U * 0.5 + 0.1, E, histories=H, attention=A, titles=titles, model="other", users=[f"u{i}" for i in range(12)])
    assert os.path.exists(os.path.join(a, "bundle.json"))
    fig = re4viz.figure4([a, b], labels=["Mine", "Other"], users=3, seed=1)
    assert fig.png[:8] == b"\x89PNG\r\n\x1a\n" and fig._repr_png_() is fig.png
    fig.save(tmp_path / "f.png")
    assert (tmp_path / "f.png").read_bytes() == fig.png
    # The report reads as the figure's, not as the scratch file's.
    assert fig.summary.startswith("2 panels, 3 users") and "re4viz-" not in fig.summary, fig.summary
    table = re4viz.distinct([a, b])
    rows = table.to_dict("records") if hasattr(table, "to_dict") else table
    text = cli("re4-viz", "distinct", a, b, "--format", "csv")
    want = [l.split(",") for l in text.strip().splitlines()[1:]]
    assert len(rows) == len(want)
    assert [r["statistic"] for r in rows] == [w[1] for w in want]
    assert abs(float(rows[0]["mean"]) - float(want[0][2])) < 1e-12
    paired = [r for r in rows if r["checkpoint"] == "other" and r["difference_vs_first"] is not None]
    assert paired, "the second model carries its paired difference against the first"


def test_errors_become_exceptions_with_the_one_line_message(tmp_path):
    with pytest.raises(re4viz.Re4Error, match="no such file or folder"):
        re4viz.figure4([tmp_path / "missing.pt"])
    with pytest.raises(re4viz.Re4Error, match="--labels has 2 names for 1 model"):
        U, E, H, A, titles = arrays()
        re4viz.figure4([re4viz.bundle(U, E, histories=H, attention=A)], labels=["x", "y"])
    with pytest.raises(ValueError, match="users × K × d"):
        re4viz.bundle(np.zeros((3, 4)), np.zeros((5, 4)))


def test_explore_page_and_curves(tmp_path):
    U, E, H, A, titles = arrays()
    page = re4viz.explore(re4viz.bundle(U, E, histories=H, attention=A, titles=titles, model="m"), users=4)
    assert "<html" in page.html.lower() and "srcdoc" in page._repr_html_()
    assert "item 7" in page.html
    log = tmp_path / "m.csv"
    log.write_text("epoch,loss\n1,1.0\n2,0.5\n3,0.25\n")
    fig = re4viz.curves([log], x="epoch", y=["loss"], smooth=0.5)
    assert fig.png[:4] == b"\x89PNG"


def test_executables_are_found_and_version_checked(monkeypatch, tmp_path):
    re4, viz = re4viz.executables()
    assert os.path.basename(viz) == "re4-viz"
    fake = tmp_path / "bin"
    fake.mkdir()
    for name in ["re4", "re4-viz"]:
        (fake / name).write_text("#!/bin/sh\necho 9.9.9\n")
        (fake / name).chmod(0o755)
    re4viz.use(fake)
    try:
        with pytest.raises(re4viz.Re4Error, match="version 9.9.9"):
            re4viz.executables()
    finally:
        re4viz._explicit = None
        re4viz._checked = None


@pytest.mark.skipif(os.environ.get("RE4VIZ_SKIP_VENV") == "1", reason="RE4VIZ_SKIP_VENV=1")
def test_a_fresh_virtual_environment_installs_and_runs_it(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    py = venv / "bin" / "python"
    r = subprocess.run([py, "-m", "pip", "install", "-q", os.path.join(REPO, "python")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    code = "import numpy as np, re4viz; Y = re4viz.tsne(np.random.default_rng(0).normal(size=(40, 4)), seed=1, perplexity=8); print(Y.shape)"
    r = subprocess.run([py, "-c", code], capture_output=True, text=True, cwd=tmp_path, env={**os.environ})
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == "(40, 2)"


def test_the_readme_example_runs_as_written(tmp_path):
    """The README's Python block, executed as written on arrays without attention:
    Figure 4 falls back to retrieved items (said on stderr) and distinct gives a DataFrame."""
    readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md"), encoding="utf-8").read()
    block = readme.split("```python\n", 1)[1].split("```", 1)[0]
    assert "re4viz.figure4" in block and "re4viz.distinct" in block
    rng = np.random.default_rng(0)
    n, d, K, users, L = 300, 16, 3, 40, 10
    E = rng.normal(size=(n + 1, d)).astype(np.float32)
    E[0] = 0
    H = rng.integers(1, n + 1, size=(users, L)).astype(np.int64)
    U_a = rng.normal(size=(users, K, d)).astype(np.float32)
    U_b = np.repeat(U_a[:, :1], K, axis=1) + 0.1 * rng.normal(size=(users, K, d)).astype(np.float32)
    scope = {"U_a": U_a, "U_b": U_b, "E": E, "H": H}
    exec(compile(block, "README.md", "exec"), scope)
    scope["fig"] = None
    table = scope["table"]
    assert list(table["checkpoint"].unique()) == ["Mine", "Other"]
    row = table[(table["checkpoint"] == "Other") & (table["statistic"] == "cos_U")].iloc[0]
    # Other's interests are copies of one plus noise: nearly parallel, far above Mine's.
    assert row["mean"] > 0.95 and row["difference_vs_first"] > 0.8


def test_training_streams_its_epoch_lines_and_refuses_to_replace_a_run(tmp_path, capsys):
    out = re4viz.train("ml-latest-small", tmp_path / "run", epochs=1, samples_per_epoch=2000, seed=1, threads=1)
    shown = capsys.readouterr().out
    # The epoch line (stdout of re4 train) and the closing line reach the notebook, in order.
    assert re.search(r"^epoch\s+1 .*valid/test R@50", shown, re.M), shown
    assert shown.index("epoch   1") < shown.index("best epoch 1")
    assert os.path.exists(os.path.join(out, "best.safetensors"))
    with pytest.raises(re4viz.Re4Error, match="holds a run"):
        re4viz.train("ml-latest-small", tmp_path / "run", epochs=1, samples_per_epoch=2000, seed=1, threads=1)


def test_views_gives_the_clis_scores_and_table(tmp_path):
    U, E, H, A, titles = arrays()
    a = re4viz.bundle(U, E, histories=H, attention=A, titles=titles, model="a", users=[f"u{i}" for i in range(12)])
    b = re4viz.bundle(U * 0.5 + 0.1, E, histories=H, attention=A, titles=titles, model="b", users=[f"u{i}" for i in range(12)])
    v = re4viz.views([a, b], labels=["A", "B"], users=4, iterations=60, early_iterations=30, perplexity=5)
    rows = v.scores.to_dict("records") if hasattr(v.scores, "to_dict") else v.scores
    cli("re4-viz", "views", a, b, "--labels", "A,B", "--users", "4", "--iterations", "60", "--early-iterations", "30",
        "--perplexity", "5", "--out", tmp_path / "v.md", "--csv", tmp_path / "v.csv")
    want = (tmp_path / "v.csv").read_text().strip().splitlines()[1:]
    assert len(rows) == len(want) and {r["variant"] for r in rows} == {"A", "B"}
    for r, w in zip(rows, want):
        f = w.split(",")
        assert [r["variant"], r["layout"], r["space"]] == [f[0], f[2], f[3]]
        assert (r["model_score"] is None and f[5] == "") or abs(float(r["model_score"]) - float(f[5])) < 1e-12
    assert v.markdown == (tmp_path / "v.md").read_text() and v._repr_markdown_() is v.markdown
    with pytest.raises(re4viz.Re4Error, match="give models"):
        re4viz.views()

"""The Re4 toolkit from Python: numpy arrays in; arrays, DataFrames, figures
and pages out. Every call runs one of the toolkit's executables (`re4`,
`re4-viz`) on temporary files, which are removed when the call ends.

    import re4viz
    b = re4viz.bundle(interests=U, items=E, histories=H, attention=A, model="mine")
    re4viz.figure4([b, "runs/re4"], labels=["Mine", "Re4"], data="ml-1m")
    re4viz.distinct([b, "runs/re4"], data="ml-1m")     # a DataFrame
"""
import atexit
import csv
import html
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

__version__ = "0.3.0"
__all__ = ["use", "executables", "Re4Error", "Bundle", "bundle", "tsne", "place", "figure4", "distinct",
           "compare", "curves", "explore", "views", "evaluate", "train", "synth", "export", "Figure", "Page", "Views"]


class Re4Error(RuntimeError):
    """An executable refused or failed; the message is its one-line error."""


_explicit = None


def use(path):
    """Use the executables in `path` (a folder holding re4 and re4-viz)."""
    global _explicit, _checked
    _explicit = os.fspath(path)
    _checked = None


def _candidates():
    if _explicit:
        yield _explicit
    env = os.environ.get("RE4_BIN")
    if env:
        yield env
    found = shutil.which("re4-viz")
    if found:
        yield os.path.dirname(found)
    d = os.path.abspath(os.getcwd())
    while True:
        yield os.path.join(d, ".build", "release")
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent


_checked = None


def executables():
    """(re4, re4-viz): the executables this package runs, version-checked."""
    global _checked
    if _checked:
        return _checked
    tried = []
    for folder in _candidates():
        re4, viz = os.path.join(folder, "re4"), os.path.join(folder, "re4-viz")
        tried.append(folder)
        if os.access(re4, os.X_OK) and os.access(viz, os.X_OK):
            v = subprocess.run([viz, "--version"], capture_output=True, text=True).stdout.strip()
            if v.split(".")[:2] != __version__.split(".")[:2]:
                raise Re4Error(f"{viz} is version {v or '?'}, this package is {__version__}; "
                               "build the matching toolkit (make build) or install the matching package")
            _checked = (re4, viz)
            return _checked
    raise Re4Error("cannot find the re4 and re4-viz executables (looked in: " + ", ".join(tried[:6]) +
                   "); build them with `make build` in the repository, or set RE4_BIN to their folder")


def _run(tool, args, quiet=False, stream=False):
    """Runs re4 or re4-viz; streams its stderr; returns stdout; raises Re4Error.
    With stream=True (training) both streams are shown as they come, in order,
    and the return value is everything the tool wrote."""
    exe = executables()[0 if tool == "re4" else 1]
    p = subprocess.Popen([exe] + [str(a) for a in args], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT if stream else subprocess.PIPE, text=True)
    err_lines = []
    # stderr is progress and notes: passed on as it comes (a notebook shows it under the cell).
    for line in (p.stdout if stream else p.stderr):
        err_lines.append(line)
        if not quiet and not line.startswith("error:"):
            target = sys.stdout if stream else sys.stderr
            target.write(line)
            target.flush()
    out = "".join(err_lines) if stream else p.stdout.read()
    p.wait()
    if p.returncode != 0:
        errors = [l.strip() for l in err_lines if l.startswith("error:")]
        msg = errors[-1][len("error: "):] if errors else (err_lines[-1].strip() if err_lines else f"{tool} exited with {p.returncode}")
        raise Re4Error(msg)
    return out


class _Scratch:
    """A temporary folder removed when the block ends."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="re4viz-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


_session_bundles = []


@atexit.register
def _cleanup():
    for d in _session_bundles:
        shutil.rmtree(d, ignore_errors=True)


class Bundle(os.PathLike):
    """An interest bundle folder (docs/bundle.md); pass it wherever a model goes."""

    def __init__(self, path, model=None):
        self.path = os.fspath(path)
        self.model = model

    def __fspath__(self):
        return self.path

    def __str__(self):
        return self.path

    def __repr__(self):
        return f"Bundle({self.path!r}, model={self.model!r})"


def bundle(interests, items, histories=None, attention=None, users=None, titles=None, model="model",
           padding_row=None, folder=None):
    """Writes an interest bundle from arrays and returns it.

    interests: users × K × d; items: (n+1) × d with row 0 the padding item, or
    n × d (padding_row=False; by default a zero first row means padding);
    histories: users × L item numbers 1…n, 0 = padding; attention: users × K × L;
    users: one id per row (the data's raw user ids); titles: {item number:
    title} or {item number: (title, [genres])}. Without `folder` the bundle is
    temporary and removed when Python exits.
    """
    U = np.asarray(interests, dtype=np.float32)
    E = np.asarray(items, dtype=np.float32)
    if U.ndim != 3:
        raise ValueError(f"interests must be users × K × d, got shape {U.shape}")
    if E.ndim != 2 or E.shape[1] != U.shape[2]:
        raise ValueError(f"items must be n × d with d = {U.shape[2]}, got shape {E.shape}")
    if padding_row is None:
        padding_row = bool(E.shape[0] > 0 and not E[0].any())
    if folder is None:
        folder = tempfile.mkdtemp(prefix="re4viz-bundle-")
        _session_bundles.append(folder)
    os.makedirs(folder, exist_ok=True)
    np.save(os.path.join(folder, "interests.npy"), U)
    np.save(os.path.join(folder, "items.npy"), E)
    if histories is not None:
        np.save(os.path.join(folder, "histories.npy"), np.asarray(histories, dtype=np.int64))
    if attention is not None:
        np.save(os.path.join(folder, "attention.npy"), np.asarray(attention, dtype=np.float32))
    if users is not None:
        with open(os.path.join(folder, "users.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["user"])
            for u in users:
                w.writerow([u])
    if titles is not None:
        with open(os.path.join(folder, "items.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "title", "genres"])
            for item, t in sorted(titles.items()):
                title, genres = (t, []) if isinstance(t, str) else (t[0], t[1])
                w.writerow([int(item), title, "|".join(genres)])
    with open(os.path.join(folder, "bundle.json"), "w") as f:
        json.dump({"format": 1, "model": model, "padding_row": bool(padding_row), "metric": "dot"}, f)
    return Bundle(folder, model)


def _models(models):
    if isinstance(models, (str, os.PathLike)):
        models = [models]
    return [os.fspath(m) for m in models]


def _common(args, data=None, labels=None, threads=None, seed=None):
    if data is not None:
        args += ["--data", os.fspath(data)]
    if labels is not None:
        args += ["--labels", ",".join(labels)]
    if threads is not None:
        args += ["--threads", threads]
    if seed is not None:
        args += ["--seed", seed]
    return args


class Figure:
    """A figure the toolkit drew: shows inline in Jupyter, saves anywhere."""

    def __init__(self, png, svg=None, summary=""):
        self.png = png
        self.svg = svg
        self.summary = summary

    def _repr_png_(self):
        return self.png

    def save(self, path):
        """Writes the PNG (or the SVG when `path` ends in .svg and one was drawn)."""
        path = os.fspath(path)
        data = self.svg if path.lower().endswith(".svg") and self.svg is not None else self.png
        with open(path, "wb") as f:
            f.write(data)
        return path

    def __repr__(self):
        return f"<re4viz.Figure {len(self.png)} bytes PNG{': ' + self.summary if self.summary else ''}>"


class Page:
    """An explorer page (one self-contained HTML file): an iframe in Jupyter."""

    def __init__(self, html_text, summary=""):
        self.html = html_text
        self.summary = summary

    def _repr_html_(self):
        return ('<iframe style="width:100%;height:720px;border:1px solid #ccc" srcdoc="' + html.escape(self.html, quote=True) + '"></iframe>')

    def save(self, path):
        with open(os.fspath(path), "w", encoding="utf-8") as f:
            f.write(self.html)
        return os.fspath(path)

    def __repr__(self):
        return f"<re4viz.Page {len(self.html) // 1024} KiB: {self.summary}>"


def _summary(text, out):
    """The executable's report without the scratch path it wrote to ("wrote /tmp/…/x.png: 2 panels…" → "2 panels…")."""
    lines = []
    for line in text.strip().splitlines():
        prefix = "wrote " + out
        if line.startswith(prefix):
            line = line[len(prefix):].lstrip(":").strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


def _options(args, options):
    for k, v in options.items():
        if v is None or v is False:
            continue
        flag = "--" + k.replace("_", "-")
        if v is True:
            args.append(flag)
        elif isinstance(v, (list, tuple)):
            args += [flag, ",".join(str(x) for x in v)]
        else:
            args += [flag, v]
    return args


def tsne(X, **options):
    """The t-SNE of the rows of X (n × D): an n × 2 array. Options are re4-viz
    tsne's, spelled with underscores (perplexity=30, metric="cosine", seed=1, …)."""
    X = np.asarray(X, dtype=np.float32)
    with _Scratch() as d:
        np.save(os.path.join(d, "x.npy"), X)
        _run("re4-viz", _options(["embed", os.path.join(d, "x.npy"), "--out", os.path.join(d, "y.npy")], options))
        return np.load(os.path.join(d, "y.npy"))


def place(X_ref, X_new, **options):
    """Embeds X_ref and places the rows of X_new into that map (openTSNE's
    transform): (Y_ref, Y_new)."""
    with _Scratch() as d:
        np.save(os.path.join(d, "x.npy"), np.asarray(X_ref, dtype=np.float32))
        np.save(os.path.join(d, "q.npy"), np.asarray(X_new, dtype=np.float32))
        _run("re4-viz", _options(["embed", os.path.join(d, "x.npy"), "--out", os.path.join(d, "y.npy"),
                                  "--place", os.path.join(d, "q.npy"), "--placed-out", os.path.join(d, "p.npy")], options))
        return np.load(os.path.join(d, "y.npy")), np.load(os.path.join(d, "p.npy"))


def figure4(models, labels=None, layout="panels", data=None, coordinates=False, **options):
    """The paper's Figure 4 for models (paths or bundles): a Figure; with
    coordinates=True also every plotted point (a DataFrame, or rows as dicts)."""
    with _Scratch() as d:
        out = os.path.join(d, "fig4.png")
        args = ["tsne"] + _models(models) + ["--out", out, "--layout", layout, "--coords-out", os.path.join(d, "coords.csv")]
        summary = _summary(_run("re4-viz", _options(_common(args, data, labels), options)), out)
        with open(out, "rb") as f:
            fig = Figure(f.read(), summary=summary)
        if coordinates:
            return fig, _table(open(os.path.join(d, "coords.csv")).read())
        return fig


def _table(text):
    rows = list(csv.DictReader(io.StringIO(text)))
    for r in rows:
        for k, v in r.items():
            try:
                r[k] = float(v) if v not in ("", None) else None
            except ValueError:
                pass
    try:
        import pandas as pd
        return pd.DataFrame(rows)
    except ImportError:
        return rows


def distinct(models, labels=None, data=None, users=None, seed=None, figure=None):
    """How distinct each model's interests are: one row per (model, statistic)
    with mean, 95 % interval and, after the first model, the paired difference
    against it with its interval and Holm-adjusted p. A DataFrame with pandas."""
    with _Scratch() as d:
        args = ["distinct"] + _models(models) + ["--format", "csv"]
        if users is not None:
            args += ["--users", users]
        if figure is not None:
            args += ["--figure", os.fspath(figure)]
        return _table(_run("re4-viz", _common(args, data, labels, seed=seed)))


def compare(a, b, labels=None, data=None, metrics=None, resamples=10000):
    """Paired tests of model(s) b against a on the same test users: a DataFrame
    (one row per model and metric). a and b are models (paths or bundles) or
    per-user CSVs; b may be a list."""
    bs = b if isinstance(b, (list, tuple)) else [b]
    if all(os.fspath(x).lower().endswith(".csv") for x in [a] + list(bs)):
        args = ["compare", "--a", os.fspath(a)] + sum([["--b", os.fspath(x)] for x in bs], []) + ["--format", "csv", "--resamples", resamples]
    else:
        args = ["compare", os.fspath(a)] + [os.fspath(x) for x in bs] + ["--format", "csv", "--resamples", resamples]
    if metrics:
        args += ["--metrics", ",".join(metrics)]
    return _table(_run("re4-viz", _common(args, data, labels)))


def curves(logs, labels=None, metrics=None, x=None, y=None, smooth=None, **options):
    """Epoch curves from run logs, CSV/JSON lines or TensorBoard folders: a Figure."""
    with _Scratch() as d:
        out = os.path.join(d, "curves.png")
        args = ["curves"] + _models(logs) + ["--out", out]
        if labels is not None:
            args += ["--labels", ",".join(labels)]
        if metrics is not None:
            args += ["--metrics", ",".join(metrics)]
        if x is not None:
            args += ["--x", x]
        if y is not None:
            args += ["--y", ",".join(y)]
        if smooth is not None:
            args += ["--smooth", str(smooth)]
        summary = _summary(_run("re4-viz", _options(args, options)), out)
        with open(out, "rb") as f:
            return Figure(f.read(), summary=summary)


class Views:
    """Which Figure 4 layout shows the interests that are there (`re4-viz views`): `scores`,
    one row per model, seed, layout and space (a DataFrame with pandas); `markdown`, the
    table the command writes (with the recovery of planted interests on planted data),
    shown as the cell's output in Jupyter."""

    def __init__(self, scores, markdown):
        self.scores = scores
        self.markdown = markdown

    def _repr_markdown_(self):
        return self.markdown

    def __repr__(self):
        return self.markdown


def views(models=None, runs=None, prefix=None, labels=None, data=None, users=None, **options):
    """View scores of each Figure 4 layout for models (paths or bundles; equal labels are
    seeds of one column) or for a grid's runs (`runs=` folder, `prefix=`): a Views."""
    with _Scratch() as d:
        args = ["views"] + (_models(models) if models is not None else [])
        if runs is not None:
            args += ["--runs", os.fspath(runs)]
        if prefix is not None:
            args += ["--prefix", prefix]
        if users is not None:
            args += ["--users", users]
        args += ["--out", os.path.join(d, "views.md"), "--csv", os.path.join(d, "views.csv")]
        _run("re4-viz", _options(_common(args, data, labels), options))
        with open(os.path.join(d, "views.md"), encoding="utf-8") as f:
            md = f.read()
        with open(os.path.join(d, "views.csv"), encoding="utf-8") as f:
            return Views(_table(f.read()), md)


def explore(models, labels=None, data=None, **options):
    """The explorer page of one or two models: a Page (an iframe in Jupyter; .save(path))."""
    with _Scratch() as d:
        out = os.path.join(d, "explore.html")
        summary = _summary(_run("re4-viz", _options(_common(["explore"] + _models(models) + ["--out", out], data, labels), options)), out)
        with open(out, encoding="utf-8") as f:
            return Page(f.read(), summary)


def evaluate(model, data=None, split="test"):
    """Recall, NDCG and HitRate @20/@50 of a model: a dict."""
    args = ["evaluate", os.fspath(model), "--json", "--split", split]
    if data is not None:
        args += ["--data", os.fspath(data)]
    return json.loads(_run("re4", args).strip().splitlines()[-1])


def synth(out, **options):
    """Generates a data set with planted interests (re4 data synth) into `out`; returns `out`."""
    _run("re4", _options(["data", "synth", "--out", os.fspath(out)], options))
    return os.fspath(out)


def train(data, out, epochs=5, **options):
    """Trains a model (re4 train) into the run folder `out`; returns `out`. Options are
    re4 train's with underscores (base=True, seed=1, embedding_std=0.1, …); the
    epoch lines stream to the notebook."""
    _run("re4", _options(["train", "--data", os.fspath(data), "--out", os.fspath(out), "--epochs", epochs], options), stream=True)
    return os.fspath(out)


def export(model, out=None, data=None):
    """A model's interest bundle (re4 export): a Bundle; its arrays are numpy files
    (interests.npy, items.npy, histories.npy, attention.npy)."""
    if out is None:
        out = tempfile.mkdtemp(prefix="re4viz-bundle-")
        _session_bundles.append(out)
    args = ["export", os.fspath(model), "--out", os.fspath(out)]
    if data is not None:
        args += ["--data", os.fspath(data)]
    _run("re4", args)
    return Bundle(out, os.path.basename(os.fspath(model)))

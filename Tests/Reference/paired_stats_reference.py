"""Reference values for PairedTests (Sources/PairedStats/PairedTests.swift) from SciPy.

    .venv-bench/bin/python Tests/Reference/paired_stats_reference.py > Tests/PairedStatsTests/Fixtures/paired-stats.json
"""
import json
import numpy as np
from scipy import stats

rng = np.random.default_rng(3)
cases = {}
# Per-user metric differences: continuous, with ties and zeros (as Recall@k differences have).
cont = rng.normal(0.02, 0.1, 80)
tied = np.round(rng.normal(0.01, 0.05, 120), 2)
small = np.array([0.5, -0.25, 0.25, 0.0, 0.75, 0.5, -0.5, 0.25])
for name, d in (("continuous", cont), ("tied", tied), ("small", small)):
    w = stats.wilcoxon(d, zero_method="wilcox", correction=False, method="approx")
    t = stats.ttest_rel(d, np.zeros_like(d))
    cases[name] = {"d": [float(x) for x in d], "wilcoxon_statistic": float(w.statistic), "wilcoxon_p": float(w.pvalue),
                   "t": float(t.statistic), "t_p": float(t.pvalue), "dz": float(d.mean() / d.std(ddof=1))}
# Student t tails and the incomplete beta at a few points.
cases["student"] = [{"t": t, "df": df, "p": float(2 * stats.t.sf(abs(t), df))} for t, df in ((0.5, 2), (2.1, 4), (-3.3, 9), (1.96, 1000), (12.0, 3))]
ps = [0.01, 0.04, 0.03, 0.005, 0.2]
from statsmodels.stats.multitest import multipletests  # noqa: E402
cases["holm"] = {"p": ps, "adjusted": [float(x) for x in multipletests(ps, method="holm")[1]]}
print(json.dumps(cases, indent=1))

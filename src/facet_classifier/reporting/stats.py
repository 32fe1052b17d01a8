"""The statistics behind the tables: Wilson intervals for shares, log-odds ratios for distinctive terms."""

from __future__ import annotations

import numpy as np
from scipy.stats import binomtest

CONFIDENCE = 0.95


def wilson_interval(k: np.ndarray, n: np.ndarray, confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """95 % Wilson score interval for k successes out of n (scipy's binomtest); NaN where n == 0.

    Only the distinct (k, n) pairs are computed, so a table of any length costs a few calls.
    """
    k = np.asarray(k, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    low = np.full(k.shape, np.nan)
    high = np.full(k.shape, np.nan)
    cache: dict[tuple[int, int], tuple[float, float]] = {}
    for index in np.flatnonzero(n > 0):
        pair = (int(k[index]), int(n[index]))
        if pair not in cache:
            ci = binomtest(pair[0], pair[1]).proportion_ci(confidence_level=confidence, method="wilson")
            cache[pair] = (max(0.0, float(ci.low)), min(1.0, float(ci.high)))
        low[index], high[index] = cache[pair]
    return low, high


def log_odds_dirichlet(in_group: np.ndarray, out_group: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds ratio of each term in a group vs the rest, with an informative Dirichlet prior.

    Monroe, Colaresi & Quinn (2008), "Fightin' words", eqs. 16 and 22: with term counts y_i (group)
    and y_j (rest), group sizes n_i, n_j, prior pseudo-counts a_w and a_0 = sum(a_w):
        delta_w = log((y_iw + a_w) / (n_i + a_0 - y_iw - a_w)) - log((y_jw + a_w) / (n_j + a_0 - y_jw - a_w))
        z_w = delta_w / sqrt(1 / (y_iw + a_w) + 1 / (y_jw + a_w))
    Returns (delta, z); positive z means over-represented in the group.
    """
    y_i = np.asarray(in_group, dtype=float)
    y_j = np.asarray(out_group, dtype=float)
    a = np.asarray(prior, dtype=float)
    a0 = a.sum()
    n_i, n_j = y_i.sum(), y_j.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((y_i + a) / (n_i + a0 - y_i - a)) - np.log((y_j + a) / (n_j + a0 - y_j - a))
        z = delta / np.sqrt(1.0 / (y_i + a) + 1.0 / (y_j + a))
    return delta, z

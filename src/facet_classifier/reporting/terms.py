"""Distinctive terms per trend: terms over-represented in a trend's cases against all other cases.

Terms are scikit-learn CountVectorizer unigrams and bigrams (English stop words removed, words of
two or more letters, terms in at least two cases). Each trend's term counts are compared with
the counts in the cases without that trend by the log-odds ratio with an informative Dirichlet
prior (Monroe, Colaresi & Quinn 2008); the prior is each term's count over all cases in the report.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from facet_classifier.config import SEED
from facet_classifier.reporting.model import ReportData, Table
from facet_classifier.reporting.stats import log_odds_dirichlet
from facet_classifier.reporting.tables import exploded_labels
from facet_classifier.reporting.wording import plural

MAX_FEATURES = 30_000
MAX_CASES = 20_000  # above this, terms come from a fixed random sample of cases (tokenising is the slow part)
SIGNIFICANT_Z = 1.96
STATISTIC = ("log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008): z_score = "
             "log_odds_ratio / its standard error; prior = each term's count over all cases in the report; "
             "terms are CountVectorizer unigrams and bigrams without English stop words, present in at least "
             "two cases, skipping a term whose words all appear in higher-ranked terms; z_score >= 1.96 is marked "
             "significant (uncorrected)")  # fmt: skip


def case_texts(cases: pd.DataFrame) -> pd.Series:
    title = cases["title"].fillna("").astype(str) if "title" in cases else ""
    text = cases["text"].fillna("").astype(str) if "text" in cases else ""
    return (title + ". " + text).str.strip(". ")


def _sample(cases: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if len(cases) <= MAX_CASES:
        return cases, ""
    sample = cases.sample(n=MAX_CASES, random_state=SEED).sort_index()
    return sample, f"Terms come from a fixed random sample of {MAX_CASES:,} of the {len(cases):,} cases (seed {SEED})."


def non_redundant(vocabulary: np.ndarray, ranked: np.ndarray, top: int) -> list[int]:
    """The first `top` ranked terms, skipping a term whose words all appear in terms already chosen
    (so "artificial intelligence" does not follow "artificial" and "intelligence")."""
    chosen: list[int] = []
    words: set[str] = set()
    for index in ranked:
        parts = set(str(vocabulary[index]).split())
        if parts <= words:
            continue
        chosen.append(int(index))
        words |= parts
        if len(chosen) == top:
            break
    return chosen


def distinctive_terms(data: ReportData, top: int) -> Table | None:
    """Top terms per trend by z-score; None when the cases carry no text."""
    if not (data.has("text") or data.has("title")):
        return None
    cases, sample_note = _sample(data.cases)
    texts = case_texts(cases)
    vectorizer = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{2,}\b", ngram_range=(1, 2),
                                 min_df=2, max_features=MAX_FEATURES, dtype=np.int32)  # fmt: skip
    try:
        X = vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # empty vocabulary: too little text
        return None
    vocabulary = vectorizer.get_feature_names_out()
    labels = exploded_labels(cases, "trend_labels")
    position = pd.Series(np.arange(len(cases)), index=cases.index)
    trend_index = {t: i for i, t in enumerate(data.trends)}
    rows = position.loc[labels.index].to_numpy()
    columns = labels.map(trend_index).to_numpy()
    membership = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, columns)), shape=(len(cases), len(data.trends)))
    in_trend = np.asarray((membership.T @ X).todense())
    in_trend_docs = np.asarray((membership.T @ (X > 0).astype(np.int32)).todense())
    totals = np.asarray(X.sum(axis=0)).ravel()
    frames = []
    for trend, i in trend_index.items():
        if membership[:, i].nnz == 0:
            continue
        delta, z = log_odds_dirichlet(in_trend[i], totals - in_trend[i], totals)
        keep = np.flatnonzero((z > 0) & (in_trend_docs[i] >= min(2, membership[:, i].nnz)))
        best = np.array(non_redundant(vocabulary, keep[np.lexsort((vocabulary[keep], -z[keep]))], top), dtype=int)
        frames.append(pd.DataFrame({
            "trend": trend, "rank": np.arange(1, len(best) + 1), "term": vocabulary[best], "z_score": z[best],
            "log_odds_ratio": delta[best], "n_in_trend": in_trend[i][best], "n_elsewhere": (totals - in_trend[i])[best],
            "cases_in_trend": in_trend_docs[i][best],
        }))  # fmt: skip
    columns = ["trend", "trend_name", "rank", "term", "z_score", "log_odds_ratio", "significant", "n_in_trend",
               "n_elsewhere", "cases_in_trend"]  # fmt: skip
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[c for c in columns if c not in ("trend_name", "significant")])
    frame.insert(1, "trend_name", frame["trend"].map(data.trend_names))
    frame["significant"] = frame["z_score"].astype(float) >= SIGNIFICANT_Z
    frame["z_score"] = frame["z_score"].astype(float).round(3)
    frame["log_odds_ratio"] = frame["log_odds_ratio"].astype(float).round(4)
    notes = [f"Statistic: {STATISTIC}."]
    if sample_note:
        notes.append(sample_note)
    return Table(
        name="distinctive_terms",
        title=f"Distinctive terms per trend (top {top})",
        frame=frame[columns],
        description=f"Terms over-represented in each trend's cases compared with the other cases "
        f"({plural(X.shape[1], 'term')} in the vocabulary).",
        notes=notes,
    )

"""The report's figures (matplotlib, Agg backend): each saved as PNG and SVG, atomically.

Colours are the Okabe-Ito palette and the cividis/viridis colour maps, which stay distinguishable
with the common forms of colour-blindness. SVG output carries no date and fixed ids, so the same
data give byte-identical files.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from facet_classifier.fileio import atomic_path  # noqa: E402
from facet_classifier.reporting.model import ReportData  # noqa: E402

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
GREY = "#999999"
STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "facet-classifier-report",
    "svg.fonttype": "none",
}
DPI = 120
# viridis, reversed and without its palest yellow, so one-case hexagons still show on white
DENSITY_CMAP = ListedColormap(matplotlib.colormaps["viridis_r"](np.linspace(0.12, 1.0, 256)), name="density")
SCATTER_UP_TO = 2000  # the diamond also shows single cases up to this many; beyond, density alone


def palette(n: int) -> list[str]:
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def save_figure(fig: Figure, folder: Path, name: str) -> dict[str, Path]:
    """Write `name`.png and `name`.svg into folder; returns their paths."""
    paths = {}
    for fmt in ("png", "svg"):
        target = Path(folder) / f"{name}.{fmt}"
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        with atomic_path(target) as tmp, plt.rc_context(STYLE):  # the SVG id salt must be set while saving
            fig.savefig(tmp, format=fmt, dpi=DPI, bbox_inches="tight", metadata=metadata)
        paths[fmt] = target
    plt.close(fig)
    return paths


def _year_ticks(ax: plt.Axes, years: list[int], labels: list[str] | None = None, most: int = 16) -> None:
    step = max(1, math.ceil(len(years) / most))
    shown = years[::step]
    ax.set_xticks(shown)
    ax.set_xticklabels(labels[::step] if labels else [str(y) for y in shown], rotation=0 if len(shown) <= 10 else 45)


# ------------------------------------------------------------------------------- stacked shares
def stacked_shares(frame: pd.DataFrame, label_column: str, order: list[str], names: dict[str, str],
                   years: list[int], title: str, legend_title: str) -> Figure:  # fmt: skip
    """Stacked bars of each year's shares (years without cases stay empty and say n=0)."""
    wide = frame.pivot(index="year", columns=label_column, values="share").reindex(index=years, columns=order) * 100
    totals = frame.groupby("year")["year_cases"].first().reindex(years, fill_value=0)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(max(7.0, 0.55 * len(years) + 4), 5))
        bottom = np.zeros(len(years))
        for colour, label in zip(palette(len(order)), order):
            values = wide[label].fillna(0).to_numpy()
            ax.bar(years, values, bottom=bottom, color=colour, label=names.get(label, label), width=0.8,
                   edgecolor="white", linewidth=0.5)  # fmt: skip
            bottom += values
        ax.set_ylim(0, 100)
        ax.set_ylabel("share of the year's cases (%)")
        ax.set_xlabel("year (n = cases with that year)")
        _year_ticks(ax, years, [f"{y}\nn={totals[y]}" for y in years])
        for year in years:
            if totals[year] == 0:
                ax.text(year, 50, "no cases", rotation=90, ha="center", va="center", fontsize=8, color=GREY)
        ax.set_title(title)
        ax.legend(title=legend_title, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


# ------------------------------------------------------------------------------ trend multiples
def trend_multiples(frame: pd.DataFrame, order: list[str], names: dict[str, str], years: list[int]) -> Figure:
    """One small panel per trend: its share of each year's cases (gaps where a year has no cases)."""
    columns = min(4, len(order)) or 1
    rows = max(1, math.ceil(len(order) / columns))
    wide = frame.pivot(index="year", columns="trend", values="share").reindex(index=years, columns=order) * 100
    low = high = None
    if "share_ci_low" in frame:
        low = frame.pivot(index="year", columns="trend", values="share_ci_low").reindex(index=years, columns=order) * 100
        high = frame.pivot(index="year", columns="trend", values="share_ci_high").reindex(index=years, columns=order) * 100
    top = float(np.nanmax(wide.to_numpy())) if np.isfinite(wide.to_numpy()).any() else 1.0
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, columns, figsize=(3.3 * columns, 2.5 * rows + 0.8), sharex=True, sharey=True, squeeze=False)
        for ax, trend in zip(axes.flat, order):
            if low is not None:
                ax.fill_between(years, low[trend].to_numpy(dtype=float), high[trend].to_numpy(dtype=float),
                                color=OKABE_ITO[4], alpha=0.25, linewidth=0)  # fmt: skip
            ax.plot(years, wide[trend].to_numpy(), color=OKABE_ITO[0], marker="o", markersize=3, linewidth=1.6)
            ax.set_title("\n".join(textwrap.wrap(names.get(trend, trend), 30)), fontsize=9)
            ax.set_ylim(0, top * 1.1 + 1)
            ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        for ax in list(axes.flat)[len(order):]:
            ax.set_visible(False)
        for column in range(columns):
            lowest = max(r for r in range(rows) if r * columns + column < len(order))
            _year_ticks(axes[lowest, column], years, most=6)
            axes[lowest, column].tick_params(axis="x", labelbottom=True, labelrotation=45)
        for ax in axes[:, 0]:
            ax.set_ylabel("% of cases")
        fig.suptitle("Trend categories: share of each year's cases (a case can carry several trends)\n"
                     "line = share, band = 95 % Wilson interval", fontsize=12)
        fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------- heat map
def facet_trend_heatmap(frame: pd.DataFrame, data: ReportData) -> Figure:
    """Trends x primary facets: colour and number = share of the facet's cases with the trend."""
    shares = frame.pivot(index="trend", columns="facet", values="share_of_facet").reindex(index=data.trends, columns=data.facets) * 100
    counts = frame.pivot(index="trend", columns="facet", values="n_cases").reindex(index=data.trends, columns=data.facets)
    facet_cases = frame.groupby("facet")["facet_cases"].first().reindex(data.facets)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(2.0 * len(data.facets) + 4.5, 0.45 * len(data.trends) + 2.2))
        image = ax.imshow(np.ma.masked_invalid(shares.to_numpy(dtype=float)), cmap="YlGnBu", vmin=0, vmax=100, aspect="auto")
        for (i, j), value in np.ndenumerate(shares.to_numpy(dtype=float)):
            if np.isnan(value):
                ax.text(j, i, "–", ha="center", va="center", color=GREY)
                continue
            colour = "white" if value > 60 else "black"
            ax.text(j, i, f"{value:.0f} % ({int(counts.iat[i, j])})", ha="center", va="center", fontsize=9, color=colour)
        ax.set_xticks(range(len(data.facets)))
        ax.set_xticklabels([f"{data.facet_names[f]}\n(n={int(facet_cases[f])})" for f in data.facets])
        ax.set_yticks(range(len(data.trends)))
        ax.set_yticklabels([textwrap.shorten(data.trend_names[t], 48, placeholder="…") for t in data.trends])
        ax.set_xlabel("primary facet")
        ax.spines[:].set_visible(False)
        ax.set_title("Trend categories within each primary facet\n(% of the facet's cases carrying the trend, with case counts)")
        bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        bar.set_label("% of the facet's cases")
        fig.tight_layout()
    return fig


# ------------------------------------------------------------------------------------ diamond
def diamond_vertices(data: ReportData) -> dict[str, tuple[float, float]] | None:
    """Facet -> (x, y) on the diamond from the taxonomy, or None when a facet has no position."""
    axis = data.facet_axis
    if axis is None:
        return None
    vertices = {}
    for facet in data.facets:
        try:
            diamond = axis.label(facet).diamond
        except KeyError:
            return None
        if not diamond or "x" not in diamond or "y" not in diamond:
            return None
        vertices[facet] = (float(diamond["x"]), float(diamond["y"]))
    return vertices


def diamond_positions(data: ReportData, vertices: dict[str, tuple[float, float]]) -> tuple[np.ndarray, int]:
    """(n x 2 positions of the cases with any facet probability, number of cases left out)."""
    columns = [f"p_facet_{f}" for f in vertices]
    if any(c not in data.cases for c in columns):
        return np.empty((0, 2)), len(data.cases)
    weights = data.cases[columns].fillna(0.0).clip(lower=0).to_numpy(dtype=float)
    total = weights.sum(axis=1)
    usable = total > 0
    points = (weights[usable] / total[usable, None]) @ np.array([vertices[f] for f in vertices])
    return points, int((~usable).sum())


def _edge_label_angle(a: tuple[float, float], b: tuple[float, float]) -> float:
    angle = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
    if angle > 90:
        angle -= 180
    elif angle < -90:
        angle += 180
    return angle


def portfolio_diamond(data: ReportData, vertices: dict[str, tuple[float, float]], points: np.ndarray) -> Figure:
    """Every case placed by its facet probabilities on the OPSI diamond, with density and kinds of change."""
    axis = data.facet_axis
    diamond = {f: (axis.label(f).diamond or {}) for f in vertices}
    ring = sorted(vertices, key=lambda f: math.atan2(vertices[f][1], vertices[f][0]))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9, 8.6))
        outline = Polygon([vertices[f] for f in ring], closed=True, fill=False, edgecolor="#444444", linewidth=1.4, zorder=3)
        ax.add_patch(outline)
        ax.plot([-1, 1], [0, 0], color="#cccccc", linewidth=0.8, zorder=1)
        ax.plot([0, 0], [-1, 1], color="#cccccc", linewidth=0.8, zorder=1)
        if len(points) >= 30:
            hexes = ax.hexbin(points[:, 0], points[:, 1], gridsize=26, extent=(-1.05, 1.05, -1.05, 1.05), mincnt=1,
                              bins="log", cmap=DENSITY_CMAP, linewidths=0.2, edgecolors="white", zorder=2)  # fmt: skip
            hexes.set_clip_path(outline)
            bar = fig.colorbar(hexes, ax=ax, fraction=0.035, pad=0.02, shrink=0.7)
            top = float(np.nanmax(hexes.get_array())) if hexes.get_array() is not None and len(hexes.get_array()) else 1.0
            bar.set_ticks([t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000) if t <= max(top, 1)])
            bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
            bar.ax.minorticks_off()
            bar.set_label("cases per hexagon (log scale)")
        if 0 < len(points) <= SCATTER_UP_TO:
            ax.scatter(points[:, 0], points[:, 1], s=6 if len(points) > 300 else 14, color="black",
                       alpha=min(0.6, max(0.1, 60 / len(points))), linewidths=0, zorder=4)  # fmt: skip
        if len(points):
            centre = points.mean(axis=0)
            ax.scatter([centre[0]], [centre[1]], marker="X", s=140, color=OKABE_ITO[5], edgecolor="white", zorder=6,
                       label="portfolio centre (mean position)")  # fmt: skip
            ax.legend(loc="upper left", frameon=False, fontsize=9)
        for facet, (x, y) in vertices.items():
            pole = diamond[facet].get("pole")
            label = data.facet_names[facet] + (f"\n({pole})" if pole else "")
            ha = "right" if x < -0.5 else "left" if x > 0.5 else "center"
            va = "bottom" if y > 0.5 else "top" if y < -0.5 else "center"
            ax.annotate(label, (x, y), xytext=(x * 1.06, y * 1.06), ha=ha, va=va, fontsize=11, fontweight="bold", zorder=7)
            ax.scatter([x], [y], s=60, color=OKABE_ITO[list(vertices).index(facet) % 8], edgecolor="black", zorder=7)
        for change in getattr(axis, "changes", ()) or ():
            a, b = (vertices.get(f) for f in change["facets"])
            if a is None or b is None:
                continue
            mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
            norm = math.hypot(mx, my) or 1.0
            ax.text(mx + 0.13 * mx / norm, my + 0.13 * my / norm, f"{change['name']} change", rotation=_edge_label_angle(a, b),
                    rotation_mode="anchor", ha="center", va="center", fontsize=11, style="italic", color="#333333", zorder=7)  # fmt: skip
        by_position = {d.get("position"): f for f, d in diamond.items()}
        left, right, top, bottom = (diamond.get(by_position.get(p), {}).get("pole", p) for p in ("left", "right", "top", "bottom"))
        ax.set_xlabel(f"← {left}          {right} →")
        ax.set_ylabel(f"← {bottom}          {top} →")
        ax.set_xlim(-1.65, 1.65)
        ax.set_ylim(-1.4, 1.4)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(f"Portfolio diamond: {len(points):,} cases placed by their facet probabilities")
        fig.tight_layout()
    return fig

"""facet-classifier: classify public-sector innovation cases by OPSI facet and trend category."""

__version__ = "0.1.0"

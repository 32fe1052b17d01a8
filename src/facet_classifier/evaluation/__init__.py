"""Evaluation stage: metrics of a model against labelled cases, and model comparison."""

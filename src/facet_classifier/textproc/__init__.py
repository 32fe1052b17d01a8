"""Text processing stage: spaCy (blank English + lookup lemmatizer) and seed-phrase matching."""

from facet_classifier.textproc.processor import ProcessedText, TextProcessor, model_text

__all__ = ["ProcessedText", "TextProcessor", "model_text"]

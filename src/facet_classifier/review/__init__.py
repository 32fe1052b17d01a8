"""Review stage: active-learning suggestions, labelling-sheet import, label audit."""

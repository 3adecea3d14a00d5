"""Evaluation stage: metrics and the report `make eval` writes."""

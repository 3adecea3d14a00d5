"""Data stage: the shipped corpora and the loader that reads them."""

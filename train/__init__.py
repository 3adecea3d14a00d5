"""Training stage: `make train` fits the model described by config.toml."""

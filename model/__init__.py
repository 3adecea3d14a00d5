"""sensational: score news headlines for sensationalist framing.

The package is light to import: the model code loads when first used, so `sensational predict`
starts fast.
"""

__all__ = ["Sensational"]


def __getattr__(name):
    if name == "Sensational":
        from sensational.predictor import Sensational

        return Sensational
    raise AttributeError(name)

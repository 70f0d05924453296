"""sijpath: clinical decision support for sacroiliac-joint pain."""

__version__ = "0.1.0"

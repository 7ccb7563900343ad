"""Analytics reports over order CSVs."""

__version__ = "0.1.0"

"""CareTill: the cashier's till of a hospital or clinic."""

__version__ = "0.1.0"

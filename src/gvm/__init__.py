"""gvm: a governed violence-harm register."""

__version__ = "0.1.0"

"""Pydantic v2 request and response models of the web API, one module per area."""

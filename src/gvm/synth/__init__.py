"""Deterministic synthetic London (seeded) for demos, tests and benchmarks."""

from gvm.synth.generator import SCALES, SynthSummary, generate

__all__ = ["SCALES", "SynthSummary", "generate"]

"""Eligibility screening: one engine, criteria as data (placeholder until the engine lands)."""

from __future__ import annotations


def criterion_params_errors(kind: str, params) -> list[str]:
    """Why `params` do not suit a criterion of `kind` (empty when they do)."""
    return [] if isinstance(params, dict) else ["Parameters must be an object."]

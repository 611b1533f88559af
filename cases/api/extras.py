"""Parts of `GET cases/{number}/` that higher apps fill in (API.md: "next hearing, open
deadlines"). `cases` never imports them: the docket app registers its providers in its
AppConfig.ready(), as panels are registered for the case page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# name -> provider(case=..., level=...) -> a JSON-ready value
_providers: dict[str, Callable[..., Any]] = {}


def register_case_detail_field(name: str, provider: Callable[..., Any]) -> None:
    _providers[name] = provider


def case_detail_field(name: str, *, case, level: str, default: Any) -> Any:
    """The value of `name` for `case` read at `level`, or `default` when no app provides it."""
    provider = _providers.get(name)
    return default if provider is None else provider(case=case, level=level)

"""Panels on the case file page contributed by higher apps (hearings, deadlines, documents,
balance, program). Registered in their AppConfig.ready(); cases never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class CasePanel:
    key: str
    title: str
    template: str
    context: Callable[[HttpRequest, object], dict]  # (request, CaseFile) -> template context
    order: int = 100


_panels: dict[str, CasePanel] = {}


def register_case_panel(panel: CasePanel) -> None:
    _panels[panel.key] = panel


def case_panels_for(request: HttpRequest, case_file) -> list[dict]:
    return [
        {"key": p.key, "title": p.title, "template": p.template, **p.context(request, case_file)}
        for p in sorted(_panels.values(), key=lambda p: p.order)
    ]

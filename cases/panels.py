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
    # (request, CaseFile) -> template context; None: the panel does not apply to this case
    # (e.g. a speedy-trial clock on a civil case) and is not shown.
    context: Callable[[HttpRequest, object], dict | None]
    order: int = 100


_panels: dict[str, CasePanel] = {}


def register_case_panel(panel: CasePanel) -> None:
    _panels[panel.key] = panel


def case_panels_for(request: HttpRequest, case_file) -> list[dict]:
    panels = []
    for p in sorted(_panels.values(), key=lambda p: p.order):
        context = p.context(request, case_file)
        if context is not None:
            panels.append({"key": p.key, "title": p.title, "template": p.template, **context})
    return panels

"""The UI shell's registries: navigation items and home-page panels per role.

Apps add their own in AppConfig.ready(); core never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse

from .policies import user_has_role
from .roles import Role

ALL_ROLES = tuple(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...] = ALL_ROLES
    order: int = 100

    def visible_to(self, user) -> bool:
        return user_has_role(user, *self.roles)


@dataclass(frozen=True)
class HomePanel:
    """A section of a role's home page: a template and a function giving its context."""

    key: str
    title: str
    template: str
    roles: tuple[str, ...]
    context: Callable[[HttpRequest], dict] = field(default=lambda request: {})
    order: int = 100


_nav: dict[str, NavItem] = {}
_panels: dict[str, HomePanel] = {}


def register_nav(item: NavItem) -> None:
    _nav[item.url_name] = item


def register_home_panel(panel: HomePanel) -> None:
    _panels[panel.key] = panel


def nav_for(user) -> list[dict]:
    items = sorted((i for i in _nav.values() if i.visible_to(user)), key=lambda i: i.order)
    return [{"label": i.label, "url": reverse(i.url_name), "url_name": i.url_name} for i in items]


def home_panels_for(request: HttpRequest) -> list[dict]:
    panels = sorted(
        (p for p in _panels.values() if user_has_role(request.user, *p.roles)),
        key=lambda p: p.order,
    )
    return [
        {"key": p.key, "title": p.title, "template": p.template, **p.context(request)}
        for p in panels
    ]

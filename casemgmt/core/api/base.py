"""Base API view: scoping that cannot be skipped, and service errors in the API's shape.

Every API view over records derives from :class:`ScopedAPIView`. A subclass says
what its caller may see by implementing ``get_visible_queryset()``; it never
overrides ``get_queryset()`` (a class that tries is refused when it is defined),
so list, detail and lookups all start from the visible set. After PostHog's
``TeamAndOrgViewSetMixin.safely_get_queryset``.

Services raise Django ``ValidationError`` keyed by field (``parties.0.last_name``)
with stable codes; DRF serializers raise nested errors. Both reach the client as
one flat map of dotted field paths, each with ``[{"code", "message"}]``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.generics import GenericAPIView

NON_FIELD_ERRORS = "non_field_errors"


def flatten_error_detail(detail: Any, prefix: str = "") -> dict[str, list[ErrorDetail]]:
    """DRF's nested error detail -> {"parties.0.last_name": [ErrorDetail, ...], ...}.

    A nested ``non_field_errors`` belongs to its container (``parties``: "expected a
    list"); only the top level keeps the name ``non_field_errors``.
    """
    out: dict[str, list[ErrorDetail]] = {}

    def put(key: str, item: Any) -> None:
        out.setdefault(key or NON_FIELD_ERRORS, []).append(
            item if isinstance(item, ErrorDetail) else ErrorDetail(str(item), code="invalid")
        )

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                key = str(key)
                if key == NON_FIELD_ERRORS and path:
                    walk(sub, path)
                else:
                    walk(sub, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            if any(isinstance(item, dict | list) for item in value):
                # A list serializer: one entry per item, `{}` for the valid ones.
                for index, item in enumerate(value):
                    if isinstance(item, dict | list):
                        walk(item, f"{path}.{index}" if path else str(index))
                    else:
                        put(path, item)
            else:
                for item in value:
                    put(path, item)
        else:
            put(path, value)

    walk(detail, prefix)
    return out


def api_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's Django ValidationError as a DRF one, keeping each message's code.

    ``ValidationError({"parties.0.date_of_birth": [ValidationError(msg, code="DATE_IN_FUTURE")]})``
    answers ``fields: {"parties.0.date_of_birth": [{"code": "DATE_IN_FUTURE", ...}]}``;
    a field-less error goes under ``non_field_errors``.
    """
    if hasattr(exc, "error_dict"):
        items = exc.error_dict.items()
    else:
        items = [(NON_FIELD_ERRORS, exc.error_list)]
    detail: dict[str, list[ErrorDetail]] = {}
    for key, errors in items:
        field = NON_FIELD_ERRORS if key in (None, "__all__") else str(key)
        for error in errors:
            message = error.message % error.params if error.params else error.message
            detail.setdefault(field, []).append(
                ErrorDetail(str(message), code=error.code or "invalid")
            )
    return exceptions.ValidationError(detail)


class ScopedAPIView(GenericAPIView):
    """A view whose records all come from ``get_visible_queryset()``.

    Subclasses set ``model`` (used only while the OpenAPI schema is generated,
    when there is no caller) and implement ``get_visible_queryset()``.
    ``get_queryset()`` and a class-level ``queryset`` are off limits.
    """

    model: ClassVar[type[models.Model] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise ImproperlyConfigured(
                f"{cls.__qualname__} overrides get_queryset(); implement "
                "get_visible_queryset() instead so that visibility cannot be skipped."
            )
        if cls.__dict__.get("queryset") is not None:
            raise ImproperlyConfigured(
                f"{cls.__qualname__} sets `queryset`; set `model` and implement "
                "get_visible_queryset() instead."
            )

    def get_visible_queryset(self) -> models.QuerySet:
        """The records the caller may see. Every subclass that reads records implements it."""
        raise NotImplementedError(
            f"{type(self).__qualname__} must implement get_visible_queryset()"
        )

    def get_queryset(self) -> models.QuerySet:
        if getattr(self, "swagger_fake_view", False) and self.model is not None:
            # Schema generation: no caller, no URL kwargs; only the model matters.
            return self.model._default_manager.none()
        queryset = self.get_visible_queryset()
        if not isinstance(queryset, models.QuerySet):
            raise ImproperlyConfigured(
                f"{type(self).__qualname__}.get_visible_queryset() must return a QuerySet."
            )
        return queryset

    def handle_exception(self, exc: Exception):
        # Service refusals keyed by field keep their codes; nested serializer errors
        # are flattened to dotted paths, so the client sees one shape for both.
        if isinstance(exc, DjangoValidationError):
            exc = api_validation_error(exc)
        if isinstance(exc, exceptions.ValidationError):
            exc = exceptions.ValidationError(flatten_error_detail(exc.detail))
        return super().handle_exception(exc)


# --- the error shape, for the OpenAPI schema -----------------------------------------------


class FieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code, e.g. DATE_IN_FUTURE or required.")
    message = serializers.CharField()


class ApiErrorSerializer(serializers.Serializer):
    """Every error answer: `{"code", "message", "fields"}` (API.md)."""

    code = serializers.CharField(help_text="Stable code, e.g. VALIDATION_ERROR or NOT_FOUND.")
    message = serializers.CharField()
    fields = serializers.DictField(
        child=FieldErrorSerializer(many=True),
        help_text="Field path (e.g. `parties.0.last_name`) -> its errors.",
    )


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """`extend_schema(responses=...)` entries for the given error statuses."""
    descriptions = {
        400: "Invalid input (VALIDATION_ERROR, with `fields`).",
        401: "Not authenticated.",
        403: "Authenticated but not allowed (PERMISSION_DENIED).",
        404: "Not found, or not visible to the caller (the same answer).",
        409: "Conflict (e.g. CASE_NUMBER_AMBIGUOUS).",
        422: "Refused by a rule of the court (a stable code).",
    }
    return {
        code: OpenApiResponse(ApiErrorSerializer, description=descriptions.get(code, ""))
        for code in statuses
    }

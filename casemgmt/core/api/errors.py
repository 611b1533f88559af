"""One error shape for the whole API: {"code", "message", "fields"} (API.md)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..errors import DomainError

_CODES = {
    status.HTTP_400_BAD_REQUEST: "VALIDATION_ERROR",
    status.HTTP_401_UNAUTHORIZED: "NOT_AUTHENTICATED",
    status.HTTP_403_FORBIDDEN: "PERMISSION_DENIED",
    status.HTTP_404_NOT_FOUND: "NOT_FOUND",
    status.HTTP_405_METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
    status.HTTP_406_NOT_ACCEPTABLE: "NOT_ACCEPTABLE",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
    status.HTTP_429_TOO_MANY_REQUESTS: "THROTTLED",
}


def _field_errors(detail) -> dict:
    """DRF's nested ErrorDetail structure -> {"field": [{"code", "message"}], ...}."""
    if isinstance(detail, dict):
        return {key: _field_errors_list(value) for key, value in detail.items()}
    return {"non_field_errors": _field_errors_list(detail)}


def _field_errors_list(value):
    if isinstance(value, dict):
        return _field_errors(value)
    if isinstance(value, list):
        out = []
        for item in value:
            nested = _field_errors_list(item)
            out.extend(nested if isinstance(nested, list) else [nested])
        return out
    return [{"code": getattr(value, "code", "invalid"), "message": str(value)}]


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        fields = {exc.field: [{"code": exc.code, "message": exc.message}]} if exc.field else {}
        body = {"code": exc.code, "message": exc.message, "fields": fields}
        if exc.details:
            body["details"] = exc.details
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "VALIDATION_ERROR",
            "message": "Some fields are not valid.",
            "fields": _field_errors(exc.detail),
        }
    else:
        detail = getattr(exc, "detail", "")
        body = {
            "code": _CODES.get(response.status_code, str(getattr(detail, "code", "ERROR")).upper()),
            "message": str(detail),
            "fields": {},
        }
    response.data = body
    return response

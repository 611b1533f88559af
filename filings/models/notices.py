"""Notices and orders the court issues, rendered to PDF from versioned templates."""

__all__: list[str] = []

"""REST API v1 over the case file (API.md)."""

"""Documents, filing types and filings (counter filing and e-filing review)."""

__all__: list[str] = []

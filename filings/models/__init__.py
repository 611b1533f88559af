"""Documents in and out of the court: filings (documents.py) and notices (notices.py)."""

from .documents import *  # noqa: F403
from .notices import *  # noqa: F403
from .packets import *  # noqa: F403

"""The two ways a search request can be refused, each with the detail a person needs to fix it."""
from __future__ import annotations


class QueryError(ValueError):
    """A search request that cannot run. `message` is the fixed contract text, `detail` says what to change."""

    message = "Invalid query"

    def __init__(self, detail: str) -> None:
        super().__init__(f"{self.message}: {detail}" if detail else self.message)
        self.detail = detail

    def to_dict(self) -> dict[str, str]:
        return {"status": "error", "message": self.message, "detail": self.detail}


class UninterpretableQuery(QueryError):
    """Nothing in the text was understood (or it asks for something the parser cannot express)."""

    message = "Unable to interpret query"


class InvalidQueryParameters(QueryError):
    """Out-of-range or contradictory filter values."""

    message = "Invalid query parameters"

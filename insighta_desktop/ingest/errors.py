"""Errors that stop a file from being imported at all (nothing is written)."""
from __future__ import annotations


class ImportRefused(Exception):
    """The file cannot be imported: not text, empty, header only, required columns missing, unreadable.

    `code` is stable for programs (and tests); `message` names the problem for a person.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

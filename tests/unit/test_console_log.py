"""The terminal gets one line per failure; the traceback goes to the log file (and to the terminal with --verbose)."""
from __future__ import annotations

import logging
import sys

from insighta_desktop.logging_setup import FORMAT, ConsoleFormatter, SecretMaskingFormatter


def failed_record() -> logging.LogRecord:
    try:
        raise RuntimeError("connection to postgresql://u:hunter22@db/x refused")
    except RuntimeError:
        return logging.LogRecord("insighta", logging.ERROR, __file__, 1, "Cannot open the database", None,
                                 sys.exc_info())


def test_the_console_line_has_no_traceback_and_the_file_keeps_it():
    record = failed_record()
    console = ConsoleFormatter(FORMAT).format(record)
    full = SecretMaskingFormatter(FORMAT).format(record)
    assert console.count("\n") == 0 and console.endswith("Cannot open the database")
    assert "Traceback (most recent call last)" in full and "RuntimeError" in full
    assert "hunter22" not in full  # the file's traceback is masked too
    assert "Traceback" not in ConsoleFormatter(FORMAT).format(record)  # after the file formatter cached exc_text

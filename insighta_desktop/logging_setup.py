"""Logging to a rotating file in the log dir and to stderr."""
from __future__ import annotations

import logging
import logging.handlers

from insighta_desktop.config import AppPaths
from insighta_desktop.db.secret_text import mask_secrets_in_text

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class SecretMaskingFormatter(logging.Formatter):
    """Every line (tracebacks included) with database URL passwords and password=/sslpassword= values masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets_in_text(super().format(record))


class ConsoleFormatter(SecretMaskingFormatter):
    """One line per record on the terminal: tracebacks go to the log file only (and to the terminal with --verbose)."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info or record.exc_text or record.stack_info:
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None,
                                            "stack_info": None})
        return super().format(record)


_configured = False  # once per process: the CLI, the app and the self-test may each call setup_logging


def setup_logging(*, verbose: bool = False, console_level: int = logging.INFO,
                  paths: AppPaths | None = None) -> None:
    global _configured
    root = logging.getLogger()
    if _configured:
        return
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else console_level)
    console.setFormatter(SecretMaskingFormatter(FORMAT) if verbose else ConsoleFormatter(FORMAT))
    root.addHandler(console)
    try:
        log_dir = (paths or AppPaths.default()).ensure().log_dir
        file_handler = logging.handlers.RotatingFileHandler(
            log_dir / "insighta.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        file_handler.setFormatter(SecretMaskingFormatter(FORMAT))
        root.addHandler(file_handler)
    except OSError as exc:
        root.warning("Logging to stderr only; the log folder is not writable: %s", exc)
    logging.getLogger("qasync").setLevel(logging.INFO)  # its debug lines repeat every result in full
    _configured = True

"""JSON-lines logging for headless runners: one object per line, secrets redacted."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

from core.db import redact
from core.safetext import clean

_JSON_HANDLER: logging.Handler | None = None
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


# ------------------------------------------------------------------------------------------------
# Headless logging: one JSON object per line on stdout
# ------------------------------------------------------------------------------------------------
class JsonLineFormatter(logging.Formatter):
    """Formats a log record as one JSON line: ``ts level logger message`` plus the record's ``fields``.

    Messages pass through :func:`core.safetext.clean` so text from outside (an employer's page title,
    an error from a site) cannot smuggle escape sequences into an operator's terminal or log pipeline.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": clean(redact(record.getMessage())),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            for key, value in extra.items():
                line.setdefault(key, value)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line["error"] = clean(redact(f"{type(exc).__name__}: {exc}"))
        return _dumps(line)


def _dumps(line: dict[str, Any]) -> str:
    """One JSON line, by orjson (a runner writes one per task, so its cost is per task); the standard library
    takes what orjson refuses (an integer beyond 64 bits, a lone surrogate), escaping everything beyond ASCII
    there so that the line can always be written, and no record is lost."""
    try:
        return orjson.dumps(line, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(line, default=str)


def install_json_logging(level: str = "info", stream: Any = None) -> logging.Handler:
    """Send every ``talvix.*`` log record to stdout as one JSON line (idempotent)."""
    global _JSON_HANDLER
    root = logging.getLogger("talvix")
    if _JSON_HANDLER is None:
        # The JSON line names no source file, thread or process: skip looking them up for every record
        # (the logging HOWTO's "Optimization" settings). This process logs a line per task.
        logging._srcfile = None
        logging.logThreads = False
        logging.logProcesses = False
        logging.logMultiprocessing = False
        _JSON_HANDLER = logging.StreamHandler(stream or sys.stdout)
        _JSON_HANDLER.setFormatter(JsonLineFormatter())
        root.addHandler(_JSON_HANDLER)
        root.propagate = False
    root.setLevel(_LEVELS.get(level, logging.INFO))
    return _JSON_HANDLER

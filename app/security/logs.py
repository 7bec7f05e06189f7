"""Link tokens never reach the logs (R18): a logging filter masks anything shaped like a token in the
access log's path and in every message of the app's and uvicorn's loggers, error paths included."""

import logging
import re

# Link tokens are 43 base64url characters (app.links.TOKEN_LENGTH); bounded so longer words stay.
TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
MASK = "***"
LOGGERS = ("uvicorn.access", "uvicorn.error", "advisor")


def redact(text: str) -> str:
    return TOKEN.sub(MASK, text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(v) if isinstance(v, str) else v for key, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Formatters print exc_text when set: a traceback's messages may quote the token too.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def install() -> None:
    """Idempotent: each logger gets the filter once, however many apps are created."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())

"""The one redaction function for every output surface: CLI, logs, errors, MCP, params, artefacts, attrs.

Two kinds of secret are hidden: credentials inside URLs (`scheme://user:password@host`, and
secret-looking query arguments such as `?password=...&token=...`), and the value of any key whose
name says it is a secret (`password`, `api_key`, `token`, `secret`, `credentials`, ...), at any
depth of nested dicts and lists. `redact` keeps the structure and every other value, so a
redacted spec still says what ran.
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "***"

_SECRET_KEY = re.compile(
    r"(^|[_.\-])(pass(word|wd|phrase)?|pwd|secrets?|token|api[_\-]?key|apikey|access[_\-]?key|private[_\-]?key|"
    r"credentials?|auth|authorization|session[_\-]?key|cookie|signature|dsn)($|[_.\-])",
    re.IGNORECASE,
)
# scheme://user:password@host -> scheme://user:***@host (also a bare token: scheme://token@host)
_URL_CREDENTIALS = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/?#@\s'\"]*)(?::(?P<pw>[^@/?#\s'\"]*))?@")
_QUERY_SECRET = re.compile(
    r"(?P<key>[?&;](?:[A-Za-z0-9_.-]*(?:password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|signature|"
    r"credential)[A-Za-z0-9_.-]*))=(?P<value>[^&#\s'\"]*)",
    re.IGNORECASE,
)


def is_secret_key(key: Any) -> bool:
    """Whether a mapping key (or a dotted param name) names a secret."""
    return isinstance(key, str) and bool(_SECRET_KEY.search(key.rsplit(".", 1)[-1].replace(" ", "_")))


def _url_sub(match: re.Match[str]) -> str:
    if match.group("pw") is None:  # scheme://user@host: the user part may be a token
        user = match.group("user")
        return f"{match.group('scheme')}{MASK if len(user) >= 20 else user}@"
    return f"{match.group('scheme')}{match.group('user')}:{MASK}@"


def redact_text(text: str) -> str:
    """`text` with URL credentials and secret query arguments masked."""
    if "://" not in text and "=" not in text:
        return text
    text = _URL_CREDENTIALS.sub(_url_sub, text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group('key')}={MASK}", text)


def redact(value: Any) -> Any:
    """A copy of `value` with secrets masked: secret-named keys at any depth, credentials in any string."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: (MASK if is_secret_key(k) and v not in (None, "") else redact(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(v) for v in value)
    if type(value).__name__ == "SecretStr":
        return MASK
    return value


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in every record's message (installed on the root handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is the caller's problem, not ours
            return True
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def install_log_redaction() -> None:
    """Mask secrets in everything logged through the root logger's handlers (idempotent)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.WARNING)
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())

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

MASK = "**********"  # what pydantic shows for a SecretStr

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
        return {k: (_mask(v) if is_secret_key(k) else redact(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(v) for v in value)
    if type(value).__name__ == "SecretStr":
        return MASK
    return value


_ENV_REFERENCE = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$")


def literal_secrets(value: Any, path: str) -> list[str]:
    """Paths under `value` that hold a literal secret: a secret-named key with a value that is not an
    environment reference (`${NAME}`), or a string with credentials in a URL. Used to refuse specs
    that would otherwise store a secret."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            where = f"{path}.{key}"
            if is_secret_key(key) and isinstance(inner, str | int | float) and inner != "" and not (
                    isinstance(inner, str) and _ENV_REFERENCE.match(inner)):
                found.append(where)
            else:
                found.extend(literal_secrets(inner, where))
    elif isinstance(value, list | tuple):
        for k, inner in enumerate(value):
            found.extend(literal_secrets(inner, f"{path}[{k}]"))
    elif isinstance(value, str) and redact_text(value) != value:
        found.append(path)
    return found


def expand_env_references(value: Any) -> Any:
    """`${NAME}` strings (at any depth) replaced by the environment's value, at the moment of use."""
    import os

    if isinstance(value, str) and _ENV_REFERENCE.match(value):
        name = value[2:-1]
        if name not in os.environ:
            raise KeyError(f"environment variable {name} (referenced as ${{{name}}}) is not set")
        return os.environ[name]
    if isinstance(value, dict):
        return {k: expand_env_references(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_env_references(v) for v in value]
    return value


def _mask(value: Any) -> Any:
    """The value of a secret-named key: containers are searched, `${ENV}` references kept, the rest masked."""
    if isinstance(value, dict | list | tuple):
        return redact(value)
    if value in (None, "") or (isinstance(value, str) and _ENV_REFERENCE.match(value)):
        return value
    return MASK


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

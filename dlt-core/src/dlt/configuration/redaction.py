"""Keeping secrets out of logs, errors, traces and output.

Two kinds of secret are redacted from any text we produce:

- values known to be secret: every value resolved from a secret (an argument defaulting to
  `dlt.secrets.value`, destination credentials) is remembered for the process;
- secrets recognisable by their shape, known or not: the password of a URL
  (`https://user:***@host`), secret-named parameters (`api_key=***`, `access_token=***`,
  `password=***`, `?key=***`) and bearer tokens (`Bearer ***`).

`redact()` does it for one text, `redact_data()` for a JSON-like structure (a trace loaded into
the destination), and `redact_exception()` for the text of every exception of a chain, so that
`traceback.format_exception()` of an error we raise prints no secret either.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "***"
_secrets: set[str] = set()

# `scheme://user:password@` -> `scheme://user:***@`
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/?#@\s'\"]*:)(?P<secret>[^@/?#\s'\"]+)(?=@)")
# `api_key=...`, `x-api-key=...`, `access_token=...`, `client_secret=...`, `password=...`
_SECRET_PARAM = re.compile(
    r"(?i)(?P<head>(?<![\w-])(?:[\w-]*[_-])?(?:api[_-]?key|apikey|access[_-]?key|private[_-]?key"
    r"|token|secret|password|passwd|pwd|credentials?)(?:=|%3D))"
    r"(?P<secret>[^&\s'\"<>,;)\]}]+)")
# short query parameter names that are secret only in a query string: `?key=`, `&sig=`
_SECRET_QUERY = re.compile(r"(?i)(?P<head>[?&](?:key|sig|signature|auth|code)=)(?P<secret>[^&\s#'\"<>]+)")
_BEARER = re.compile(r"(?P<head>\bBearer\s+)(?P<secret>[A-Za-z0-9._~+/=-]{8,})")
_PATTERNS = (_URL_PASSWORD, _SECRET_PARAM, _SECRET_QUERY, _BEARER)


NOT_SECRET_FIELDS = frozenset({
    "username", "user", "host", "hostname", "port", "database", "dbname", "drivername",
    "driver", "scheme", "sslmode", "query", "project_id", "client_email", "client_id",
    "location", "region", "region_name", "dataset", "dataset_name", "schema", "warehouse",
    "role", "account", "authenticator", "connect_timeout", "timeout", "endpoint_url",
    "api_endpoint", "type", "auth_uri", "token_uri",
})
"""Fields of a secret mapping (credentials) that name where and who, not how to get in: they
are not remembered, so an error can still say which user failed to log in to which host."""


def forget_secret(value: Any) -> None:
    """Stop redacting `value`: for a value of a secret field that is not secret after all (a
    DuckDB file path in `credentials`), so errors can name it."""
    if isinstance(value, (str, bytes)):
        text = value.decode(errors="ignore") if isinstance(value, bytes) else value
        if text in _secrets:
            _secrets.discard(text)
            _redacted.clear()


def remember_secret(value: Any) -> None:
    """Remember a secret value (and the string fields of a secret mapping, but for the
    `NOT_SECRET_FIELDS` that identify a user or server) so it can be redacted later."""
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).lower() not in NOT_SECRET_FIELDS:
                remember_secret(item)
        return
    if isinstance(value, (str, bytes)):
        text = value.decode(errors="ignore") if isinstance(value, bytes) else value
        if len(text) >= 4:
            _secrets.add(text)
            _redacted.clear()


_known_patterns: dict[str, re.Pattern[str]] = {}


def _known_secret_pattern(secret: str) -> re.Pattern[str]:
    """Matches `secret` where it stands alone: not inside a longer word, so that a short
    password such as `loader` leaves `loader_file_format` as it is."""
    pattern = _known_patterns.get(secret)
    if pattern is None:
        pattern = _known_patterns[secret] = re.compile(
            r"(?<![A-Za-z0-9_])" + re.escape(secret) + r"(?![A-Za-z0-9_])")
    return pattern


PLACEHOLDERS = frozenset({REDACTED, "password", "<password>", "pass", "pwd", "secret", "<secret>",
                          "token", "<token>", "...", "xxx"})
"""Words that stand where a secret goes in an example (`postgresql://user:password@host`):
not secrets themselves, so messages that show the expected form stay readable."""


def _mask(match: re.Match[str]) -> str:
    secret = match.group("secret")
    return match.group("head") + (secret if secret.lower() in PLACEHOLDERS else REDACTED)


_redacted: dict[str, str] = {}
"""Texts redacted since the last secret was remembered, and their redacted form: a trace
repeats the same names and paths many times."""
_REDACTED_CACHE_TEXTS = 65_536
_REDACTED_CACHE_CHARS = 4_096


def redact(text: str) -> str:
    """`text` with every remembered secret and every secret-shaped value replaced by `***`."""
    if not isinstance(text, str) or not text:
        return text
    known = _redacted.get(text)
    if known is not None:
        return known
    redacted = _redact(text)
    if len(text) <= _REDACTED_CACHE_CHARS and len(_redacted) < _REDACTED_CACHE_TEXTS:
        _redacted[text] = redacted
    return redacted


def _redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = _known_secret_pattern(secret).sub(REDACTED, text)
    if "\n" in text:
        # a long text (a saved trace) line by line: the patterns run only on the lines that
        # hold what they need; no match of theirs spans a line, so the result is the same
        text = "\n".join(map(_redact_line, text.split("\n")))
    else:
        text = _redact_line(text)
    return _BEARER.sub(_mask, text) if "Bearer" in text else text


def _redact_line(line: str) -> str:
    """`line` with the URL passwords, secret parameters and query secrets redacted; each
    pattern runs only when the line holds the text every match of it holds."""
    if "://" in line:
        line = _URL_PASSWORD.sub(_mask, line)
    if "=" in line or "%3" in line:
        line = _SECRET_QUERY.sub(_mask, _SECRET_PARAM.sub(_mask, line))
    return line


def redact_data(value: Any) -> Any:
    """A copy of a JSON-like structure (dicts, lists, strings) with every string redacted."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_data(item) for item in value) if isinstance(value, list) else \
            tuple(redact_data(item) for item in value)
    return value


_TEXT_ATTRIBUTES = ("msg", "message", "strerror", "filename", "filename2", "reason", "doc")


def redact_exception(error: BaseException | None) -> None:
    """Redact, in place, the text of `error` and of every exception chained to it (`__cause__`,
    `__context__`): their string arguments and the usual text attributes (`msg`, `strerror`,
    `filename`). Done where an error leaves dlt, so a printed traceback holds no secret."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        try:
            args = tuple(redact(a) if isinstance(a, str) else a for a in error.args)
            if args != error.args:
                error.args = args
        except Exception:  # an exception class with unusual `args`: leave it as it is
            pass
        for name in _TEXT_ATTRIBUTES:
            value = getattr(error, name, None)
            if isinstance(value, str):
                redacted = redact(value)
                if redacted != value:
                    try:
                        setattr(error, name, redacted)
                    except Exception:
                        pass
        _redact_custom_text(error)
        error = error.__cause__ or error.__context__


_redacting_classes: dict[type, type] = {}


def _redact_custom_text(error: BaseException) -> None:
    """An exception whose `__str__` builds its text from other attributes (not `args`) still
    shows a secret after its arguments were redacted: give it a subclass of its own class (same
    name and module, so `except` clauses and tracebacks read the same) whose `__str__` redacts."""
    try:
        text = str(error)
    except Exception:
        return
    if redact(text) == text:
        return
    cls = type(error)
    redacting = _redacting_classes.get(cls)
    if redacting is None:
        def __str__(self: BaseException) -> str:
            return redact(super(redacting, self).__str__())  # type: ignore[arg-type]

        redacting = type(cls.__name__, (cls,), {"__str__": __str__, "__module__": cls.__module__,
                                                 "__qualname__": cls.__qualname__})
        _redacting_classes[cls] = redacting
    try:
        error.__class__ = redacting
    except TypeError:  # a built-in layout that cannot change class: its args were redacted
        pass


class RedactingFilter(logging.Filter):
    """A logging filter that redacts secrets from messages, their arguments and tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the formatted message in place; always keep the record."""
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            redact_exception(record.exc_info[1])
            record.exc_text = None
        return True

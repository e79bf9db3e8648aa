"""Posting a message to a Slack incoming webhook (`dlt.common.runtime.slack.send_slack_message`
in dlt 1.31), with the standard library's HTTP client: core needs no HTTP library for it."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request

import orjson

from dlt.utils.exceptions import DltException

logger = logging.getLogger("dlt")

SLACK_TIMEOUT_SECONDS = 30.0


class SlackNotificationError(DltException):
    """Slack did not take the message. The webhook URL is a secret and is never in the message."""


def send_slack_message(incoming_hook: str, message: str, is_markdown: bool = True) -> None:
    """Post `message` to the Slack incoming webhook `incoming_hook` (Markdown unless
    `is_markdown` is False). Raises `SlackNotificationError` when Slack refuses it or cannot
    be reached."""
    if not incoming_hook:
        raise SlackNotificationError(
            "No Slack incoming webhook to post to: set runtime.slack_incoming_hook in secrets.toml"
            " or RUNTIME__SLACK_INCOMING_HOOK.")
    if not incoming_hook.startswith(("https://", "http://")):
        raise SlackNotificationError(
            "The Slack incoming webhook in runtime.slack_incoming_hook is not an http(s) URL.")
    body = orjson.dumps({"text": message, "mrkdwn": is_markdown})
    request = urllib.request.Request(incoming_hook, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=SLACK_TIMEOUT_SECONDS) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        logger.warning("Could not post the notification to Slack: HTTP %s", exc.code)
        raise SlackNotificationError(
            f"Slack refused the message with HTTP {exc.code} ({exc.reason}): check that the incoming"
            " webhook in runtime.slack_incoming_hook is still active.") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        # the reason names the failure (refused, unknown host, timeout), never the URL
        reason = getattr(exc, "reason", None) if isinstance(exc, urllib.error.URLError) else None
        cause = reason if isinstance(reason, BaseException) else exc
        raise SlackNotificationError(
            f"Could not reach the Slack incoming webhook ({type(cause).__name__}: {_describe(cause)}):"
            " check the URL in runtime.slack_incoming_hook and that this machine can reach Slack.") from None


def _describe(reason: BaseException) -> str:
    """What went wrong reaching the webhook, without its URL."""
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "timed out"
    if isinstance(reason, OSError) and getattr(reason, "strerror", None):
        return str(reason.strerror)
    return "no connection"

"""`dlt.common.runtime.slack`: re-export of `dlt.utils.slack`."""

from dlt.utils.slack import SlackNotificationError, send_slack_message

__all__ = ["SlackNotificationError", "send_slack_message"]

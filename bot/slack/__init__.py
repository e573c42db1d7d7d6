"""The Slack adapter (slack-bolt): translates Slack requests into service calls and renders results."""

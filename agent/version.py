"""The agent's version, as the server sees it in every pairing and slot report."""

from importlib.metadata import PackageNotFoundError, version


def agent_version() -> str:
    try:
        return version("tally")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"

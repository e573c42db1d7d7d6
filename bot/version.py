"""The server's version, as installed (the package metadata), for the status page and logs."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("tally")
except PackageNotFoundError:  # run from a source tree that was never installed
    VERSION = "0.1.0"

"""corebank: a banking API on a double-entry ledger."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("corebank")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

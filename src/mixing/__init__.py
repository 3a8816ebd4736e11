"""mixing: measure and simulate residential mixing in Dutch municipalities from CBS data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mixing")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

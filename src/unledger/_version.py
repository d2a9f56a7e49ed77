"""The version of unledger, in one place (read by the package, the CLI and
the cache, which ties a snapshot to the version that wrote it)."""

__version__ = "0.1.0"

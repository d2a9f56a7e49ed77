"""The one code generator: turns generated source into a function whose
tracebacks show their lines.

The fast decoder (:mod:`unledger.log.fast`) builds one constructor per
event class; its source is registered in :mod:`linecache` under a file name
of its own (``<unledger generated build_Admission>``), so a traceback
through it shows the generated line instead of nothing.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable
from typing import Any

__all__ = ["compile_function"]

_serial = itertools.count(1)


def compile_function(name: str, source: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """Compile ``source`` (which defines ``name``) in ``namespace`` and
    return the function. Source is built by unledger from field names only."""
    filename = f"<unledger generated {name} #{next(_serial)}>"
    code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(code, namespace)  # noqa: S102 - unledger's own generated source
    function: Callable[..., Any] = namespace[name]
    return function

"""A griffe extension for the API page: Sphinx roles in docstrings become links.

The docstrings use Sphinx cross-reference roles (``:class:`~unledger.errors.InvalidEvent```,
``:meth:`open```). mkdocstrings renders docstrings as Markdown and would show
the roles as they are; this extension rewrites each into an optional
autorefs link (``<autoref identifier="..." optional>``): a link when the
target is documented on some page, plain code otherwise. Names are resolved
in the scope of the docstring's object (``open`` in ``Ledger`` is
``unledger.ledger.Ledger.open``). mkdocs.yml loads it (mkdocstrings'
``extensions`` option).
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|meth|func|mod|data|attr|exc|obj|const):`(~?)([^`<>]+?)`")


class SphinxRoles(griffe.Extension):
    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _walk(pkg):
            if obj.docstring is not None:
                obj.docstring.value = ROLE.sub(lambda m: _link(obj, m.group(2), bool(m.group(1))), obj.docstring.value)


def _walk(obj: griffe.Object) -> list[griffe.Object]:
    out = [obj]
    for member in obj.members.values():
        if not member.is_alias:
            out.extend(_walk(member))  # type: ignore[arg-type]
    return out


def _link(obj: griffe.Object, name: str, short: bool) -> str:
    target = _resolve(obj, name)
    shown = target.rsplit(".", 1)[-1] if short else name
    return f'<autoref identifier="{html.escape(target)}" optional><code>{html.escape(shown)}</code></autoref>'


def _resolve(obj: griffe.Object, name: str) -> str:
    """The full path ``name`` stands for where ``obj``'s docstring uses it."""
    if name.startswith("."):  # relative to the docstring's package
        return f"{obj.module.path}{name}"
    head, _, rest = name.partition(".")
    scope: griffe.Object | None = obj if obj.is_class or obj.is_module else obj.parent
    while scope is not None:
        if head in scope.members:
            return f"{scope.path}.{name}"
        try:
            resolved = scope.resolve(head)
        except Exception:  # noqa: BLE001 - griffe raises NameResolutionError, or others on odd scopes
            resolved = None
        if resolved:
            return f"{resolved}.{rest}" if rest else resolved
        scope = scope.parent
    return name

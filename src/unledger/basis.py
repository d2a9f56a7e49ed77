"""Which version of the log an answer was computed from.

Every :class:`~unledger.state.State` a ledger returns carries a
:class:`Basis` in ``state.basis``: the number of log lines the answer
folded, the hash of the last of them (the head of that version) and, when
the ledger has computed its Merkle tree (a checkpoint or a proof was made),
their root as a checkpoint writes it. A table published with its basis can
be traced to a signed checkpoint of the same size and root.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["Basis"]


@attrs.frozen
class Basis:
    """The first ``size`` lines of a log, the last of which has hash
    ``head``; ``root`` is their Merkle root in base64 (as in a checkpoint),
    or ``None`` when it was not computed."""

    size: int
    head: str
    root: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"size": self.size, "head": self.head, "root": self.root}

"""Every exception unledger raises on purpose.

All derive from :class:`UnledgerError`, so ``except UnledgerError`` catches any
refusal. Each message names the event (id or position), the field and the
reason in plain words; the structured parts are kept as attributes so that a
program (or the command line) can show them its own way.
"""

from __future__ import annotations


class UnledgerError(Exception):
    """Base class of every error unledger raises on purpose."""


class InvalidEvent(UnledgerError, ValueError):
    """An event is malformed: schema, types, dates, unknown kind or field."""

    def __init__(self, reason: str, *, event: str | None = None, field: str | None = None) -> None:
        self.reason = reason
        self.event = event
        self.field = field
        super().__init__(_describe(reason, event, field))


class DuplicateEventId(InvalidEvent):
    """An event id already in the log was appended again with other content."""


class RuleViolation(UnledgerError):
    """An event breaks a domain rule, on its own date or for a later event.

    ``event`` is the event the rule refuses; when an append (a backfill or a
    retraction) would break an event already recorded, ``event`` names that
    later event and ``cause`` the one being appended.
    """

    def __init__(
        self,
        reason: str,
        *,
        event: str | None = None,
        field: str | None = None,
        rule: str | None = None,
        cause: str | None = None,
    ) -> None:
        self.reason = reason
        self.event = event
        self.field = field
        self.rule = rule
        self.cause = cause
        text = _describe(reason, event, field)
        if cause is not None and cause != event:
            text = f"appending {cause} would break a recorded event: {text}"
        super().__init__(text)


class ConcurrencyError(UnledgerError):
    """The log moved past the caller's ``expected_seq``."""

    def __init__(self, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"expected the log to end at seq {expected}, but it ends at seq {actual}: "
            "another writer appended first; re-read and try again"
        )


class IntegrityError(UnledgerError):
    """The log fails verification: a line was edited, inserted, deleted or moved."""

    def __init__(self, reason: str, *, line: int | None = None, path: str | None = None) -> None:
        self.reason = reason
        self.line = line
        self.path = path
        where = f"{path}: " if path else ""
        at = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{at}{reason}")


class StorageError(UnledgerError, OSError):
    """The log file cannot be read or written (permissions, disk full, not a file)."""


class LockTimeout(StorageError):
    """Another process held the log's write lock for longer than the timeout."""


class ClockError(UnledgerError):
    """The log holds a time in this machine's future, beyond the tolerance:
    appending would stamp every new event with it (see ``docs/guarantees.md``)."""


class ReadOnlyLedger(UnledgerError):
    """An append was attempted on a ledger opened read-only (e.g. the bundled records)."""


class UnknownEntity(UnledgerError, LookupError):
    """A query named an organization, body, instrument or entity the ledger does not know."""

    def __init__(self, what: str, name: str) -> None:
        self.what = what
        self.name = name
        super().__init__(f"unknown {what} {name!r}")


class CheckpointError(UnledgerError):
    """A checkpoint, a signed note or a key is malformed, or its signature
    does not check out under the key given."""


class ProofError(UnledgerError):
    """An inclusion or consistency proof does not check out, or cannot be
    made (a leaf or size outside the tree)."""


class PartialCoverage(UnledgerError):
    """A count or a series was asked of an organization whose record is
    partial (a ``coverage`` declaration says so): the numbers would count
    what was recorded, not what was true. ``statement`` says what the record
    covers; pass ``allow_partial=True`` (``--allow-partial``) to get them anyway."""

    def __init__(self, entity: str, aspect: str, statement: str) -> None:
        self.entity = entity
        self.aspect = aspect
        self.statement = statement
        super().__init__(
            f"the record of {entity}'s {aspect} is partial, so a count would count what was recorded, "
            f"not what was true: {statement}"
        )


class AmbiguousName(UnknownEntity):
    """A name given for a code matches several entities; ``candidates``
    holds ``(code, name)`` pairs for each."""

    def __init__(self, name: str, candidates: tuple[tuple[str, str], ...]) -> None:
        super().__init__("entity", name)
        self.candidates = candidates
        listed = ", ".join(f"{code} ({label})" for code, label in candidates)
        self.args = (f"{name!r} names several entities: {listed}; give the code",)


def _describe(reason: str, event: str | None, field: str | None) -> str:
    parts = []
    if event is not None:
        parts.append(f"event {event}")
    if field is not None:
        parts.append(f"field {field!r}")
    return (", ".join(parts) + ": " + reason) if parts else reason

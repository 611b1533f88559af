"""Deadline alert digests: one e-mail per recipient per night, built when it is sent.

The nightly monitor (docket.monitor) creates a pending DeadlineDigest per recipient and
queues them in batches (`docket.tasks.deadline_digests_send`). Sending builds the list at
that moment, with the recipient's visibility applied (`Case.objects.visible_to(recipient)`):
a deadline met, waived or vacated since the run is no longer listed, and a case the
recipient may no longer see — sealed since, an appearance withdrawn — never is. Sealed
and juvenile cases the recipient is entitled to are listed by number and deadline under
the court's placeholder caption (an e-mail leaves the court's systems), and each digest's
audit event names them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.mail import smtp_error_is_transient
from casemgmt.core.models import User
from casemgmt.core.roles import Role
from cases.models import Appearance, Case
from cases.querysets import user_court_ids

from .models import Deadline, DeadlineDigest, DeadlineStatus, DigestStatus
from .monitor import alert_horizons
from .speedy_trial_selectors import SpeedyTrialRisk, speedy_trial_at_risk

logger = logging.getLogger(__name__)


class DigestTransientError(Exception):
    """The mail server may accept the digest later: the task retries."""


# --- what a digest lists --------------------------------------------------------------------


@dataclass
class DigestItem:
    case_id: int
    case_number: str
    caption: str
    court: str
    name: str
    due_on: dt.date
    due_at: dt.datetime | None = None  # court-local, for periods in hours
    days_left: int = 0
    who: str = ""
    is_statutory: bool = False
    citation: str = ""
    restricted: bool = False  # sealed or juvenile: the reading is audited

    @property
    def due_at_text(self) -> str:
        """The hour, court-local with its zone ("5:00 PM EST"); template filters would
        convert it to the server's zone instead."""
        if self.due_at is None:
            return ""
        return self.due_at.strftime("%I:%M %p %Z").lstrip("0")

    @property
    def days_left_text(self) -> str:
        if self.days_left == 0:
            return "today"
        if self.days_left == 1:
            return "tomorrow"
        return f"in {self.days_left} days"


@dataclass
class SpeedyTrialItem:
    case_id: int
    case_number: str
    caption: str
    court: str
    days_remaining: int
    trial_by: dt.date | None
    restricted: bool = False

    @property
    def days_text(self) -> str:
        days = abs(self.days_remaining)
        plural = "s" if days != 1 else ""
        if self.days_remaining < 0:
            return f"{days} day{plural} past the limit"
        return f"{days} day{plural} remaining"


@dataclass
class DigestBand:
    horizon: int
    label: str
    items: list[DigestItem] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class DigestContent:
    digest_date: dt.date
    missed: list[DigestItem] = field(default_factory=list)
    missed_total: int = 0
    bands: list[DigestBand] = field(default_factory=list)
    speedy_trial: list[SpeedyTrialItem] = field(default_factory=list)
    speedy_trial_total: int = 0
    restricted_case_ids: list[int] = field(default_factory=list)  # sealed / juvenile listed

    @property
    def count(self) -> int:
        """Every item, listed or counted."""
        return self.missed_total + sum(b.total for b in self.bands) + self.speedy_trial_total

    @property
    def missed_more(self) -> int:
        return self.missed_total - len(self.missed)

    @property
    def speedy_trial_more(self) -> int:
        return self.speedy_trial_total - len(self.speedy_trial)

    @property
    def truncated(self) -> bool:
        """Some section lists only its most urgent items."""
        return bool(self.missed_more or self.speedy_trial_more or any(b.more for b in self.bands))


def _band_label(horizon: int) -> str:
    if horizon == 0:
        return "Due today"
    return f"Due within {horizon} day{'s' if horizon != 1 else ''}"


def _caption(case: Case) -> str:
    if case.is_sealed or case.is_juvenile:
        return case.court.sealed_caption_placeholder
    return case.caption


def max_items() -> int:
    """How many items a digest lists per section (the rest are counted)."""
    return int(getattr(settings, "DOCKET_DEADLINE_DIGEST_MAX_ITEMS", DEFAULT_MAX_ITEMS))


def digest_content(*, recipient: User, digest_date: dt.date) -> DigestContent:
    """What `recipient`'s digest of `digest_date` lists, read now, visibility applied.

    Deadlines: the recipient's own (owner), those of the cases they appear on, and, for a
    supervisor, the statutory ones of their courts — marked missed on `digest_date`, or
    open and due within the largest horizon. Speedy-trial clocks at risk on the cases
    they appear on (and, for a supervisor, in their courts). Each section lists the most
    urgent `max_items()` and counts the rest (a supervisor's is a summary of the court).
    """
    content = DigestContent(digest_date=digest_date)
    limit = max_items()
    horizons = sorted(alert_horizons())  # smallest first: "within 1 day" before "7 days"
    own = dict(
        Appearance.objects.filter(attorney=recipient, withdrawn_on__isnull=True).values_list(
            "case_id", "case__court_id"
        )
    )
    supervised = user_court_ids(recipient) if recipient.role == Role.SUPERVISOR else []
    # A short list of cases lets the planner combine the owner and case indexes; a public
    # defender's thousands are better joined (a long IN list costs more to plan than run).
    of_record = (
        list(own)
        if len(own) <= OWN_CASES_INLINE
        else Appearance.objects.filter(attorney=recipient, withdrawn_on__isnull=True).values(
            "case_id"
        )
    )
    relevant = Q(owner=recipient) | Q(case_id__in=of_record)
    if supervised:
        relevant |= Q(court_id__in=supervised, is_statutory=True)
    mine = Deadline.objects.filter(relevant)
    # Candidates first (ids only), in the order they are listed: missed ones by the night
    # they were marked, open ones by due date (the monitor's partial index), one read per
    # horizon band. Visibility is then one read over their cases' primary keys (a
    # correlated EXISTS here would be planned as a scan of every visible case).
    sections: list[list[tuple[int, int]]] = [
        list(
            mine.filter(status=DeadlineStatus.MISSED, status_date=digest_date)
            .order_by("due_on", "id")
            .values_list("pk", "case_id")
        )
    ]
    lower = -1  # each band holds what is past the previous (smaller) horizon
    for horizon in horizons:
        sections.append(
            list(
                mine.filter(
                    status=DeadlineStatus.OPEN,
                    due_on__gt=digest_date + dt.timedelta(days=lower),
                    due_on__lte=digest_date + dt.timedelta(days=horizon),
                )
                .order_by("due_on", "due_at", "id")
                .values_list("pk", "case_id")
            )
        )
        lower = horizon
    case_ids = {case_id for rows in sections for _, case_id in rows}
    visible = set(
        Case.objects.visible_to(recipient).filter(pk__in=case_ids).values_list("pk", flat=True)
    )
    kept = [[pk for pk, case_id in rows if case_id in visible] for rows in sections]
    listed = {pk for ids in kept for pk in ids[:limit]}
    deadlines = {
        d.pk: d
        for d in Deadline.objects.filter(pk__in=listed)
        .select_related("case__court", "rule")
        .only(*DEADLINE_FIELDS)
    }

    def items(ids: list[int]) -> list[DigestItem]:
        return [_item(deadlines[pk], digest_date) for pk in ids[:limit]]

    content.missed, content.missed_total = items(kept[0]), len(kept[0])
    for horizon, ids in zip(horizons, kept[1:], strict=True):
        content.bands.append(
            DigestBand(
                horizon=horizon, label=_band_label(horizon), items=items(ids), total=len(ids)
            )
        )

    speedy_rows = _speedy_trial_rows(digest_date=digest_date, own=own, supervised=supervised)
    if speedy_rows:
        rows = dict(speedy_rows)
        visible_cases = (
            Case.objects.visible_to(recipient)
            .filter(pk__in=list(rows))
            .select_related("court")
            .only(*CASE_FIELDS)
        )
        clocks = sorted(
            (
                SpeedyTrialItem(
                    case_id=case.pk,
                    case_number=case.number,
                    caption=_caption(case),
                    court=case.court.name,
                    days_remaining=rows[case.pk].days_remaining,
                    trial_by=rows[case.pk].trial_by,
                    restricted=case.is_sealed or case.is_juvenile,
                )
                for case in visible_cases
            ),
            key=lambda s: (s.days_remaining, s.case_number),
        )
        content.speedy_trial, content.speedy_trial_total = clocks[:limit], len(clocks)

    restricted = {i.case_id for i in content.missed if i.restricted}
    restricted |= {i.case_id for b in content.bands for i in b.items if i.restricted}
    restricted |= {i.case_id for i in content.speedy_trial if i.restricted}
    content.restricted_case_ids = sorted(restricted)
    return content


DEFAULT_MAX_ITEMS = 50
OWN_CASES_INLINE = 500
CASE_FIELDS = (
    "id",
    "number",
    "caption",
    "confidentiality",
    "is_juvenile",
    "court__name",
    "court__time_zone",
    "court__sealed_caption_placeholder",
)
DEADLINE_FIELDS = (
    "id",
    "case_id",
    "name",
    "due_on",
    "due_at",
    "responsible_role",
    "is_statutory",
    "rule__citation",
    *(f"case__{f}" for f in CASE_FIELDS),
)


def _item(d: Deadline, digest_date: dt.date) -> DigestItem:
    case = d.case
    return DigestItem(
        case_id=case.pk,
        case_number=case.number,
        caption=_caption(case),
        court=case.court.name,
        name=d.name,
        due_on=d.due_on,
        due_at=timezone.localtime(d.due_at, case.court.tzinfo) if d.due_at else None,
        days_left=(d.due_on - digest_date).days,
        who=d.responsible_role.replace("_", " "),
        is_statutory=d.is_statutory,
        citation=d.rule.citation if d.rule_id else "",
        restricted=case.is_sealed or case.is_juvenile,
    )


# A batch of digests (docket.tasks.deadline_digests_send, one after another in one worker)
# reads each court's clocks at risk once, when its first digest needs them (one
# set-wise query per court), and drops them when the batch ends: a change made before a
# batch starts is always seen, and a digest sent alone (a retry) reads them afresh.
_batch_at_risk: ContextVar[dict[tuple[int, dt.date], list[SpeedyTrialRisk]] | None] = ContextVar(
    "docket_batch_at_risk", default=None
)


@contextmanager
def at_risk_shared() -> Iterator[None]:
    """Within the block, digests sent share each court's clocks at risk (read once)."""
    token = _batch_at_risk.set(_batch_at_risk.get() or {})
    try:
        yield
    finally:
        _batch_at_risk.reset(token)


def _court_at_risk(court_id: int, day: dt.date) -> list[SpeedyTrialRisk]:
    shared = _batch_at_risk.get()
    if shared is None:
        return speedy_trial_at_risk(court_ids=[court_id], today=day)
    key = (court_id, day)
    if key not in shared:
        shared[key] = speedy_trial_at_risk(court_ids=[court_id], today=day)
    return shared[key]


def at_risk_cache_clear() -> None:
    """Forget the clocks a batch in progress has read."""
    shared = _batch_at_risk.get()
    if shared is not None:
        shared.clear()


def _speedy_trial_rows(*, digest_date, own, supervised) -> list[tuple[int, SpeedyTrialRisk]]:
    """(case id, row) of the clocks at risk the recipient is alerted to (`own`: the cases
    they are of record on, with their courts)."""
    court_ids = set(supervised) | set(own.values())
    result = []
    for court_id in sorted(court_ids):
        for row in _court_at_risk(court_id, digest_date):
            if row.case_id in own or court_id in supervised:
                result.append((row.case_id, row))
    return result


# --- the e-mail ---------------------------------------------------------------------------


def recipient_address(user: User) -> str:
    """An attorney's service address if they gave one, else their login e-mail."""
    profile = getattr(user, "attorney_profile", None) if user.role == Role.ATTORNEY else None
    return (profile.email if profile and profile.email else "") or user.email


def digest_subject(content: DigestContent) -> str:
    parts = []
    if content.missed_total:
        parts.append(f"{content.missed_total:,} missed")
    due = sum(b.total for b in content.bands)
    if due:
        parts.append(f"{due:,} due within {max(b.horizon for b in content.bands)} days")
    if content.speedy_trial_total:
        parts.append(f"{content.speedy_trial_total:,} speedy-trial at risk")
    day = content.digest_date
    return f"Deadlines for {day:%a %b} {day.day}, {day.year}: " + ", ".join(parts)


def digest_email_build(digest: DeadlineDigest, content: DigestContent) -> EmailMultiAlternatives:
    """The digest as a text and HTML e-mail, with one Message-ID on every attempt."""
    context = {
        "recipient": digest.recipient,
        "content": content,
        "digest_date": content.digest_date,
        "bands": [b for b in content.bands if b.total],
        "max_items": max_items(),
    }
    message = EmailMultiAlternatives(
        subject=digest_subject(content),
        body=render_to_string("docket/email/deadline_digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient_address(digest.recipient)],
        headers={
            # The same id on every attempt, so a receiving system can drop a duplicate.
            "Message-ID": f"<deadline-digest-{digest.pk}@{DNS_NAME}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("docket/email/deadline_digest.html", context), "text/html"
    )
    return message


# --- sending -------------------------------------------------------------------------------


def digest_send(*, digest_id: int) -> DeadlineDigest | None:
    """Send one digest: at most once when the mail server accepts it.

    The digest row stays locked while the message is handed to the server and is marked
    sent in the same transaction; a duplicate task finds it locked (and returns) or sent.
    (If the server accepts the message but the commit fails right after, the retry sends
    it again with the same Message-ID: mail delivery itself is at least once.) A digest
    with nothing left to list (all met since, or no longer visible) is closed without an
    e-mail.

    Returns:
        The digest as it ended, or None when another worker holds it.

    Raises:
        DeadlineDigest.DoesNotExist: no such digest.
        DigestTransientError: the server may accept it later; the attempt is counted.
    """
    transient: Exception | None = None
    with transaction.atomic():
        digest = (
            DeadlineDigest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "recipient__attorney_profile")
            .filter(pk=digest_id)
            .first()
        )
        if digest is None:
            DeadlineDigest.objects.only("pk").get(pk=digest_id)  # gone: DoesNotExist
            logger.info("digest %s is being sent by another worker", digest_id)
            return None
        if digest.status != DigestStatus.PENDING:
            return digest
        recipient = digest.recipient
        content = digest_content(recipient=recipient, digest_date=digest.digest_date)
        digest.items = content.count
        if not content.count:
            digest.status = DigestStatus.SENT
            digest.error = "Nothing left to list when it was due to be sent: no e-mail."
            digest.save(update_fields=["status", "items", "error"])
            _audit(digest, content, empty=True)
            return digest
        if not recipient_address(recipient):
            digest.status = DigestStatus.FAILED
            digest.error = "The recipient has no e-mail address."
            digest.save(update_fields=["status", "items", "error"])
            _audit(digest, content)
            return digest
        message = digest_email_build(digest, content)
        digest.attempts += 1
        try:
            message.send(fail_silently=False)
        except Exception as exc:
            if smtp_error_is_transient(exc):
                transient = exc
            else:
                digest.status = DigestStatus.FAILED
            digest.error = f"{type(exc).__name__}: {exc}"[:2000]
        else:
            digest.status = DigestStatus.SENT
            digest.sent_at = timezone.now()
            digest.error = ""
        digest.save(update_fields=["status", "items", "attempts", "sent_at", "error"])
        if transient is None:
            _audit(digest, content)
    if transient is not None:
        raise DigestTransientError(str(transient)) from transient
    return digest


@transaction.atomic
def digest_send_give_up(*, digest_id: int, error: str) -> DeadlineDigest:
    """Mark a digest failed after the last retry of a transient error."""
    digest = DeadlineDigest.objects.select_for_update().get(pk=digest_id)
    if digest.status != DigestStatus.PENDING:
        return digest
    digest.status = DigestStatus.FAILED
    digest.error = f"gave up after {digest.attempts} attempts: {error}"[:2000]
    digest.save(update_fields=["status", "error"])
    audit_record(
        action="deadline.digest_send",
        actor_username="system",
        obj=digest,
        details={"status": digest.status, "attempts": digest.attempts, "error": digest.error},
    )
    return digest


def _audit(digest: DeadlineDigest, content: DigestContent, *, empty: bool = False) -> None:
    audit_record(
        action="deadline.digest_send",
        actor_username="system",
        obj=digest,
        details={
            "recipient": digest.recipient_id,
            "digest_date": digest.digest_date.isoformat(),
            "status": digest.status,
            "items": digest.items,
            "attempts": digest.attempts,
            "empty": empty,
            # Reads of sealed and juvenile cases are audited on every surface.
            "sealed_or_juvenile_cases": content.restricted_case_ids,
            "error": digest.error[:300],
        },
    )


__all__ = [
    "DigestContent",
    "DigestTransientError",
    "at_risk_shared",
    "digest_content",
    "digest_email_build",
    "digest_send",
    "digest_send_give_up",
    "recipient_address",
]

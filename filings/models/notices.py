"""Notices and orders the court issues, rendered to PDF from versioned templates.

A `NoticeTemplate` is data per court, kind and language, versioned: once a notice
has used a version, that version never changes (a change is a new version). A
`Notice` records what the court must send (kind, case, context) and pins the exact
template versions used; each `NoticeRecipient` gets a copy in their preferred
language. `filings.tasks.notice_render` turns a notice into one PDF, exactly once.

What a template may say is documented here, in `COMMON_FIELDS` and `KIND_FIELDS`:
`NoticeTemplate.clean()` refuses a template that names anything else, uses a tag
other than ``if``, ``with``, ``firstof`` and ``comment``, or a filter outside
`ALLOWED_FILTERS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.template import Engine, TemplateSyntaxError
from django.template.base import FilterExpression, Node, TextNode, Variable, VariableNode
from django.template.defaulttags import CommentNode, FirstOfNode, IfNode, WithNode
from django.utils import timezone

# The models and their choices (filings.models re-exports these); the field specs and
# the template checks are imported from this module by name.
__all__ = [
    "DeliveryStatus",
    "Notice",
    "NoticeBatch",
    "NoticeBatchStatus",
    "NoticeKind",
    "NoticeRecipient",
    "NoticeStatus",
    "NoticeTemplate",
]

# Every court has its notices in this language; other languages fall back to it.
NOTICE_FALLBACK_LANGUAGE = "en"


class NoticeKind(models.TextChoices):
    HEARING_NOTICE = "hearing_notice", "Notice of hearing"
    HEARING_CANCELLED = "hearing_cancelled", "Notice of cancelled hearing"
    SUMMONS = "summons", "Summons"
    FAILURE_TO_APPEAR = "failure_to_appear", "Notice of failure to appear"
    PAYMENT_REMINDER = "payment_reminder", "Payment reminder"
    PROGRAM_NONCOMPLIANCE = "program_noncompliance", "Notice of program non-compliance"
    ORDER = "order", "Order"


@dataclass(frozen=True)
class NoticeField:
    """A value a notice template may use.

    `type` says how the value is given to `notice_issue` and how it is printed in
    the recipient's language: ``text``; ``date`` (ISO date; "March 2, 2026" /
    "2 de marzo de 2026", with the weekday when `weekday`); ``time`` ("9:00 a.m." /
    "9:00 a. m."); ``money`` (decimal; "$1,234.50"); ``int``.
    """

    name: str
    type: str = "text"
    required: bool = True
    help: str = ""
    weekday: bool = False


# Given to every template by the system (not by the caller of notice_issue).
COMMON_FIELDS: tuple[NoticeField, ...] = (
    NoticeField("case_number", help="The case number, e.g. 58-2026-CR-000123."),
    NoticeField("caption", help="The case caption, e.g. State of Florida v. Doe."),
    NoticeField("court_name", help="The court's name."),
    NoticeField("court_address", help="The court's address (several lines)."),
    NoticeField("court_phone", help="The court's telephone number."),
    NoticeField("recipient_name", help="The name of the person this copy is for."),
    NoticeField("recipient_role", help="Their role in the case, in their language."),
    NoticeField("date", "date", help="The date the notice is issued (court-local)."),
)

# Given by the caller of notice_issue, per kind (`context`).
KIND_FIELDS: dict[str, tuple[NoticeField, ...]] = {
    NoticeKind.HEARING_NOTICE: (
        NoticeField("hearing_type", help="What the hearing is, e.g. Arraignment."),
        NoticeField("hearing_date", "date", weekday=True),
        NoticeField("hearing_time", "time"),
        NoticeField("courtroom", help="Courtroom or hearing room, e.g. Courtroom 6A."),
        NoticeField("location", required=False, help="Where, if not the court's address."),
        NoticeField("judge_name", required=False),
    ),
    NoticeKind.HEARING_CANCELLED: (
        NoticeField("hearing_type", help="What the hearing was, e.g. Trial."),
        NoticeField("hearing_date", "date", weekday=True),
        NoticeField("hearing_time", "time"),
        NoticeField("courtroom", help="Where it was set, e.g. Courtroom 6A."),
        NoticeField("reason", required=False, help="Why it was vacated or cancelled."),
    ),
    NoticeKind.SUMMONS: (
        NoticeField("response_days", "int", help="Days after service to serve a written response."),
    ),
    NoticeKind.FAILURE_TO_APPEAR: (
        NoticeField("missed_hearing", help="The hearing missed, e.g. Arraignment."),
        NoticeField("missed_date", "date", weekday=True),
        NoticeField("respond_by", "date", weekday=True, help="Last day to contact the clerk."),
    ),
    NoticeKind.PAYMENT_REMINDER: (
        NoticeField("amount_due", "money"),
        NoticeField("due_date", "date", weekday=True),
    ),
    NoticeKind.PROGRAM_NONCOMPLIANCE: (
        NoticeField("program_name", help="e.g. Pretrial Diversion Program."),
        NoticeField("requirement", help="What was not met, e.g. 20 hours of community service."),
        NoticeField("respond_by", "date", weekday=True),
    ),
    NoticeKind.ORDER: (
        NoticeField("order_title", help="e.g. Order Continuing Trial."),
        NoticeField("order_text", help="The text of the order; blank lines start paragraphs."),
        NoticeField("judge_name"),
        NoticeField("ordered_on", "date"),
    ),
}

FIELD_TYPES = frozenset({"text", "date", "time", "money", "int"})

# Tags a template may use: enough for conditional wording, nothing that reaches
# outside the template (include, extends, load, url, debug, csrf_token, ...), and
# no loops (every value is a string: a loop could only multiply the output).
ALLOWED_NODES = (TextNode, VariableNode, IfNode, WithNode, FirstOfNode, CommentNode)
# Filters a template may use: none that can blow the output up (center, ljust,
# rjust, stringformat with a huge width) or reach anything.
ALLOWED_FILTERS = frozenset(
    {
        "add",
        "capfirst",
        "cut",
        "default",
        "default_if_none",
        "first",
        "last",
        "length",
        "lower",
        "pluralize",
        "title",
        "upper",
        "yesno",
    }
)

# A standalone engine: no loaders (so nothing can be included), no template tag
# libraries beyond Django's built-ins, no autoescaping (the output is plain text;
# filings.notices escapes it once when it builds the HTML of the PDF).
notice_template_engine = Engine(
    dirs=[],
    app_dirs=False,
    loaders=[],
    libraries={},
    autoescape=False,
    string_if_invalid="",
    debug=False,
)


def allowed_names(kind: str) -> set[str]:
    return {f.name for f in COMMON_FIELDS} | {f.name for f in KIND_FIELDS.get(kind, ())}


def _filter_names(expression) -> set[str]:
    if not isinstance(expression, FilterExpression):
        return set()
    return {getattr(f, "_filter_name", f.__name__) for f, _args in expression.filters}


def _expressions_of(node) -> list:
    """The filter expressions a (allowed) node evaluates, and {% if %} conditions' literals."""
    if isinstance(node, VariableNode):
        return [node.filter_expression]
    if isinstance(node, WithNode):
        return list(node.extra_context.values())
    if isinstance(node, FirstOfNode):
        return list(node.vars)
    if isinstance(node, IfNode):
        found: list = []
        for condition, _nodelist in node.conditions_nodelists:
            _condition_values(condition, found)
        return found
    return []


def _condition_values(condition, found: list) -> None:
    if condition is None:
        return
    value = getattr(condition, "value", None)
    if value is not None:
        found.append(value)
    for side in ("first", "second"):
        _condition_values(getattr(condition, side, None), found)


def _root_names(expression) -> set[str]:
    """Names a filter expression (and its filter arguments) looks up in the context."""
    names: set[str] = set()
    if isinstance(expression, FilterExpression):
        if isinstance(expression.var, Variable) and expression.var.lookups:
            names.add(expression.var.lookups[0])
        for _func, args in expression.filters:
            for lookup, arg in args:
                if lookup and isinstance(arg, Variable) and arg.lookups:
                    names.add(arg.lookups[0])
    elif isinstance(expression, Variable) and expression.lookups:
        names.add(expression.lookups[0])
    return names


def template_source_problems(source: str, kind: str) -> list[str]:
    """What is wrong with a template's source: syntax, disallowed tags, unknown names."""
    try:
        compiled = notice_template_engine.from_string(source)
    except TemplateSyntaxError as exc:
        return [f"Template syntax: {exc}"]
    problems: list[str] = []
    used: set[str] = set()
    bound: set[str] = set()
    filters: set[str] = set()
    for node in compiled.nodelist.get_nodes_by_type(Node):
        if not isinstance(node, ALLOWED_NODES):
            tag = getattr(getattr(node, "token", None), "contents", "") or type(node).__name__
            problems.append(f"Tag not allowed in a notice: {{% {tag.split()[0]} %}}.")
            continue
        if isinstance(node, TextNode) and ("{{" in node.s or "{%" in node.s):
            problems.append("Template syntax: a {{ or {% is not closed.")
        if isinstance(node, WithNode):
            bound.update(node.extra_context)
        for expression in _expressions_of(node):
            used |= _root_names(expression)
            filters |= _filter_names(expression)
    if filters - ALLOWED_FILTERS:
        problems.append(
            "Filters not allowed in a notice: "
            + ", ".join(sorted(filters - ALLOWED_FILTERS))
            + ". Allowed: "
            + ", ".join(sorted(ALLOWED_FILTERS))
            + "."
        )
    unknown = sorted(used - bound - allowed_names(kind))
    if unknown:
        problems.append(
            "Unknown names: "
            + ", ".join(unknown)
            + ". A notice of this kind may use: "
            + ", ".join(sorted(allowed_names(kind)))
            + "."
        )
    return problems


language_code_validator = RegexValidator(
    r"^[a-z]{2,3}$", "A language code of 2 or 3 lower-case letters, e.g. en, es, ht."
)


class NoticeTemplate(models.Model):
    """The wording of one kind of notice, per court and language; one version of it.

    Immutable once a notice used it: a change is a new version
    (`filings.notices.notice_template_revise`), which becomes the active one.
    """

    court = models.ForeignKey(
        "core.Court", on_delete=models.PROTECT, related_name="notice_templates"
    )
    kind = models.CharField(max_length=24, choices=NoticeKind.choices)
    language = models.CharField(max_length=8, validators=[language_code_validator])
    version = models.PositiveIntegerField(default=1)
    subject = models.CharField(max_length=300, help_text="Title of the notice and e-mail subject.")
    body = models.TextField(
        help_text="Plain text with {{ names }}; a blank line starts a new paragraph."
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    CONTENT_FIELDS = ("court_id", "kind", "language", "version", "subject", "body")

    class Meta:
        ordering = ["court", "kind", "language", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["court", "kind", "language", "version"],
                name="filings_noticetemplate_unique_version",
            ),
            models.UniqueConstraint(
                fields=["court", "kind", "language"],
                condition=Q(is_active=True),
                name="filings_noticetemplate_one_active",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="filings_noticetemplate_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language}) v{self.version}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            before = NoticeTemplate.objects.filter(pk=self.pk).values(*self.CONTENT_FIELDS).first()
            changed = before is not None and any(
                before[f] != getattr(self, f) for f in self.CONTENT_FIELDS
            )
            if changed and self.is_used:
                raise ValidationError(
                    "This version has been used by notices and cannot change; "
                    "save the change as a new version.",
                    code="NOTICE_TEMPLATE_IN_USE",
                )
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for name in ("subject", "body"):
            problems = template_source_problems(getattr(self, name) or "", self.kind)
            if problems:
                errors[name] = problems
        if errors:
            raise ValidationError(errors)

    @property
    def is_used(self) -> bool:
        if self.pk is None:
            return False
        return (
            Notice.objects.filter(template_id=self.pk).exists()
            or NoticeRecipient.objects.filter(template_id=self.pk).exists()
        )


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be rendered"
    RENDERED = "rendered", "Rendered"
    FAILED = "failed", "Failed"


class NoticeBatchStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    RUNNING = "running", "Issuing"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Stopped by an error"


class NoticeBatch(models.Model):
    """One kind of notice issued on many cases, in the worker, with visible progress."""

    court = models.ForeignKey("core.Court", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=NoticeKind.choices)
    context = models.JSONField(default=dict, blank=True)
    case_ids = models.JSONField(default=list, help_text="The cases, in order, without repeats.")
    total = models.PositiveIntegerField()
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=NoticeBatchStatus.choices, default=NoticeBatchStatus.PENDING
    )
    # [{"case_id": .., "case_number": .., "code": .., "message": ..}, ...] per refused case.
    errors = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, help_text="Why the batch stopped, when it did.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "notice batches"
        constraints = [
            models.CheckConstraint(
                condition=Q(done__gte=0) & Q(total__gte=F("done") + F("failed")),
                name="filings_noticebatch_progress_within_total",
            ),
        ]
        indexes = [models.Index(fields=["court", "-created_at"], name="filings_batch_court")]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()}: {self.total} cases ({self.get_status_display().lower()})"
        )

    @property
    def processed(self) -> int:
        return self.done + self.failed

    @property
    def is_over(self) -> bool:
        return self.status in (NoticeBatchStatus.FINISHED, NoticeBatchStatus.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else (100 * self.processed) // self.total


class Notice(models.Model):
    """A notice or order the court issues on a case: what must be sent, to whom.

    `template` is the version in the fallback language (every recipient's own
    version is on `NoticeRecipient.template`). Rendered exactly once: the PDF
    (`document`), the register entry (`docket_entry`, event NOTC) and one e-mail
    per recipient with an address.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=24, choices=NoticeKind.choices)
    template = models.ForeignKey(NoticeTemplate, on_delete=models.PROTECT, related_name="notices")
    context = models.JSONField(default=dict, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    document = models.ForeignKey(
        "filings.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rendered_at = models.DateTimeField(null=True, blank=True)
    docket_entry = models.ForeignKey(
        "cases.DocketEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    error = models.TextField(blank=True, help_text="Why rendering failed, when it did.")
    batch = models.ForeignKey(
        NoticeBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="notices"
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rendered")
                | Q(
                    document__isnull=False,
                    docket_entry__isnull=False,
                    rendered_at__isnull=False,
                ),
                name="filings_notice_rendered_has_pdf",
            ),
            # A batch issues at most one notice per case, even if its task runs twice.
            models.UniqueConstraint(
                fields=["batch", "case"],
                condition=Q(batch__isnull=False),
                name="filings_notice_one_per_case_per_batch",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "-issued_at"], name="filings_notice_case"),
            models.Index(
                fields=["issued_at"],
                condition=Q(status="pending"),
                name="filings_notice_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent by e-mail"
    NO_ADDRESS = "no_address", "No e-mail address (send by mail)"
    FAILED = "failed", "E-mail failed"


class NoticeRecipient(models.Model):
    """One party's copy of a notice: in their language, delivered to their address."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="recipients")
    position = models.PositiveSmallIntegerField(help_text="Order of the copy in the PDF.")
    party = models.ForeignKey(
        "cases.CaseParty", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey("cases.Person", on_delete=models.PROTECT, related_name="+")
    # What was on file when the notice was issued: the copy shows it, the e-mail goes there.
    name = models.CharField(max_length=300)
    role = models.CharField(max_length=20, blank=True)
    mailing_address = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8)
    template = models.ForeignKey(NoticeTemplate, on_delete=models.PROTECT, related_name="+")
    first_page = models.PositiveSmallIntegerField(null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)
    delivery_status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["notice", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "position"], name="filings_noticerecipient_unique_position"
            ),
            models.UniqueConstraint(
                fields=["notice", "person"], name="filings_noticerecipient_one_copy_per_person"
            ),
            models.CheckConstraint(
                condition=~Q(delivery_status="sent") | Q(sent_at__isnull=False),
                name="filings_noticerecipient_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language}): {self.get_delivery_status_display()}"

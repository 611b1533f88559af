"""REST API v1 over diversion programs (API.md): thin views over programs.services,
programs.selectors and programs.progress.

Programs are public information (what they are and who is eligible). Referrals and
enrollments are the case's records: they come from `visible_to` (court staff of the
program's court, attorneys of record; the case's sealed and juvenile rules apply), and
one out of sight answers 404 like a missing one. Writes on them are the program staff's
(`policies.require_program_staff`: 403 PROGRAM_STAFF_ONLY for anyone else who can see
them, an attorney of record for one); a referral may also be made by an attorney of
record (`policies.can_refer`). Reads of sealed and juvenile cases' records are audited.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail, PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from casemgmt.core.api.base import ScopedAPIView, error_responses
from cases.models import CaseParty, court_local_date
from cases.selectors import case_get_visible
from cases.services import case_read_audit

from .. import policies, services
from ..models import (
    ComplianceFlag,
    Consent,
    EligibilityCriterion,
    Enrollment,
    EnrollmentStatus,
    FlagStatus,
    PhaseRequirement,
    Program,
    ProgramPhase,
    ProgramResponse,
    Referral,
    Screening,
    ServiceEvent,
    ServiceSite,
)
from ..program_setup import program_create, program_creator_court
from ..progress import enrollment_progress
from .serializers import (
    AdvanceSerializer,
    CompleteSerializer,
    ComplianceFlagSerializer,
    ConsentCreateSerializer,
    ConsentSerializer,
    EnrollmentDetailSerializer,
    EnrollmentListQuerySerializer,
    EnrollmentSerializer,
    EnrollSerializer,
    EventListQuerySerializer,
    FlagListQuerySerializer,
    ProgramCreateSerializer,
    ProgramDetailSerializer,
    ProgramListQuerySerializer,
    ProgramResponseCreateSerializer,
    ProgramResponseSerializer,
    ProgramSerializer,
    ReferralCreateSerializer,
    ReferralDetailSerializer,
    ReferralListQuerySerializer,
    ReferralReasonSerializer,
    ReferralSerializer,
    ScreeningResultSerializer,
    ScreenSerializer,
    ServiceEventCreateSerializer,
    ServiceEventSerializer,
    TerminateSerializer,
)


def field_error(field: str, message: str, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [ErrorDetail(message, code=code)]})


def query(serializer_class, request: Request) -> dict[str, Any]:
    params = serializer_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _tz_context(record) -> dict[str, Any]:
    return {"tz": record.program.court.tzinfo}


# --- programs ------------------------------------------------------------------------------


def _program_detail(programs: QuerySet[Program]) -> QuerySet[Program]:
    return programs.select_related("court").prefetch_related(
        Prefetch(
            "phases",
            queryset=ProgramPhase.objects.order_by("number").prefetch_related(
                Prefetch(
                    "requirements", queryset=PhaseRequirement.objects.order_by("position", "id")
                )
            ),
        ),
        Prefetch(
            "criteria",
            queryset=EligibilityCriterion.objects.filter(is_active=True).order_by("position", "id"),
            to_attr="active_criteria",
        ),
    )


class ProgramListView(ScopedAPIView):
    """The programs (public: what they are and who is eligible); POST creates one."""

    model = Program
    serializer_class = ProgramCreateSerializer

    def get_permissions(self):
        if self.request.method == "POST":
            return [IsAuthenticated()]
        return [AllowAny()]

    def get_visible_queryset(self) -> QuerySet[Program]:
        programs = Program.objects.visible_to(self.request.user).select_related("court")
        if self.request.method == "GET":
            f = query(ProgramListQuerySerializer, self.request)
            if f.get("court"):
                programs = programs.filter(court__code=f["court"])
            if f.get("kind"):
                programs = programs.filter(kind=f["kind"])
        return programs.order_by("court__code", "name", "id")

    @extend_schema(
        summary="Diversion programs",
        parameters=[ProgramListQuerySerializer],
        responses={200: ProgramSerializer(many=True), **error_responses(400)},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ProgramSerializer(page, many=True).data)

    @extend_schema(
        summary="Create a program (supervisor of the court)",
        description="With its phases (each with its requirements, in order) and its "
        "eligibility criteria as data. Refusals: PROGRAM_CODE_TAKEN (409), "
        "CRITERION_PARAMS_INVALID (400, on `criteria.N.params`).",
        request=ProgramCreateSerializer,
        responses={201: ProgramDetailSerializer, **error_responses(400, 401, 403, 409, 422)},
    )
    def post(self, request: Request) -> Response:
        body = ProgramCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        court = program_creator_court(request.user, data["court"])
        if court is None:
            raise PermissionDenied("Only a supervisor of the court creates its programs.")
        program = program_create(court=court, data=data, by=request.user)
        program = _program_detail(Program.objects.filter(pk=program.pk)).get()
        return Response(
            ProgramDetailSerializer(program).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:program_detail", kwargs={"pk": program.pk})},
        )


class ProgramDetailView(ScopedAPIView):
    """One program with its phases, requirements and active criteria."""

    model = Program
    permission_classes = [AllowAny]

    def get_visible_queryset(self) -> QuerySet[Program]:
        return _program_detail(Program.objects.visible_to(self.request.user))

    @extend_schema(
        summary="One program",
        responses={200: ProgramDetailSerializer, **error_responses(404)},
        auth=[],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ProgramDetailSerializer(self.get_object()).data)


# --- referrals -----------------------------------------------------------------------------


def _referrals(user) -> QuerySet[Referral]:
    return Referral.objects.visible_to(user).select_related(
        "program__court", "case", "participant__person", "referred_by", "enrollment"
    )


def _referral_detail(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.prefetch_related(
        Prefetch(
            "screenings",
            queryset=Screening.objects.select_related("screened_by").order_by("screened_at", "id"),
        ),
        Prefetch(
            "consents", queryset=Consent.objects.select_related("recorded_by").order_by("kind")
        ),
    )


class ReferralListView(ScopedAPIView):
    """Referrals the caller may see; POST refers a party of a case to a program."""

    model = Referral
    serializer_class = ReferralCreateSerializer

    def get_visible_queryset(self) -> QuerySet[Referral]:
        referrals = _referrals(self.request.user)
        if self.request.method == "GET":
            f = query(ReferralListQuerySerializer, self.request)
            if f.get("program"):
                referrals = referrals.filter(program_id=f["program"])
            if f.get("status"):
                referrals = referrals.filter(status=f["status"])
            if f.get("case"):
                referrals = referrals.filter(case__number=f["case"].strip().upper())
        return referrals.order_by("-referred_on", "-id")

    @extend_schema(
        summary="Referrals",
        parameters=[ReferralListQuerySerializer],
        responses={200: ReferralSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = [ReferralSerializer(r, context=_tz_context(r)).data for r in page]
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Refer a party of a case to a program",
        description="By court staff of the case's court or an attorney of record. Records "
        "the DVRF docket entry. Refusals: UNKNOWN_PARTY, UNKNOWN_PROGRAM (400); "
        "PROGRAM_OTHER_COURT, CASE_NOT_PENDING, NOT_A_PARTICIPANT (422); "
        "REFERRAL_ALREADY_OPEN (409).",
        request=ReferralCreateSerializer,
        responses={201: ReferralDetailSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request) -> Response:
        body = ReferralCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = case_get_visible(request.user, data["case"], court_code=data.get("court") or None)
        participant = CaseParty.objects.filter(case=case, pk=data["participant"]).first()
        if participant is None:
            raise field_error("participant", "No party of this case has that id.", "UNKNOWN_PARTY")
        program = Program.objects.visible_to(request.user).filter(pk=data["program"]).first()
        if program is None:
            raise field_error("program", "No program has that id.", "UNKNOWN_PROGRAM")
        if not policies.can_refer(request.user, case):
            raise PermissionDenied(
                "Only court staff of the court and attorneys of record refer to programs."
            )
        referral = services.referral_create(
            program=program,
            case=case,
            participant=participant,
            source=data["source"],
            reason=data["reason"],
            by=request.user,
        )
        return _referral_response(request, referral, status.HTTP_201_CREATED)


def _referral_response(request: Request, referral: Referral, status_code: int = 200) -> Response:
    referral = _referral_detail(_referrals(request.user)).get(pk=referral.pk)
    headers = {}
    if status_code == status.HTTP_201_CREATED:
        headers["Location"] = reverse("api:referral_detail", kwargs={"pk": referral.pk})
    return Response(
        ReferralDetailSerializer(referral, context=_tz_context(referral)).data,
        status=status_code,
        headers=headers,
    )


class ReferralView(ScopedAPIView):
    """A view over one visible referral (else 404)."""

    model = Referral

    def get_visible_queryset(self) -> QuerySet[Referral]:
        return _referral_detail(_referrals(self.request.user))

    def get_referral(self) -> Referral:
        return self.get_object()

    def staff_referral(self) -> Referral:
        referral = self.get_object()
        policies.require_program_staff(self.request.user, referral)
        return referral


class ReferralDetailView(ReferralView):
    @extend_schema(
        summary="One referral, with its screenings (each criterion's result and reason) "
        "and consents",
        responses={200: ReferralDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        referral = self.get_referral()
        case_read_audit(case=referral.case, user=request.user, surface="api.referral")
        return Response(ReferralDetailSerializer(referral, context=_tz_context(referral)).data)


class ReferralScreenView(ReferralView):
    serializer_class = ScreenSerializer

    @extend_schema(
        summary="Screen a referral",
        description="Runs the program's criteria against the case and the participant and "
        "records the result of each with its reason. The decision defaults to the engine's "
        "outcome; `needs_review` requires a decision and a reason (DECISION_REQUIRED), "
        "overriding the engine requires a reason (DECISION_REASON_REQUIRED). The referral "
        "becomes `screened` (eligible) or `ineligible`.",
        request=ScreenSerializer,
        responses={201: ScreeningResultSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, pk: int) -> Response:
        referral = self.staff_referral()
        body = ScreenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        screening = services.referral_screen(
            referral=referral,
            by=request.user,
            decision=data.get("decision") or None,
            decision_reason=data["decision_reason"],
            notes=data["notes"],
        )
        screening = Screening.objects.select_related("referral", "screened_by").get(pk=screening.pk)
        return Response(
            ScreeningResultSerializer(screening, context=_tz_context(referral)).data,
            status=status.HTTP_201_CREATED,
        )


class ReferralConsentView(ReferralView):
    serializer_class = ConsentCreateSerializer

    @extend_schema(
        summary="Record a consent the program requires",
        request=ConsentCreateSerializer,
        responses={201: ConsentSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, pk: int) -> Response:
        referral = self.staff_referral()
        body = ConsentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        consent = services.consent_record(
            referral=referral,
            kind=data["kind"],
            given_on=data.get("given_on"),
            note=data["note"],
            by=request.user,
        )
        return Response(
            ConsentSerializer(consent, context=_tz_context(referral)).data,
            status=status.HTTP_201_CREATED,
        )


class ReferralOfferView(ReferralView):
    @extend_schema(
        summary="Offer the program to the participant (a screened referral)",
        request=None,
        responses={200: ReferralDetailSerializer, **error_responses(401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, pk: int) -> Response:
        referral = services.referral_offer(referral=self.staff_referral(), by=request.user)
        return _referral_response(request, referral)


class _ReferralReasonView(ReferralView):
    """A step on a referral that takes only a reason: `step` is the service."""

    serializer_class = ReferralReasonSerializer
    step = staticmethod(services.referral_decline)

    def post(self, request: Request, pk: int) -> Response:
        referral = self.staff_referral()
        body = ReferralReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = self.step(
            referral=referral, reason=body.validated_data["reason"], by=request.user
        )
        return _referral_response(request, referral)


def _reason_schema(summary: str):
    return extend_schema_view(
        post=extend_schema(
            summary=summary,
            request=ReferralReasonSerializer,
            responses={
                200: ReferralDetailSerializer,
                **error_responses(400, 401, 403, 404, 409, 422),
            },
        )
    )


@_reason_schema("The participant declined the offer")
class ReferralDeclineView(_ReferralReasonView):
    step = staticmethod(services.referral_decline)


@_reason_schema("Withdraw an open referral")
class ReferralWithdrawView(_ReferralReasonView):
    step = staticmethod(services.referral_withdraw)


class ReferralEnrollView(ReferralView):
    serializer_class = EnrollSerializer

    @extend_schema(
        summary="Enroll the participant (an offered or accepted referral)",
        description="Needs the participant's consent (CONSENT_REQUIRED). When the program "
        "has a place the enrollment is `active` in phase 1 (the case goes inactive for "
        "diversion, DVEN docket entry, the program fee assessed); when it is full the "
        "enrollment is `waitlisted`.",
        request=EnrollSerializer,
        responses={
            201: EnrollmentDetailSerializer,
            **error_responses(400, 401, 403, 404, 409, 422),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        referral = self.staff_referral()
        body = EnrollSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enrollment = services.enrollment_enroll(
            referral=referral, by=request.user, enrolled_on=body.validated_data.get("enrolled_on")
        )
        return _enrollment_response(request, enrollment, status.HTTP_201_CREATED)


# --- enrollments ---------------------------------------------------------------------------


def _enrollments(user) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.visible_to(user)
        .select_related("program__court", "case", "participant__person", "phase")
        .annotate(open_flag_count=Count("flags", filter=Q(flags__status=FlagStatus.OPEN)))
    )


def _enrollment_detail(enrollments: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    return enrollments.prefetch_related(
        Prefetch(
            "flags",
            queryset=ComplianceFlag.objects.filter(status=FlagStatus.OPEN).order_by(
                "-raised_on", "-id"
            ),
            to_attr="open_flags",
        )
    )


def enrollment_detail_data(enrollment: Enrollment) -> dict:
    court = enrollment.program.court
    progress = None
    if enrollment.status == EnrollmentStatus.ACTIVE:
        progress = enrollment_progress(enrollment, as_of=court_local_date(court))
    context = {"tz": court.tzinfo, "progress": progress}
    return EnrollmentDetailSerializer(enrollment, context=context).data


def _enrollment_response(
    request: Request, enrollment: Enrollment, status_code: int = 200
) -> Response:
    enrollment = _enrollment_detail(_enrollments(request.user)).get(pk=enrollment.pk)
    headers = {}
    if status_code == status.HTTP_201_CREATED:
        headers["Location"] = reverse("api:enrollment_detail", kwargs={"pk": enrollment.pk})
    return Response(enrollment_detail_data(enrollment), status=status_code, headers=headers)


class EnrollmentListView(ScopedAPIView):
    """Enrollments the caller may see (a coordinator's caseload)."""

    model = Enrollment

    def get_visible_queryset(self) -> QuerySet[Enrollment]:
        enrollments = _enrollments(self.request.user)
        f = query(EnrollmentListQuerySerializer, self.request)
        if f.get("program"):
            enrollments = enrollments.filter(program_id=f["program"])
        if f.get("status"):
            enrollments = enrollments.filter(status=f["status"])
        if f.get("phase"):
            enrollments = enrollments.filter(phase__number=f["phase"])
        if f.get("case"):
            enrollments = enrollments.filter(case__number=f["case"].strip().upper())
        if f.get("has_open_flags") is True:
            enrollments = enrollments.filter(open_flag_count__gt=0)
        elif f.get("has_open_flags") is False:
            enrollments = enrollments.filter(open_flag_count=0)
        return enrollments.order_by("-created_at", "-id")

    @extend_schema(
        summary="Enrollments",
        parameters=[EnrollmentListQuerySerializer],
        responses={200: EnrollmentSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = [EnrollmentSerializer(e, context=_tz_context(e)).data for e in page]
        return self.get_paginated_response(data)


class EnrollmentView(ScopedAPIView):
    """A view over one visible enrollment (else 404)."""

    model = Enrollment

    def get_visible_queryset(self) -> QuerySet[Enrollment]:
        return _enrollment_detail(_enrollments(self.request.user))

    def get_enrollment(self) -> Enrollment:
        return self.get_object()

    def staff_enrollment(self) -> Enrollment:
        enrollment = self.get_object()
        policies.require_program_staff(self.request.user, enrollment)
        return enrollment


class EnrollmentDetailView(EnrollmentView):
    @extend_schema(
        summary="One enrollment, with its progress in the phase and its open flags",
        responses={200: EnrollmentDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        enrollment = self.get_enrollment()
        case_read_audit(case=enrollment.case, user=request.user, surface="api.enrollment")
        return Response(enrollment_detail_data(enrollment))


class EnrollmentEventListView(EnrollmentView):
    serializer_class = ServiceEventCreateSerializer

    @extend_schema(
        summary="Service events of the enrollment, newest first",
        parameters=[EventListQuerySerializer],
        responses={200: ServiceEventSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        enrollment = self.get_enrollment()
        f = query(EventListQuerySerializer, request)
        case_read_audit(case=enrollment.case, user=request.user, surface="api.enrollment_events")
        events = (
            ServiceEvent.objects.filter(enrollment=enrollment)
            .select_related("site", "recorded_by", "voided_by")
            .order_by("-occurred_on", "-id")
        )
        if f.get("kind"):
            events = events.filter(kind=f["kind"])
        page = self.paginate_queryset(events)
        data = ServiceEventSerializer(page, many=True, context=_tz_context(enrollment)).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Log a service event: a drug test, a session, hours, a class",
        description="Active enrollments only. Each kind needs its own fields: a drug test "
        "its `drug_test_result` (a positive one its `substances`), counseling, classes and "
        "review hearings their `attendance`, community service its `hours` (and a `site`). "
        "Refusals name the field with a stable code; UNKNOWN_REQUIREMENT and UNKNOWN_SITE "
        "for ids not of this program or court.",
        request=ServiceEventCreateSerializer,
        responses={201: ServiceEventSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, pk: int) -> Response:
        enrollment = self.staff_enrollment()
        body = ServiceEventCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        requirement = site = None
        if data.get("requirement"):
            requirement = PhaseRequirement.objects.filter(
                pk=data["requirement"], phase__program_id=enrollment.program_id
            ).first()
            if requirement is None:
                raise field_error(
                    "requirement",
                    "No requirement of this program has that id.",
                    "UNKNOWN_REQUIREMENT",
                )
        if data.get("site"):
            site = ServiceSite.objects.filter(
                pk=data["site"], court_id=enrollment.program.court_id
            ).first()
            if site is None:
                raise field_error(
                    "site", "No service site of the court has that id.", "UNKNOWN_SITE"
                )
        event = services.event_record(
            enrollment=enrollment,
            kind=data["kind"],
            occurred_on=data["occurred_on"],
            by=request.user,
            requirement=requirement,
            drug_test_result=data["drug_test_result"],
            substances=data["substances"],
            attendance=data["attendance"],
            hours=data.get("hours"),
            site=site,
            supervisor_name=data["supervisor_name"],
            completed=data["completed"],
            notes=data["notes"],
        )
        event = ServiceEvent.objects.select_related("site", "recorded_by").get(pk=event.pk)
        return Response(
            ServiceEventSerializer(event, context=_tz_context(enrollment)).data,
            status=status.HTTP_201_CREATED,
        )


class EnrollmentAdvanceView(EnrollmentView):
    serializer_class = AdvanceSerializer

    @extend_schema(
        summary="Advance the participant to the next phase",
        description="Refused with PHASE_REQUIREMENTS_NOT_MET (its message lists what is "
        "missing) unless `override` with a `reason`; PHASE_IS_LAST in the last phase. "
        "Records the DVPH docket entry.",
        request=AdvanceSerializer,
        responses={
            200: EnrollmentDetailSerializer,
            **error_responses(400, 401, 403, 404, 409, 422),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        enrollment = self.staff_enrollment()
        body = AdvanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enrollment = services.enrollment_phase_advance(
            enrollment=enrollment,
            by=request.user,
            reason=body.validated_data["reason"],
            override=body.validated_data["override"],
        )
        return _enrollment_response(request, enrollment)


class EnrollmentCompleteView(EnrollmentView):
    serializer_class = CompleteSerializer

    @extend_schema(
        summary="Complete the program",
        description="Needs the last phase's requirements met. Every pending charge is "
        "disposed `diverted`, the case disposed (DVCP docket entry), and the first "
        "waitlisted participant admitted.",
        request=CompleteSerializer,
        responses={
            200: EnrollmentDetailSerializer,
            **error_responses(400, 401, 403, 404, 409, 422),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        enrollment = self.staff_enrollment()
        body = CompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enrollment = services.enrollment_complete(
            enrollment=enrollment,
            by=request.user,
            completed_on=body.validated_data.get("completed_on"),
            note=body.validated_data["note"],
        )
        return _enrollment_response(request, enrollment)


class EnrollmentTerminateView(EnrollmentView):
    serializer_class = TerminateSerializer

    @extend_schema(
        summary="Terminate the participant",
        description="The case is reactivated (DVTM docket entry) and the next waitlisted "
        "participant admitted.",
        request=TerminateSerializer,
        responses={
            200: EnrollmentDetailSerializer,
            **error_responses(400, 401, 403, 404, 409, 422),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        enrollment = self.staff_enrollment()
        body = TerminateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        enrollment = services.enrollment_terminate(
            enrollment=enrollment,
            reason=data["reason"],
            note=data["note"],
            by=request.user,
            terminated_on=data.get("terminated_on"),
        )
        return _enrollment_response(request, enrollment)


class EnrollmentResponseView(EnrollmentView):
    serializer_class = ProgramResponseCreateSerializer

    @extend_schema(
        summary="Sanctions and incentives of the enrollment",
        responses={200: ProgramResponseSerializer(many=True), **error_responses(401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        enrollment = self.get_enrollment()
        case_read_audit(case=enrollment.case, user=request.user, surface="api.enrollment_responses")
        responses = (
            ProgramResponse.objects.filter(enrollment=enrollment)
            .select_related("recorded_by")
            .order_by("-ordered_on", "-id")
        )
        page = self.paginate_queryset(responses)
        data = ProgramResponseSerializer(page, many=True, context=_tz_context(enrollment)).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Record a sanction or an incentive, with its reason",
        description="`flag`: the compliance flag it answers (UNKNOWN_FLAG if not of this "
        "enrollment). A sanction may move the participant back to `demote_to_phase`.",
        request=ProgramResponseCreateSerializer,
        responses={201: ProgramResponseSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, pk: int) -> Response:
        enrollment = self.staff_enrollment()
        body = ProgramResponseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        flag = None
        if data.get("flag"):
            flag = ComplianceFlag.objects.filter(pk=data["flag"], enrollment=enrollment).first()
            if flag is None:
                raise field_error("flag", "No flag of this enrollment has that id.", "UNKNOWN_FLAG")
        response = services.response_record(
            enrollment=enrollment,
            kind=data["kind"],
            action=data["action"],
            reason=data["reason"],
            by=request.user,
            flag=flag,
            ordered_on=data.get("ordered_on"),
            demote_to_phase=data.get("demote_to_phase"),
        )
        response = ProgramResponse.objects.select_related("recorded_by").get(pk=response.pk)
        return Response(
            ProgramResponseSerializer(response, context=_tz_context(enrollment)).data,
            status=status.HTTP_201_CREATED,
        )


class EnrollmentFlagListView(EnrollmentView):
    @extend_schema(
        summary="Compliance flags of the enrollment, newest first",
        parameters=[FlagListQuerySerializer],
        responses={200: ComplianceFlagSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        enrollment = self.get_enrollment()
        f = query(FlagListQuerySerializer, request)
        case_read_audit(case=enrollment.case, user=request.user, surface="api.enrollment_flags")
        flags = ComplianceFlag.objects.filter(enrollment=enrollment).order_by("-raised_on", "-id")
        if f.get("status"):
            flags = flags.filter(status=f["status"])
        page = self.paginate_queryset(flags)
        return self.get_paginated_response(ComplianceFlagSerializer(page, many=True).data)

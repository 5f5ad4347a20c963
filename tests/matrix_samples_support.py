"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the support
pages' URL parameters (R-3.4, R-3.5). ``samples(company, make_user)`` returns values by parameter
name (``"code"``) or, for names that differ per URL, by URL name (``{"app:view": {"pk": 1}}``);
``OBJECT_SCOPED`` lists pages that check the object's owner after the capability.

The upload problem belongs to the matrix's own provider (the only role with
``providers.own_company``), and it has a running consent, so the roles that handle upload problems
reach the support view instead of its "no consent" refusal."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from lpse.accounts.roles import Role

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    from lpse.bids.models import UnopenableCase
    from lpse.problems.models import Escalation, SupportConsent, UploadProblem

    now = timezone.now()
    provider = make_user(Role.PROVIDER)  # owns "Matriks Jaya" (tests/test_authorization_matrix.py)
    problem = UploadProblem.objects.create(
        company=provider.company,
        reported_by=provider,
        reported_at=now,
        description="Unggahan berhenti di tengah jalan.",
    )
    SupportConsent.objects.create(
        problem=problem, granted_by=provider, granted_at=now, expires_at=now + timedelta(hours=1)
    )
    escalation = Escalation.objects.create(
        source=Escalation.Source.OTHER,
        subject="Sampel eskalasi",
        problem="Masalah sampel",
        diagnosis="Diagnosis sampel",
        created_by=make_user(Role.APP_ADMIN),
        created_at=now,
    )
    unopenable = UnopenableCase.objects.order_by("pk").first()
    by_problem = {"pk": problem.pk}
    by_escalation = {"pk": escalation.pk}
    return {
        "problems:problem": by_problem,
        "problems:provider_act": by_problem,
        "problems:case": by_problem,
        "problems:act": by_problem,
        "problems:support_view": by_problem,
        "problems:escalation": by_escalation,
        "problems:escalation_act": by_escalation,
        "problems:escalation_package": by_escalation,
        "problems:escalation_from_unopenable": {"pk": unopenable.pk},
    }

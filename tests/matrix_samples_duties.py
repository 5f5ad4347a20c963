"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the annex V
duty register's URL parameters (R-5.6). An open occurrence of a duty with a problem found and
one evidence file, so the occurrence, evidence, problem and catalogue pages have something to
show; every role that may open them gets an answer, not a 404."""

from __future__ import annotations

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    from datetime import timedelta

    from django.utils import timezone

    from lpse.core.storage import store_bytes
    from lpse.operations.duty_catalogue import load_catalogue
    from lpse.operations.models import Duty, DutyEvidence, DutyOccurrence, DutyProblem

    load_catalogue()
    now = timezone.now()
    duty = Duty.objects.get(code="hw-hubs")
    occurrence = DutyOccurrence.objects.create(
        duty=duty,
        role=duty.role,
        period_start=now.date() - timedelta(days=20),
        period_end=now.date() - timedelta(days=14),
        due_at=now - timedelta(days=13),
        missed_after=now - timedelta(days=6),
        done_at=now - timedelta(days=13, hours=1),
        outcome="problem",
        note="Sampel",
    )
    evidence = DutyEvidence.objects.create(
        occurrence=occurrence,
        blob=store_bytes(b"sampel bukti\n"),
        filename="bukti.txt",
        uploaded_by=make_user("tech_hardware", "matrix-duty-hardware"),
    )
    problem = DutyProblem.objects.create(
        occurrence=occurrence, description="Sampel", found_at=now, deadline=now + timedelta(days=9)
    )
    return {
        "operations:duty_occurrence": {"pk": occurrence.pk},
        "operations:duty_done": {"pk": occurrence.pk},
        "operations:duty_evidence": {"pk": evidence.pk},
        "operations:duty_problem_close": {"pk": problem.pk},
        "operations:duty_edit": {"pk": duty.pk},
    }

"""Object-level scoping of the staff pages (issue 21; ASVS V8.2.2, V8.4.1), beside the
authorization matrix (tests/test_authorization_matrix.py), which proves the capabilities.

The matrix's sample objects belong to the matrix's own users, so every capability holder reaches
them there; here the same samples (tests/matrix_samples_*.py) are asked for by someone of the
same role whose record it is not, and must not be found. Each capability's decision — own
company, own agency, assignment or LPSE-wide — is declared in ``lpse.accounts.data_scope`` and
printed in docs/roles.md; a new capability without one fails here.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lpse.accounts.data_scope import DATA_SCOPE, ROLE_SCOPE, Scope, every_capability
from lpse.accounts.roles import ROLE_CAPABILITIES, Role
from lpse.core.models import AuditEvent
from lpse.training.models import Participant, TrainingSession
from tests import matrix_samples_training
from tests.conftest import in_english
from tests.test_authorization_matrix import _fast_password_hashing, samples  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

# Every page a trainer's capabilities open on one training, with the method it takes.
TRAINER_PAGES = (
    ("training:request_detail", "GET"),
    ("training:request_letter", "GET"),
    ("training:reply_pdf", "GET"),
    ("training:assignment_pdf", "GET"),
    ("training:attendance", "POST"),
    ("training:held", "POST"),
)


def test_issue21_every_capability_has_a_data_scope_decision():
    """A capability added without saying whose records it reaches fails here (and the roles
    table would not be generated)."""
    assert set(DATA_SCOPE) == every_capability()
    for (role, capability), decision in ROLE_SCOPE.items():
        assert capability in ROLE_CAPABILITIES[role], (role, capability)
        assert decision.scope != Scope.LPSE_WIDE
    narrower = [d for d in [*DATA_SCOPE.values(), *ROLE_SCOPE.values()] if d.scope != "LPSE-wide"]
    assert all(d.proof.startswith("tests/") for d in narrower)


def test_issue21_a_trainer_not_assigned_gets_404_on_every_page_of_a_training(client, make_user):
    """The trainer's capabilities open every training's pages; the data (an agency's letter,
    its contact, the participants' names and e-mail addresses) is for the trainer assigned."""
    values = matrix_samples_training.samples(None, make_user)
    assigned = make_user(Role.TRAINER)  # the sample session's trainer (same account again)
    other = make_user(Role.TRAINER, username="pelatih-lain")
    session = TrainingSession.objects.get(trainer=assigned)
    in_english(client).force_login(other)

    before = AuditEvent.objects.count()
    for name, method in TRAINER_PAGES:
        url = reverse(name, kwargs=values[name])
        assert client.generic(method, url).status_code == 404, name
    assert AuditEvent.objects.count() == before  # nothing was recorded on the way
    assert not Participant.objects.filter(session=session, attended_at__isnull=False).exists()
    session.refresh_from_db()
    assert session.request.state != session.request.State.HELD
    overview = client.get(reverse("training:overview")).content.decode()
    assert session.request.topic not in overview

    # The assigned trainer and the LPSE's office still reach it: the 404 was about who asked.
    for user in (assigned, make_user(Role.HELPDESK), make_user(Role.ADMIN_HEAD)):
        client.force_login(user)
        detail = reverse("training:request_detail", kwargs=values["training:request_detail"])
        assert client.get(detail).status_code == 200, user.username
        assert session.request.topic in client.get(reverse("training:overview")).content.decode()
    client.force_login(assigned)
    attendance = reverse("training:attendance", kwargs=values["training:attendance"])
    assert client.post(attendance, {"attended": "yes"}).status_code == 302
    assert Participant.objects.filter(session=session, attended_at__isnull=False).exists()


def test_issue21_a_trainer_who_also_holds_an_office_role_sees_every_training(make_user):
    """The scope follows the roles: a helpdesk officer who also trains is still the helpdesk."""
    from lpse.accounts.services import user_bootstrap
    from lpse.training import selectors

    matrix_samples_training.samples(None, make_user)
    both = user_bootstrap(
        username="pelatih-helpdesk",
        email="ph@example.test",
        roles={Role.TRAINER, Role.HELPDESK},
        password="kata-sandi-panjang-sekali",
    )
    trainer_only = make_user(Role.TRAINER, username="pelatih-saja")
    assert selectors.trainings_visible_to(both).count() == 1
    assert selectors.trainings_visible_to(trainer_only).count() == 0


# --- every object page of a scoped role, asked for by an outsider of that role ------------------

# For each role whose capabilities are all scoped (data_scope: own agency or assignment), someone
# of the same role who is not the sample object's owner: another agency's, or the same agency's
# but not assigned. The matrix's samples belong to the matrix users of DPUPR.
OUTSIDERS = {
    Role.TRAINER: [("pelatih-lain", "DPUPR")],
    Role.PROCUREMENT_OFFICER: [("pejabat-lain", "DPUPR"), ("pejabat-disdik", "DISDIK")],
    Role.COMMITTEE: [("pokja-disdik", "DISDIK")],
    Role.PPK: [("ppk-lain", "DPUPR"), ("ppk-disdik", "DISDIK")],
    Role.BUDGET_USER: [("pa-disdik", "DISDIK")],
    Role.AGENCY_ADMIN: [("admin-disdik", "DISDIK")],
}

# Object pages such a role opens whatever the object's owner, each with the reason.
NOT_SCOPED: dict[str, str] = {}


def _object_pages(inventory, role: str) -> list:
    caps = ROLE_CAPABILITIES[role]
    pages = []
    for endpoint in inventory.endpoints:
        wanted = endpoint.capability
        wanted = wanted if isinstance(wanted, tuple) else (wanted,)
        if endpoint.params and caps.intersection(wanted) and endpoint.name not in NOT_SCOPED:
            pages.append(endpoint)
    return pages


@pytest.mark.parametrize("role", list(OUTSIDERS))
def test_issue21_an_outsider_of_the_same_role_gets_no_object_page(role, samples, make_user):
    """ASVS V8.2.2 / V8.4.1: every page of the role that names an object (``<pk>``, ``<code>``)
    refuses — 404 or 403, and nothing recorded — someone of the same role from another agency or
    not assigned to it. The matrix proved that the owner of the same sample gets in."""
    from tests.test_authorization_matrix import collect, concrete_url

    inventory = collect()
    pages = _object_pages(inventory, role)
    assert pages, f"{role}: no object page found, so nothing was tested"
    problems = []
    for username, agency in OUTSIDERS[role]:
        outsider = make_user(role, username=username, agency_code=agency)
        client = in_english(Client())
        for endpoint in pages:
            url = concrete_url(endpoint, samples)
            client.force_login(outsider)
            before = AuditEvent.objects.count()
            status = client.generic(endpoint.method, url).status_code
            if status not in (403, 404):
                problems.append(f"{username}: {endpoint.method} {url} ({endpoint.name}) → {status}")
            elif AuditEvent.objects.count() != before:
                problems.append(f"{username}: {url} refused only after an audit event")
    assert not problems, "\n".join(problems)

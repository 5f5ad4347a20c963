"""Binding a company's signing key (R-9.7, R-7.1), with the two-person rule of R-3.2.

The provider proposes the public half of a key made on its own device; one verifier checks it at
the counter (the director's papers, and the fingerprint the company brings, typed); a *second*
verifier binds it; nobody linked to the company does either. Binding a new key revokes the old
one, which is kept (it still verifies the bids it signed: tests/test_bid_signatures.py). The
browser test in tests/browser/test_signing_key_browser.py walks the same steps in Chromium.
"""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile

from lpse.accounts.models import User
from lpse.accounts.roles import Role
from lpse.bids import signatures
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, SentEmail
from lpse.providers import key_material
from lpse.providers.models import Company, SigningKey
from lpse.providers.services import email_change, signing_keys
from tests.test_email_change import other_provider

pytestmark = pytest.mark.django_db

State = SigningKey.State


def new_public_key() -> str:
    return signatures.public_key_of(Ed25519PrivateKey.generate())


def spaced(key: SigningKey) -> str:
    """The fingerprint as the company's printed page shows it (groups of four, upper case)."""
    return key.fingerprint_display


@pytest.fixture
def verifiers(make_user):
    return make_user(Role.VERIFIER, username="verifikator-a"), make_user(
        Role.VERIFIER, username="verifikator-b"
    )


@pytest.fixture
def proposed(verified_provider):
    return signing_keys.signing_key_propose(actor=verified_provider, public_key=new_public_key())


def check(key, verifier, **overrides):
    data = {"fingerprint": spaced(key), "checked_identity": True, "note": "KTP dan akta sesuai"}
    return signing_keys.signing_key_check(actor=verifier, key=key, **{**data, **overrides})


# --- the procedure -------------------------------------------------------------------------------


def test_R_9_7_a_key_is_proposed_checked_by_one_verifier_and_bound_by_another(
    verified_provider, verifiers, django_capture_on_commit_callbacks
):
    first, second = verifiers
    public = new_public_key()
    with django_capture_on_commit_callbacks(execute=True):
        key = signing_keys.signing_key_propose(actor=verified_provider, public_key=public)
    raw = base64.b64decode(public)
    assert key.state == State.PROPOSED and key.public_key == public
    assert key.fingerprint == key_material.fingerprint(raw)
    assert key.fingerprint_display == " ".join(
        key.fingerprint.upper()[i : i + 4] for i in range(0, 64, 4)
    )
    company = verified_provider.company
    # The company hears of every proposal: a key proposed by whoever took over the account
    # does not go unnoticed.
    notice = SentEmail.objects.get(to=company.email, subject__contains="was proposed")
    assert key.fingerprint_display in notice.body and "helpdesk" in notice.body

    key = check(key, first, fingerprint=key.fingerprint.upper().replace("", " ")[1:])
    assert (key.state, key.checked_by) == (State.CHECKED, first)
    with django_capture_on_commit_callbacks(execute=True):
        key = signing_keys.signing_key_bind(actor=second, key=key)
    assert (key.state, key.bound_by) == (State.BOUND, second) and key.bound_at is not None

    from lpse.providers.selectors import bound_signing_key

    assert bound_signing_key(company) == key
    told = SentEmail.objects.get(to=company.email, subject__contains="was bound")
    assert key.fingerprint_display in told.body and "verifikator-a" in told.body
    events = AuditEvent.objects.filter(action__startswith="signing_key.").order_by("seq")
    assert [(e.action, e.actor) for e in events] == [
        ("signing_key.propose", verified_provider),
        ("signing_key.check", first),
        ("signing_key.bind", second),
    ]
    assert {e.data["fingerprint"] for e in events} == {key.fingerprint}


def test_R_9_7_binding_a_new_key_revokes_the_old_one_and_keeps_it(verified_provider, verifiers):
    first, second = verifiers
    old = signing_keys.signing_key_bind(
        actor=second, key=check(signing_keys.signing_key_propose(
            actor=verified_provider, public_key=new_public_key()), first)
    )  # fmt: skip
    new = signing_keys.signing_key_propose(actor=verified_provider, public_key=new_public_key())
    new = signing_keys.signing_key_bind(actor=first, key=check(new, second))  # roles swapped
    old.refresh_from_db()
    assert old.state == State.REVOKED and old.replaced_by == new
    assert old.was_bound_at(old.bound_at) and not old.was_bound_at(new.bound_at)
    assert new.state == State.BOUND
    assert AuditEvent.objects.get(action="signing_key.bind", object_id=str(new.pk)).data[
        "revoked"
    ] == [old.fingerprint]


# --- the two-person rule (R-3.2) -----------------------------------------------------------------


def test_R_3_2_the_verifier_who_checked_a_key_cannot_also_bind_it(proposed, verifiers):
    first, second = verifiers
    key = check(proposed, first)
    with pytest.raises(DomainError, match="another verifier binds it"):
        signing_keys.signing_key_bind(actor=first, key=key)
    key.refresh_from_db()
    assert key.state == State.CHECKED  # nothing bound
    signing_keys.signing_key_bind(actor=second, key=key)


def test_R_3_2_nobody_linked_to_the_company_checks_or_binds_its_key(
    verified_provider, verifiers, make_user
):
    """The company's own account (here given the verifier role as well), an LPSE account that
    reads the company's mailbox, and the person who proposed the key are all refused, at the
    check and at the binding."""
    first, second = verifiers
    key = signing_keys.signing_key_propose(actor=verified_provider, public_key=new_public_key())
    verified_provider.role_grants.create(role=Role.VERIFIER)
    own_account = User.objects.get(pk=verified_provider.pk)  # with its roles read afresh
    insider = make_user(Role.VERIFIER, username="verifikator-orang-dalam")
    insider.email = verified_provider.company.email.upper()  # the same mailbox, any case
    insider.save(update_fields=["email"])
    for linked in (own_account, insider):
        with pytest.raises(DomainError, match="linked to Sinar Maros"):
            check(key, linked)
    key = check(key, first)
    for linked in (own_account, insider):
        with pytest.raises(DomainError, match="linked to Sinar Maros"):
            signing_keys.signing_key_bind(actor=linked, key=key)
    key.refresh_from_db()
    assert key.state == State.CHECKED
    assert not AuditEvent.objects.filter(action="signing_key.bind").exists()
    signing_keys.signing_key_bind(actor=second, key=key)


def test_R_3_2_the_same_rule_stops_a_linked_verifier_in_the_e_mail_change(
    verified_provider, make_user
):
    """One helper serves both procedures: a verifier who reads the company's mailbox cannot
    check the company's change of address either."""
    change = email_change.email_change_submit(
        actor=verified_provider,
        new_email="baru@sinar-maros.co.id",
        statement=SimpleUploadedFile("s.pdf", b"%PDF-1.4 pernyataan", "application/pdf"),
    )
    change.confirmed_at = change.submitted_at
    change.save(update_fields=["confirmed_at"])
    insider = make_user(Role.VERIFIER, username="verifikator-orang-dalam")
    insider.email = verified_provider.company.email
    insider.save(update_fields=["email"])
    with pytest.raises(DomainError, match="linked to Sinar Maros"):
        email_change.email_change_check(
            actor=insider, change=change, checked_ktp=True, checked_deed=True
        )


def test_R_9_7_only_verifiers_check_bind_or_refuse(proposed, make_user):
    admin = make_user(Role.APP_ADMIN)
    with pytest.raises(DomainError):
        check(proposed, admin)
    with pytest.raises(DomainError):
        signing_keys.signing_key_refuse(actor=admin, key=proposed, reason="tidak")
    proposed.refresh_from_db()
    assert proposed.state == State.PROPOSED


# --- bad paths: refused with a reason, nothing changed -------------------------------------------


def test_R_9_7_a_fingerprint_that_differs_at_the_counter_is_refused(proposed, verifiers):
    """The key on the server is not the one the company holds (someone else proposed it, or it
    was changed on the way): the verifier's typed fingerprint does not match."""
    other = key_material.grouped("ab" * 32)
    with pytest.raises(DomainError, match="not the proposed key's") as err:
        check(proposed, verifiers[0], fingerprint=other)
    assert err.value.field == "fingerprint"
    with pytest.raises(DomainError, match="ID card"):
        check(proposed, verifiers[0], checked_identity=False)
    proposed.refresh_from_db()
    assert proposed.state == State.PROPOSED and proposed.checked_by is None


def test_R_9_7_a_key_cannot_be_bound_before_it_is_checked(proposed, verifiers):
    with pytest.raises(DomainError, match="No verifier has checked this key"):
        signing_keys.signing_key_bind(actor=verifiers[1], key=proposed)


def test_R_9_7_what_is_not_an_ed25519_public_key_is_refused(verified_provider):
    for bad, why in [
        ("bukan base64!", "not base64"),
        (base64.b64encode(b"x" * 31).decode(), "has 31 bytes"),
        ("", "not base64|has 0 bytes"),
    ]:
        with pytest.raises(DomainError, match=why) as err:
            signing_keys.signing_key_propose(actor=verified_provider, public_key=bad)
        assert err.value.field == "public_key"
    assert not SigningKey.objects.exists()


def test_R_9_7_a_new_proposal_withdraws_the_open_one(proposed, verified_provider):
    newer = signing_keys.signing_key_propose(actor=verified_provider, public_key=new_public_key())
    proposed.refresh_from_db()
    assert proposed.state == State.WITHDRAWN and newer.state == State.PROPOSED
    with pytest.raises(DomainError):
        check(proposed, verified_provider)  # a withdrawn key is never checked


def test_R_9_7_a_key_bound_to_another_company_or_already_bound_is_refused(
    verified_provider, verifiers, make_user
):
    first, second = verifiers
    public = new_public_key()
    key = signing_keys.signing_key_propose(actor=verified_provider, public_key=public)
    signing_keys.signing_key_bind(actor=second, key=check(key, first))
    with pytest.raises(DomainError, match="already bound to your company"):
        signing_keys.signing_key_propose(actor=verified_provider, public_key=public)
    rival = other_provider(make_user)
    with pytest.raises(DomainError, match="belongs to another company"):
        signing_keys.signing_key_propose(actor=rival.user, public_key=public)


def test_R_9_7_an_unverified_company_binds_no_key(verified_provider):
    Company.objects.filter(user=verified_provider).update(state=Company.State.AWAITING_VERIFICATION)
    with pytest.raises(DomainError, match="Only a verified company"):
        signing_keys.signing_key_propose(actor=verified_provider, public_key=new_public_key())


def test_R_9_7_a_refused_key_records_the_reason_and_tells_the_company(
    proposed, verifiers, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError, match="Give the reason"):
        signing_keys.signing_key_refuse(actor=verifiers[0], key=proposed, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        key = signing_keys.signing_key_refuse(
            actor=verifiers[0], key=proposed, reason="Sidik jari di kertas berbeda."
        )
    assert key.state == State.REFUSED and key.reason == "Sidik jari di kertas berbeda."
    told = SentEmail.objects.get(subject__contains="was refused")
    assert "Sidik jari di kertas berbeda." in told.body


# --- the pages -----------------------------------------------------------------------------------


def test_R_9_7_the_pages_walk_a_key_from_proposal_to_bound(verified_provider, verifiers, client):
    first, second = verifiers
    client.force_login(verified_provider)
    page = client.get("/penyedia/kunci-tanda-tangan/").content.decode()
    assert "No key is bound to the company yet" in page and 'id="make-key"' in page
    assert 'name="passphrase' not in page  # the export passphrase is never posted
    refused = client.post("/penyedia/kunci-tanda-tangan/", {"public_key": "AAAA"})
    assert "not a signing key the LPSE can use" in refused.content.decode()
    public = new_public_key()
    assert client.post("/penyedia/kunci-tanda-tangan/", {"public_key": public}).status_code == 302
    key = SigningKey.objects.get()
    page = client.get("/penyedia/kunci-tanda-tangan/").content.decode()
    assert key.fingerprint_display in page and "Key in progress" in page

    client.force_login(first)
    desk = client.get("/verifikasi/kunci-tanda-tangan/?q=sinar").content.decode()
    assert f"/verifikasi/kunci-tanda-tangan/{key.pk}/" in desk
    wrong = client.post(
        f"/verifikasi/kunci-tanda-tangan/{key.pk}/periksa/",
        {"fingerprint": "0000", "checked_identity": "on", "decision": "pass"},
    )
    assert "not the proposed key" in wrong.content.decode()
    response = client.post(
        f"/verifikasi/kunci-tanda-tangan/{key.pk}/periksa/",
        {"fingerprint": spaced(key), "checked_identity": "on", "decision": "pass"},
    )
    assert response.status_code == 302
    detail = client.get(f"/verifikasi/kunci-tanda-tangan/{key.pk}/").content.decode()
    assert "You checked this key: another verifier binds it." in detail
    assert 'id="signing-key-decide"' not in detail

    client.force_login(second)
    response = client.post(
        f"/verifikasi/kunci-tanda-tangan/{key.pk}/putuskan/", {"decision": "bind"}
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.state == State.BOUND
    client.force_login(verified_provider)
    page = client.get("/penyedia/kunci-tanda-tangan/").content.decode()
    assert "Bound key" in page and key.fingerprint in page  # the data the browser compares


def test_R_9_7_a_provider_sees_only_its_own_company_s_keys(verified_provider, make_user, client):
    mine = signing_keys.signing_key_propose(actor=verified_provider, public_key=new_public_key())
    rival = other_provider(make_user)
    client.force_login(rival.user)
    page = client.get("/penyedia/kunci-tanda-tangan/").content.decode()
    assert mine.fingerprint_display not in page
    assert client.get(f"/verifikasi/kunci-tanda-tangan/{mine.pk}/").status_code == 403

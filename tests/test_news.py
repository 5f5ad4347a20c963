"""News and announcements (R-2.3 "the site carries announcements", R-5.6 "publish procurement
news"): drafts only publishers see, the audience and the publish window deciding who sees what,
pinned posts first, the Atom feed of public posts, and an announcement e-mailed once, in batches,
to its audience."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lpse.accounts.roles import Role
from lpse.core.calendar import WITA
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent, SentEmail
from lpse.news import mailing, services
from lpse.news.models import Post

pytestmark = pytest.mark.django_db

Audience, Kind = Post.Audience, Post.Kind


def post(actor, title, *, publish=True, **fields) -> Post:
    made = services.post_create(
        actor=actor, data=services.PostData(title=title, body=f"Isi {title}.", **fields)
    )
    return services.post_publish(actor=actor, post=made) if publish else made


def home(client) -> str:
    return client.get(reverse("portal:home")).content.decode()


@pytest.fixture
def admin(make_user):
    return make_user(Role.APP_ADMIN)


def test_R_2_3_each_audience_sees_its_posts_on_the_home_page_and_pinned_come_first(
    client, admin, make_user
):
    post(admin, "Berita umum lama")
    post(admin, "Untuk penyedia", audience=Audience.PROVIDERS)
    post(admin, "Untuk SKPD", audience=Audience.AGENCIES)
    post(admin, "Disematkan umum", pinned=True)

    public = home(client)
    assert "Berita umum lama" in public and "Disematkan umum" in public
    assert "Untuk penyedia" not in public and "Untuk SKPD" not in public
    # The pinned post is the newest here too; the next test pins an older one.
    assert public.index("Disematkan umum") < public.index("Berita umum lama")

    client.force_login(make_user(Role.PROVIDER))
    seen = home(client)
    assert "Untuk penyedia" in seen and "Berita umum lama" in seen
    assert "Untuk SKPD" not in seen

    client.force_login(make_user(Role.PPK))
    seen = home(client)
    assert "Untuk SKPD" in seen and "Berita umum lama" in seen
    assert "Untuk penyedia" not in seen


def test_R_2_3_a_pinned_older_post_stays_above_a_newer_one(client, admin):
    post(admin, "Lama tapi disematkan", pinned=True)
    post(admin, "Baru tanpa sematan")
    page = home(client)
    assert page.index("Lama tapi disematkan") < page.index("Baru tanpa sematan")


def test_R_2_3_a_post_is_shown_only_inside_its_window_in_wita(client, admin):
    start = datetime(2026, 12, 10, 8, 0, tzinfo=WITA)
    with time_machine.travel(datetime(2026, 12, 9, 9, 0, tzinfo=WITA), tick=False):
        post(admin, "Jendela tayang", show_from=start, show_until=start + timedelta(days=2))
        assert "Jendela tayang" not in home(client)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert "Jendela tayang" in home(client)
    with time_machine.travel(start + timedelta(days=2), tick=False):
        assert "Jendela tayang" not in home(client)
        assert "Jendela tayang" not in client.get(reverse("news:list")).content.decode()


def test_R_2_3_the_form_reads_the_window_in_wita(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("news:create"),
        {
            "title": "Pemeliharaan server",
            "body": "Server dipelihara.",
            "kind": Kind.NEWS,
            "audience": Audience.PUBLIC,
            "show_from": "2026-12-10T08:00",
            "show_until": "",
        },
    )
    assert response.status_code == 302
    made = Post.objects.get(title="Pemeliharaan server")
    assert made.state == Post.State.DRAFT
    assert made.show_from == datetime(2026, 12, 10, 0, 0, tzinfo=UTC)


def test_R_2_3_a_draft_is_seen_by_publishers_only(client, admin, make_user):
    draft = post(admin, "Draf rahasia", publish=False)
    url = reverse("news:detail", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert "Draf rahasia" not in home(client)
    client.force_login(make_user(Role.PROVIDER))
    assert client.get(url).status_code == 404
    client.force_login(admin)
    page = client.get(url).content.decode()
    assert "Draf rahasia" in page and 'id="publish"' in page


def test_R_5_6_only_the_publishing_roles_may_write_news(make_user):
    for role in (Role.VERIFIER, Role.PROVIDER, Role.PPK, Role.HELPDESK):
        with pytest.raises(DomainError, match=r"news\.publish"):
            services.post_create(actor=make_user(role), data=services.PostData(title="X", body="Y"))
    assert not Post.objects.exists()
    for role in (Role.APP_ADMIN, Role.LPSE_HEAD, Role.SERVICE_HEAD):
        post(make_user(role), f"Dari {role}")
    assert Post.objects.filter(state=Post.State.PUBLISHED).count() == 3


def test_R_2_3_bad_input_stores_nothing_and_names_the_field(client, admin):
    start = timezone.now() + timedelta(days=2)
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as refused:
        services.post_create(
            actor=admin,
            data=services.PostData(
                title="Terbalik", body="Isi", show_from=start, show_until=start - timedelta(hours=1)
            ),
        )
    assert refused.value.field == "show_until"
    assert not Post.objects.exists() and AuditEvent.objects.count() == before
    # The page keeps what was typed and shows the refusal in place.
    client.force_login(admin)
    page = client.post(
        reverse("news:create"),
        {"title": "Judul tetap", "body": "", "kind": Kind.NEWS, "audience": Audience.PUBLIC},
    ).content.decode()
    assert "Judul tetap" in page and not Post.objects.exists()


def test_R_2_3_the_text_is_shown_escaped_never_as_markup(client, admin):
    shown = services.post_create(
        actor=admin,
        data=services.PostData(title="Aman", body="<script>alert(1)</script>\n\nParagraf dua"),
    )
    services.post_publish(actor=admin, post=shown)
    page = client.get(reverse("news:detail", args=[shown.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<p>Paragraf dua</p>" in page


def test_R_2_3_the_atom_feed_lists_only_public_published_posts(client, admin):
    post(admin, "Umum di feed")
    post(admin, "Penyedia saja", audience=Audience.PROVIDERS)
    post(admin, "Masih draf", publish=False)
    response = client.get(reverse("news:feed"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = response.content.decode()
    assert "Umum di feed" in feed
    assert "Penyedia saja" not in feed and "Masih draf" not in feed


def test_R_2_3_an_announcement_is_mailed_once_to_its_audience_in_batches(
    admin, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(mailing, "BATCH_SIZE", 2)
    providers = [make_user(Role.PROVIDER, username=f"penyedia{i}") for i in range(3)]
    ppk = make_user(Role.PPK)
    draft = post(
        admin,
        "Sosialisasi aplikasi",
        publish=False,
        kind=Kind.ANNOUNCEMENT,
        audience=Audience.PROVIDERS,
    )
    with django_capture_on_commit_callbacks(execute=True) as queued:
        services.post_publish(actor=admin, post=draft)
    assert len(queued) == 2  # three addresses in batches of two

    mailed = SentEmail.objects.filter(subject__contains="Sosialisasi aplikasi")
    assert sorted(m.to for m in mailed) == sorted(p.email for p in providers)  # one each
    assert not mailed.filter(to=ppk.email).exists()
    assert "Isi Sosialisasi aplikasi." in mailed.first().body
    event = AuditEvent.objects.get(action="news.announcement_mailed")
    assert event.data == {"audience": "providers", "recipients": 3, "batches": 2}
    draft.refresh_from_db()
    assert draft.mailed_count == 3 and draft.mailed_at is not None

    # Published once: pressing the button again is refused and sends nothing more.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        services.post_publish(actor=admin, post=draft)
    assert mailed.count() == 3


def test_R_2_3_news_is_not_mailed(admin, make_user, django_capture_on_commit_callbacks):
    make_user(Role.PROVIDER)
    with django_capture_on_commit_callbacks(execute=True):
        post(admin, "Sekadar berita", audience=Audience.PROVIDERS)
    assert not SentEmail.objects.filter(subject__contains="Sekadar berita").exists()


def test_R_2_3_withdrawing_needs_a_reason_takes_the_post_off_and_is_audited(client, admin):
    shown = post(admin, "Akan ditarik")
    with pytest.raises(DomainError, match="why"):
        services.post_withdraw(actor=admin, post=shown, reason=" ")
    assert "Akan ditarik" in home(client)
    services.post_withdraw(actor=admin, post=shown, reason="Salah tanggal")
    assert "Akan ditarik" not in home(client)
    assert client.get(reverse("news:detail", args=[shown.pk])).status_code == 404
    assert list(
        AuditEvent.objects.filter(object_id=str(shown.pk), object_type="news.post")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["news.create", "news.publish", "news.withdraw"]
    with pytest.raises(DomainError, match="withdrawn"):
        services.post_update(
            actor=admin, post=shown, data=services.PostData(title="Lagi", body="Isi")
        )


def test_R_2_3_a_published_announcement_keeps_its_audience(admin):
    shown = post(admin, "Pengumuman", kind=Kind.ANNOUNCEMENT, audience=Audience.AGENCIES)
    with pytest.raises(DomainError) as refused:
        services.post_update(
            actor=admin,
            post=shown,
            data=services.PostData(
                title="Pengumuman", body="Isi", kind=Kind.ANNOUNCEMENT, audience=Audience.PUBLIC
            ),
        )
    assert refused.value.field == "audience"
    services.post_update(
        actor=admin,
        post=shown,
        data=services.PostData(
            title="Pengumuman (ralat)",
            body="Isi",
            kind=Kind.ANNOUNCEMENT,
            audience=Audience.AGENCIES,
            pinned=True,
        ),
    )
    shown.refresh_from_db()
    assert shown.title == "Pengumuman (ralat)" and shown.pinned
    changed = AuditEvent.objects.get(action="news.update").data["changed"]
    assert changed["title"] == ["Pengumuman", "Pengumuman (ralat)"]
    assert changed["pinned"] == [False, True]

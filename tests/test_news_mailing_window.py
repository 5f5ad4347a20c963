"""An announcement is e-mailed when its window opens, not before (R-2.3): published ahead of its
window it waits for the ``mail-due-announcements`` job, which mails it once — also when two
workers run the job at the same moment; published inside its window it is mailed at once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from lpse.accounts.roles import Role
from lpse.celery import app
from lpse.core.calendar import WITA
from lpse.core.models import AuditEvent, SentEmail
from lpse.news import services
from lpse.news.models import Post
from lpse.news.tasks import mail_due_announcements

pytestmark = pytest.mark.django_db

Audience, Kind = Post.Audience, Post.Kind

# Monday 7 December 2026, 09:00 WITA: the announcement is written; its window opens on Thursday.
WRITTEN_AT = datetime(2026, 12, 7, 9, 0, tzinfo=WITA)
OPENS_AT = datetime(2026, 12, 10, 8, 0, tzinfo=WITA)


@pytest.fixture
def admin(make_user):
    return make_user(Role.APP_ADMIN)


@pytest.fixture
def provider(make_user):
    return make_user(Role.PROVIDER, username="penyedia-jendela")


def announcement(admin, title: str, **window) -> Post:
    draft = services.post_create(
        actor=admin,
        data=services.PostData(
            title=title,
            body=f"Isi {title}.",
            kind=Kind.ANNOUNCEMENT,
            audience=Audience.PROVIDERS,
            **window,
        ),
    )
    return services.post_publish(actor=admin, post=draft)


def mails(title: str):
    return SentEmail.objects.filter(subject__contains=title)


def test_R_2_3_an_announcement_published_ahead_of_its_window_is_mailed_when_it_opens(
    admin, provider, django_capture_on_commit_callbacks
):
    title = "Sosialisasi Perpres baru"
    with time_machine.travel(WRITTEN_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            post = announcement(admin, title, show_from=OPENS_AT)
        assert not mails(title).exists()
        post.refresh_from_db()
        assert post.mailed_at is None

    # The job runs every few minutes: before the window opens it mails nothing.
    with time_machine.travel(OPENS_AT - timedelta(minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.announcements_mail_due() == 0
        assert not mails(title).exists()

    with time_machine.travel(OPENS_AT + timedelta(minutes=3), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert mail_due_announcements.apply().get() == 1
        assert [m.to for m in mails(title)] == [provider.email]
        # The next run, and the one after, mail nothing more.
        with django_capture_on_commit_callbacks(execute=True):
            assert services.announcements_mail_due() == 0
            assert services.announcements_mail_due() == 0
    assert mails(title).count() == 1
    post.refresh_from_db()
    assert post.mailed_at == OPENS_AT + timedelta(minutes=3) and post.mailed_count == 1
    event = AuditEvent.objects.get(action="news.announcement_mailed")
    assert event.actor is None and event.data["recipients"] == 1


def test_R_2_3_publication_inside_the_window_still_mails_at_once(
    admin, provider, django_capture_on_commit_callbacks
):
    title = "Pemeliharaan server"
    with time_machine.travel(WRITTEN_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            announcement(admin, title, show_from=WRITTEN_AT - timedelta(hours=1))
            announcement(admin, title + " tanpa jendela")
        assert mails(title).count() == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert services.announcements_mail_due() == 0
    assert mails(title).count() == 2


def test_R_2_3_two_workers_racing_mail_the_announcement_once(
    admin, provider, django_capture_on_commit_callbacks
):
    """Both workers read the post while it was not mailed; the compare-and-set on ``mailed_at``
    lets only the first one send."""
    title = "Libur layanan"
    with time_machine.travel(WRITTEN_AT, tick=False):
        post = announcement(admin, title, show_from=OPENS_AT)
    with time_machine.travel(OPENS_AT, tick=False):
        seen_by_first, seen_by_second = Post.objects.get(pk=post.pk), Post.objects.get(pk=post.pk)
        with django_capture_on_commit_callbacks(execute=True):
            assert services._mail_once(actor=None, post=seen_by_first, now=OPENS_AT) is True
            assert services._mail_once(actor=None, post=seen_by_second, now=OPENS_AT) is False
    assert mails(title).count() == 1
    assert AuditEvent.objects.filter(action="news.announcement_mailed").count() == 1


def test_R_2_3_a_withdrawn_or_expired_announcement_is_never_mailed(
    admin, provider, django_capture_on_commit_callbacks
):
    with time_machine.travel(WRITTEN_AT, tick=False):
        withdrawn = announcement(admin, "Ditarik sebelum tayang", show_from=OPENS_AT)
        services.post_withdraw(actor=admin, post=withdrawn, reason="Salah tanggal.")
        announcement(
            admin,
            "Jendela sudah lewat",
            show_from=OPENS_AT,
            show_until=OPENS_AT + timedelta(hours=1),
        )
    # The job was not running while the short window was open: nobody can read it now.
    with time_machine.travel(OPENS_AT + timedelta(hours=2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.announcements_mail_due() == 0
    assert not mails("Ditarik").exists() and not mails("Jendela sudah lewat").exists()


def test_R_2_3_the_publisher_is_told_when_the_mail_goes(client, admin, provider):
    client.force_login(admin)
    with time_machine.travel(WRITTEN_AT, tick=False):
        draft = services.post_create(
            actor=admin,
            data=services.PostData(
                title="Rapat koordinasi",
                body="Isi.",
                kind=Kind.ANNOUNCEMENT,
                audience=Audience.PROVIDERS,
                show_from=OPENS_AT,
            ),
        )
        response = client.post(reverse("news:publish", args=[draft.pk]), follow=True)
    page = response.content.decode()
    assert "Published; it is e-mailed to its audience when its window opens." in page
    assert 'id="mail-pending"' in page


def test_the_job_is_on_the_beat_schedule():
    entry = app.conf.beat_schedule["mail-due-announcements"]
    assert entry["task"] == mail_due_announcements.name

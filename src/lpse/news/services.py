"""Every write of news and announcements (R-2.3, R-5.6): draft → published → withdrawn.

Each write re-checks ``news.publish``, runs in one transaction with its audit event, and changes
state by compare-and-set, so two publishers pressing the same button publish (and e-mail) once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.core import audit
from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.news import mailing
from lpse.news.audience import recipient_emails
from lpse.news.models import Post

State = Post.State


@dataclass
class PostData:
    title: str
    body: str
    kind: str = Post.Kind.NEWS
    audience: str = Post.Audience.PUBLIC
    pinned: bool = False
    show_from: datetime | None = None
    show_until: datetime | None = None


def _clean(data: PostData) -> PostData:
    """The data checked and trimmed, or a DomainError on the first field that is wrong."""
    title, body = (data.title or "").strip(), (data.body or "").strip()
    if not title:
        raise DomainError(_("Give the post a title."), field="title")
    if len(title) > 200:
        raise DomainError(
            _("A title has at most 200 characters; this one has %(n)d. Shorten it.")
            % {"n": len(title)},
            field="title",
        )
    if not body:
        raise DomainError(_("Write the text of the post."), field="body")
    if data.kind not in Post.Kind.values:
        raise DomainError(_("Choose news or announcement."), field="kind")
    if data.audience not in Post.Audience.values:
        raise DomainError(_("Choose who the post is for."), field="audience")
    if data.show_from and data.show_until and data.show_until <= data.show_from:
        raise DomainError(
            _("“Shown until” (%(until)s) must be after “shown from” (%(start)s).")
            % {"until": wita_text(data.show_until), "start": wita_text(data.show_from)},
            field="show_until",
        )
    return PostData(
        title=title,
        body=body,
        kind=data.kind,
        audience=data.audience,
        pinned=bool(data.pinned),
        show_from=data.show_from,
        show_until=data.show_until,
    )


def _snapshot(post: Post) -> dict:
    return {
        "title": post.title,
        "kind": post.kind,
        "audience": post.audience,
        "pinned": post.pinned,
        "show_from": post.show_from.isoformat() if post.show_from else None,
        "show_until": post.show_until.isoformat() if post.show_until else None,
    }


def post_create(*, actor, data: PostData) -> Post:
    """A new draft: nobody but the publishers sees it until it is published."""
    require_capability(actor, Cap.PUBLISH_NEWS)
    data = _clean(data)
    now = timezone.now()
    with transaction.atomic():
        post = Post.objects.create(
            title=data.title,
            body=data.body,
            kind=data.kind,
            audience=data.audience,
            pinned=data.pinned,
            show_from=data.show_from,
            show_until=data.show_until,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        audit.record(actor=actor, action="news.create", obj=post, data=_snapshot(post))
    return post


def post_update(*, actor, post: Post, data: PostData) -> Post:
    """Correct a draft or a published post. Once published, its kind and audience stay: an
    announcement has already been e-mailed to that audience."""
    require_capability(actor, Cap.PUBLISH_NEWS)
    data = _clean(data)
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.state == State.WITHDRAWN:
            raise DomainError(
                _("This post was withdrawn and can no longer be changed. Write a new one.")
            )
        if post.state == State.PUBLISHED and (
            data.kind != post.kind or data.audience != post.audience
        ):
            raise DomainError(
                _(
                    "A published post keeps its kind and audience. Withdraw it and write a new "
                    "one to reach another audience."
                ),
                field="audience" if data.audience != post.audience else "kind",
            )
        before = _snapshot(post)
        post.title, post.body = data.title, data.body
        post.kind, post.audience, post.pinned = data.kind, data.audience, data.pinned
        post.show_from, post.show_until = data.show_from, data.show_until
        post.updated_at = timezone.now()
        post.save()
        after = _snapshot(post)
        changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        audit.record(actor=actor, action="news.update", obj=post, data={"changed": changed})
    return post


def post_publish(*, actor, post: Post) -> Post:
    """Publish a draft. An announcement is e-mailed to its audience in the same step, once."""
    require_capability(actor, Cap.PUBLISH_NEWS)
    now = timezone.now()
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.state != State.DRAFT:
            raise DomainError(
                _("Only a draft can be published; this post is “%(state)s”.")
                % {"state": post.get_state_display()}
            )
        if post.show_until is not None and post.show_until <= now:
            raise DomainError(
                _(
                    "The window of this post ended on %(until)s, so nobody would see it. "
                    "Change “shown until” first."
                )
                % {"until": wita_text(post.show_until)}
            )
        if not Post.objects.filter(pk=post.pk, state=State.DRAFT).update(
            state=State.PUBLISHED, published_by=actor, published_at=now, updated_at=now
        ):
            raise DomainError(_("Someone else changed this post just now. Reload the page."))
        post.refresh_from_db()
        audit.record(actor=actor, action="news.publish", obj=post, data=_snapshot(post))
        # An announcement whose window opens later is mailed then, by ``announcements_mail_due``:
        # a mail about a post the reader cannot open yet would only confuse them.
        if post.kind == Post.Kind.ANNOUNCEMENT and window_open(post, now):
            _mail_once(actor=actor, post=post, now=now)
    return post


def window_open(post: Post, now: datetime) -> bool:
    """Whether the post's window includes ``now`` (empty ends are open)."""
    return (post.show_from is None or post.show_from <= now) and (
        post.show_until is None or post.show_until > now
    )


def _mail_once(*, actor, post: Post, now: datetime) -> bool:
    """E-mail the announcement unless it already was; returns whether this call mailed it."""
    emails = recipient_emails(post.audience)
    # Compare-and-set on ``mailed_at``: the e-mail goes out once, whoever gets here first (the
    # publisher, or either of two workers running the periodic job at the same moment).
    if not Post.objects.filter(pk=post.pk, state=State.PUBLISHED, mailed_at__isnull=True).update(
        mailed_at=now, mailed_count=len(emails)
    ):
        return False
    batches = mailing.send_on_commit(post, emails)
    post.mailed_at, post.mailed_count = now, len(emails)
    audit.record(
        actor=actor,
        action="news.announcement_mailed",
        obj=post,
        data={"audience": post.audience, "recipients": len(emails), "batches": batches},
    )
    return True


def announcements_mail_due(*, now: datetime | None = None) -> int:
    """The periodic job (``mail-due-announcements``): e-mail every published announcement whose
    window has opened since its publication and that was not mailed yet. One transaction per
    post, so a failure leaves the others mailed; returns how many were mailed by this run."""
    now = now or timezone.now()
    due = (
        Post.objects.filter(
            state=State.PUBLISHED, kind=Post.Kind.ANNOUNCEMENT, mailed_at__isnull=True
        )
        # An empty "from" too: a publisher may clear it after publication, opening it at once.
        .filter(Q(show_from__isnull=True) | Q(show_from__lte=now))
        .exclude(show_until__lte=now)  # its window already ended: nobody could open it
        .values_list("pk", flat=True)
    )
    mailed = 0
    for pk in list(due):
        with transaction.atomic():
            # Withdrawn or mailed since the query: the compare-and-set in ``_mail_once`` skips it.
            mailed += _mail_once(actor=None, post=Post.objects.get(pk=pk), now=now)
    return mailed


def post_withdraw(*, actor, post: Post, reason: str) -> Post:
    """Take a draft or a published post off the site for good; the record and its history stay."""
    require_capability(actor, Cap.PUBLISH_NEWS)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Say why the post is withdrawn: the reason is kept in the record."), field="reason"
        )
    now = timezone.now()
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.state == State.WITHDRAWN:
            raise DomainError(_("This post was already withdrawn."))
        previous = post.state
        post.state = State.WITHDRAWN
        post.withdrawn_by, post.withdrawn_at, post.withdraw_reason = actor, now, reason
        post.updated_at = now
        post.save()
        audit.record(
            actor=actor,
            action="news.withdraw",
            obj=post,
            data={"from": previous, "reason": reason},
        )
    return post

"""News and announcements (R-2.3, R-5.6): a post with a kind, an audience, a publish window."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Post(models.Model):
    """One post. The body is plain text: it is always rendered escaped (paragraphs and line
    breaks only), so an author can never put markup or script on the public site."""

    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        # An announcement is also e-mailed to its audience once: when it is published, or when
        # its window opens if that is later (the ``mail-due-announcements`` job).
        ANNOUNCEMENT = "announcement", _("Announcement")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Everyone (public)")
        PROVIDERS = "providers", _("Providers")
        AGENCIES = "agencies", _("Agency staff")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NEWS)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC
    )
    pinned = models.BooleanField(_("pinned to the top"), default=False)
    # The window in which the post is shown; empty "from" means from publication, empty
    # "until" means with no end. Stored in UTC, entered and shown in WITA.
    show_from = models.DateTimeField(_("shown from"), null=True, blank=True)
    show_until = models.DateTimeField(_("shown until"), null=True, blank=True)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdraw_reason = models.TextField(blank=True)
    # Set once, by compare-and-set, in the transaction that e-mails an announcement (its
    # publication, or the job once its window opens): the guard that it is never e-mailed twice.
    mailed_at = models.DateTimeField(null=True, blank=True)
    mailed_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-pinned", "-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(show_from__isnull=True)
                | models.Q(show_until__isnull=True)
                | models.Q(show_from__lt=models.F("show_until")),
                name="news_post_window_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

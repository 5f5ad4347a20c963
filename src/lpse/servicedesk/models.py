"""The helpdesk (R-2.1, annex 2.1): tickets, their public thread, internal notes, and the
knowledge base of approved answers.

A ticket is every request the helpdesk receives — by phone, at the counter or online — from a
signed-in user or from the public. What the requester may see (the question, the answers, their
own follow-ups) lives on ``Ticket`` and ``TicketMessage``; what they must never see (the
helpdesk's notes) lives on ``InternalNote``, a separate table that the requester's pages never
read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in (at the LPSE counter)")
    ONLINE = "online", _("Online (on the site)")


class Category(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation on e-procurement")
    FEATURE_INFO = "feature_info", _("Information on SPSE features")
    COMPLAINT = "complaint", _("Complaint about LPSE service")
    UPLOAD_PROBLEM = "upload_problem", _("Problem uploading")
    OTHER = "other", _("Other")


class RequesterRole(models.TextChoices):
    """Who asked, as the regulation names them (annex 2.1): providers, Admin Agency, PPK and
    committees; anyone else is the public (a company that has not registered yet)."""

    PROVIDER = "provider", _("Provider (Penyedia)")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator (Admin Agency)")
    PPK = "ppk", _("Commitment officer (PPK)")
    COMMITTEE = "committee", _("Tender committee (Pokja)")
    AGENCY_STAFF = "agency_staff", _("Other agency staff")
    LPSE_STAFF = "lpse_staff", _("LPSE staff")
    PUBLIC = "public", _("Public")


class KnowledgeArticle(models.Model):
    """An approved answer the helpdesk reuses, so that it makes no statement contrary to LPSE
    policy (annex 2.1, *Peringatan* 2). Only an approved article is offered to the helpdesk and
    shown publicly."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft (awaiting approval)")
        APPROVED = "approved", _("Approved")
        RETIRED = "retired", _("Retired")

    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("approved answer"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["category", "question"]
        verbose_name = _("knowledge-base article")

    def __str__(self) -> str:
        return self.question


class TicketCounter(models.Model):
    """The last ticket number given in a year: HD-2026-00012 is the twelfth of 2026 (WITA)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Ticket(models.Model):
    """One request to the helpdesk and everything recorded about it (R-2.1): who, channel,
    category, question, answer, time to answer, rating."""

    class State(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Being handled")
        ANSWERED = "answered", _("Answered")
        REOPENED = "reopened", _("Reopened (the requester replied)")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("ticket number"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    # A signed-in requester is the account; a caller, a visitor at the counter or the public
    # online leave a name and a way to reach them.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="helpdesk_tickets",
        verbose_name=_("requester account"),
    )
    requester_name = models.CharField(_("name"), max_length=200)
    requester_email = models.EmailField(_("e-mail"), blank=True)
    requester_phone = models.CharField(_("phone"), max_length=30, blank=True)
    requester_role = models.CharField(
        _("requester is"), max_length=20, choices=RequesterRole.choices
    )
    requester_organisation = models.CharField(_("company or agency"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    question = models.TextField(_("question"))
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW, db_index=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    outside_working_hours = models.BooleanField(_("outside working hours"), default=False)
    # The helpdesk officer who took a phone call or a walk-in visit.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # The answer the requester sees online and by e-mail: the latest one (earlier ones stay in
    # the thread, TicketMessage).
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Time to answer runs from received_at to the first answer.
    first_answered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    article = models.ForeignKey(
        KnowledgeArticle,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("knowledge-base article used"),
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("comment on the answer"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # With SECRET_KEY this makes the public requester's link (see services.ticket_token); the
    # link itself is never stored.
    access_nonce = models.CharField(max_length=32)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("helpdesk ticket")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="ticket_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def time_to_answer(self):
        if self.first_answered_at is None:
            return None
        return self.first_answered_at - self.received_at

    @property
    def can_be_rated(self) -> bool:
        return self.rating is None and self.first_answered_at is not None


class TicketMessage(models.Model):
    """The thread the requester sees: each answer of the helpdesk and each follow-up of the
    requester, in order."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("Answer")
        FOLLOW_UP = "follow_up", _("Follow-up from the requester")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    at = models.DateTimeField()
    article = models.ForeignKey(
        KnowledgeArticle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class InternalNote(models.Model):
    """A note of the helpdesk about a ticket. Never shown to the requester."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"))
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket.number} note {self.at:%Y-%m-%d %H:%M}"

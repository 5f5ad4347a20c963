"""Training requests and sessions (R-2.2, annex 2.3–2.4).

An SKPD's request letter is registered by the helpdesk (``TrainingRequest``), confirmed by phone
with an agreed time, scheduled by the head of LPSE into a room with a trainer
(``TrainingSession``), answered with a reply letter and a *surat tugas* for the trainer (both PDF,
stored as blobs), and held; people register as ``Participant`` and their attendance is recorded.
The step timings of the annex (R-3.6) are in ``core.StepTiming``, not here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lpse.accounts.models import Agency
from lpse.core.models import Blob


class Audience(models.TextChoices):
    """Who a training is for: the annex sets different days and hours for each."""

    PROVIDERS = "providers", _("Providers (penyedia)")
    AGENCY_STAFF = "agency_staff", _("Agency staff (Admin Agency, PPK, committee)")


class Room(models.Model):
    """A room trainings are held in (R-2.3: the LPSE has a training room). A room holds one
    training at a time, and no more participants than its capacity."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"))
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("training room")

    def __str__(self) -> str:
        return self.name


class TrainingRequest(models.Model):
    class State(models.TextChoices):
        REGISTERED = "registered", _("Registered: to confirm by phone")
        CONFIRMED = "confirmed", _("Confirmed: to schedule")
        SCHEDULED = "scheduled", _("Scheduled: reply letter to send")
        REPLY_SENT = "reply_sent", _("Reply sent: training announced")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="training_requests", verbose_name=_("SKPD")
    )
    letter_number = models.CharField(_("letter number"), max_length=100)
    letter_date = models.DateField(_("letter date"))
    letter = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    letter_filename = models.CharField(max_length=200)
    audience = models.CharField(_("participants are"), max_length=20, choices=Audience.choices)
    topic = models.CharField(_("topic"), max_length=200)
    participants_expected = models.PositiveSmallIntegerField(_("participants expected"))
    contact_name = models.CharField(_("SKPD contact person"), max_length=120)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    contact_email = models.EmailField(_("contact e-mail"))
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.REGISTERED)
    registered_at = models.DateTimeField()
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Step 2: the helpdesk's phone call with the SKPD, and the time agreed in it. For agency
    # trainings the agreed day may be another weekday than Monday, Tuesday or Friday.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_with = models.CharField(_("spoke with"), max_length=120, blank=True)
    agreed_start = models.DateTimeField(null=True, blank=True)
    agreed_end = models.DateTimeField(null=True, blank=True)
    confirmation_note = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        indexes = [models.Index(fields=["state", "registered_at"])]

    def __str__(self) -> str:
        return f"{self.agency.code} {self.letter_number}: {self.topic}"


class TrainingSession(models.Model):
    """The scheduled training of one request: when (WITA), where, by whom, and its letters."""

    request = models.OneToOneField(
        TrainingRequest, on_delete=models.PROTECT, related_name="session"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions")
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_sessions"
    )
    scheduled_at = models.DateTimeField()
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The link participants register with: handed to the SKPD in the reply letter, not listed
    # anywhere public, so that only the people the SKPD sends fill the room.
    registration_token = models.CharField(max_length=43, unique=True)
    reply_number = models.CharField(max_length=100, blank=True)
    reply_letter = models.ForeignKey(
        Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignment_number = models.CharField(max_length=100, blank=True)
    assignment_letter = models.ForeignKey(
        Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    letters_issued_at = models.DateTimeField(null=True, blank=True)
    letters_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    held_at = models.DateTimeField(null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["room", "start"]),
            models.Index(fields=["trainer", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="training_start_before_end"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request} @ {self.start:%Y-%m-%d %H:%M}"

    @property
    def capacity(self) -> int:
        return self.room.capacity


class Participant(models.Model):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="participants"
    )
    name = models.CharField(_("full name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    organisation = models.CharField(_("agency or company"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    registered_at = models.DateTimeField()
    # None: the participant registered themselves through the session's link.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attended_at = models.DateTimeField(null=True, blank=True)
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["registered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "email"], name="one_registration_per_email")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def attended(self) -> bool:
        return self.attended_at is not None

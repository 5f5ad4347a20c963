"""The server room (R-4.2; Pasal 11 (4): "every visitor entering the server room must have the
permission of the authorised official of the LPSE"): access permits for named visitors and a
time window, decided by the head of LPSE, and the visitor log the engineer on duty keeps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AccessPermit", "PermitState", "PermitVisitor", "ServerRoomVisit"]


class PermitState(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")
    # The window ended while requested or approved: stored by the periodic job, but every check
    # reads the clock itself (``AccessPermit.state_at``), so a late job changes nothing.
    EXPIRED = "expired", _("expired")


class AccessPermit(models.Model):
    """Permission for the visitors named on it to enter the server room, for one purpose, inside
    one window (WITA on every page)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    purpose = models.TextField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    state = models.CharField(
        max_length=9, choices=PermitState.choices, default=PermitState.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Required for a refusal (the requester must learn why); optional note on an approval.
    decision_reason = models.TextField(blank=True, default="")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")),
                name="server_room_permit_window",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.purpose[:40]}"

    def state_at(self, moment) -> str:
        """The state as the clock makes it: a requested or approved permit whose window is over
        is expired, whether or not the job has written it yet."""
        if self.state in (PermitState.REQUESTED, PermitState.APPROVED) and (
            moment >= self.valid_until
        ):
            return PermitState.EXPIRED
        return self.state

    def state_label_at(self, moment) -> str:
        return PermitState(self.state_at(moment)).label


class PermitVisitor(models.Model):
    """One person named on a permit, as on their identity card."""

    permit = models.ForeignKey(AccessPermit, on_delete=models.CASCADE, related_name="visitors")
    name = models.CharField(max_length=120)
    organisation = models.CharField(max_length=160)  # company or agency
    id_number = models.CharField(max_length=40)  # KTP, passport or staff card number

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["permit", "id_number"], name="server_room_visitor_once_per_permit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class ServerRoomVisit(models.Model):
    """One entry in the visitor log: who came in on which permit, escorted by whom, when they
    came in and went out."""

    permit = models.ForeignKey(AccessPermit, on_delete=models.PROTECT, related_name="visits")
    visitor = models.ForeignKey(PermitVisitor, on_delete=models.PROTECT, related_name="visits")
    purpose = models.TextField()
    escort = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField()
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_out_at = models.DateTimeField(null=True, blank=True)
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the "still inside at the end of the day" alert went out: once per visit.
    open_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-checked_in_at", "-pk"]
        constraints = [
            # A person is inside once: a second check-in before the check-out is a mistake.
            models.UniqueConstraint(
                fields=["visitor"],
                condition=models.Q(checked_out_at__isnull=True),
                name="server_room_one_open_visit",
            ),
            models.CheckConstraint(
                condition=models.Q(checked_out_at__isnull=True)
                | models.Q(checked_out_at__gte=models.F("checked_in_at")),
                name="server_room_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visitor} {self.checked_in_at:%Y-%m-%d %H:%M}"

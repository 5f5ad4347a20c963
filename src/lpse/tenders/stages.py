"""The stages of a tender (R-8.2), in order, and the rules their schedule must follow."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    ANNOUNCEMENT = "announcement", _("Announcement")
    DOCUMENT_DOWNLOAD = "document_download", _("Document download")
    CLARIFICATION = "clarification", _("Clarification (Q&A)")
    BID_SUBMISSION = "bid_submission", _("Bid submission")
    BID_OPENING = "bid_opening", _("Bid opening")
    EVALUATION = "evaluation", _("Evaluation")
    QUALIFICATION_PROOF = "qualification_proof", _("Qualification proof")
    WINNER_DETERMINATION = "winner_determination", _("Winner determination")
    WINNER_ANNOUNCEMENT = "winner_announcement", _("Winner announcement")
    OBJECTION_PERIOD = "objection_period", _("Objection period (masa sanggah)")
    AWARD_LETTER = "award_letter", _("Award letter (SPPBJ)")
    CONTRACT_SIGNING = "contract_signing", _("Contract signing")


STAGE_ORDER: list[str] = list(Stage.values)

# Each rule: (later stage, earlier stage, what the later stage's start must not precede in the
# earlier stage: "start" or "end"). Announcement, download and clarification run side by side;
# from bid submission on, a stage waits for the one it depends on.
SEQUENCE_RULES: list[tuple[str, str, str]] = [
    (Stage.DOCUMENT_DOWNLOAD, Stage.ANNOUNCEMENT, "start"),
    (Stage.CLARIFICATION, Stage.ANNOUNCEMENT, "start"),
    (Stage.BID_SUBMISSION, Stage.CLARIFICATION, "start"),
    (Stage.BID_OPENING, Stage.BID_SUBMISSION, "end"),
    (Stage.EVALUATION, Stage.BID_OPENING, "start"),
    (Stage.QUALIFICATION_PROOF, Stage.EVALUATION, "start"),
    (Stage.WINNER_DETERMINATION, Stage.QUALIFICATION_PROOF, "end"),
    (Stage.WINNER_ANNOUNCEMENT, Stage.WINNER_DETERMINATION, "end"),
    (Stage.OBJECTION_PERIOD, Stage.WINNER_ANNOUNCEMENT, "start"),
    (Stage.AWARD_LETTER, Stage.OBJECTION_PERIOD, "end"),
    (Stage.CONTRACT_SIGNING, Stage.AWARD_LETTER, "start"),
]

# Stages that must end by the time another ends (clarification closes before bids do, so every
# answer and addendum can still be taken into account).
ENDS_BEFORE: list[tuple[str, str]] = [
    (Stage.CLARIFICATION, Stage.BID_SUBMISSION),
    (Stage.ANNOUNCEMENT, Stage.BID_SUBMISSION),
    (Stage.DOCUMENT_DOWNLOAD, Stage.BID_SUBMISSION),
]

# Default minimum lengths in working days; the application admin can change them
# (``StageMinimum``). 0 means "no minimum beyond ending after it starts".
DEFAULT_MIN_WORKING_DAYS: dict[str, int] = {
    Stage.ANNOUNCEMENT: 3,
    Stage.DOCUMENT_DOWNLOAD: 3,
    Stage.CLARIFICATION: 1,
    Stage.BID_SUBMISSION: 3,
    Stage.OBJECTION_PERIOD: 5,
}

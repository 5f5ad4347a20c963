from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lpse.accounts.models import User
from lpse.servicedesk.models import Category, Channel, KnowledgeArticle, RequesterRole
from lpse.servicedesk.selectors import approved_articles, helpdesk_staff

PUBLIC_ROLES = [
    (RequesterRole.PUBLIC, _("Public / a company not registered yet")),
    (RequesterRole.PROVIDER, RequesterRole.PROVIDER.label),
    (RequesterRole.AGENCY_ADMIN, RequesterRole.AGENCY_ADMIN.label),
    (RequesterRole.PPK, RequesterRole.PPK.label),
    (RequesterRole.COMMITTEE, RequesterRole.COMMITTEE.label),
    (RequesterRole.AGENCY_STAFF, RequesterRole.AGENCY_STAFF.label),
]


class AskForm(forms.Form):
    """The online request form. A signed-in requester is known: the contact fields go."""

    category = forms.ChoiceField(label=_("What is it about?"), choices=Category.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    question = forms.CharField(
        label=_("Your question or complaint"), widget=forms.Textarea(attrs={"rows": 6})
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The answer and a link to follow your request are sent here."),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)
    organisation = forms.CharField(
        label=_("Company or agency (optional)"), max_length=200, required=False
    )
    role = forms.ChoiceField(label=_("You are"), choices=PUBLIC_ROLES)

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if signed_in:
            for name in ("name", "email", "phone", "organisation", "role"):
                del self.fields[name]


class RecordForm(forms.Form):
    """A phone call or a walk-in visit, written down by the helpdesk."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(Channel.PHONE, Channel.PHONE.label), (Channel.WALK_IN, Channel.WALK_IN.label)],
    )
    received_at = forms.DateTimeField(
        label=_("Received at (WITA)"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    requester_user_id = forms.CharField(
        label=_("Requester's User ID (if they have an account)"), max_length=150, required=False
    )
    name = forms.CharField(label=_("Requester's name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    organisation = forms.CharField(label=_("Company or agency"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Requester is"), choices=PUBLIC_ROLES)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 5}))


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = helpdesk_staff()


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note (never shown to the requester)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    article = forms.ModelChoiceField(
        label=_("Approved answer from the knowledge base"),
        queryset=KnowledgeArticle.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )
    answer = forms.CharField(
        label=_("Answer to the requester"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Shown to the requester online and sent by e-mail. Choosing an approved answer "
            "above fills it in; adapt it to the question."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = approved_articles()


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Not answered yet, or the answer did not help? Write here and we look again."),
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How helpful was the answer?"),
        coerce=int,
        choices=[
            (5, _("5 — very helpful")),
            (4, _("4 — helpful")),
            (3, _("3 — so-so")),
            (2, _("2 — not very helpful")),
            (1, _("1 — not helpful at all")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ArticleForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=300)
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 8}))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)

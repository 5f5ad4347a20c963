from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lpse.news.models import Post

# A browser's own date-and-time picker; the value is read in the current zone, WITA.
WITA_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PostForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Plain text: an empty line starts a new paragraph. No HTML."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Post.Kind.choices,
        help_text=_(
            "An announcement is also e-mailed to its audience when it is published, or when "
            "its window opens if that is later."
        ),
    )
    audience = forms.ChoiceField(label=_("For"), choices=Post.Audience.choices)
    pinned = forms.BooleanField(label=_("Pin to the top of the home page"), required=False)
    show_from = forms.DateTimeField(
        label=_("Shown from (WITA)"),
        required=False,
        widget=WITA_INPUT,
        help_text=_("Empty: from publication."),
    )
    show_until = forms.DateTimeField(
        label=_("Shown until (WITA)"),
        required=False,
        widget=WITA_INPUT,
        help_text=_("Empty: with no end."),
    )

    @classmethod
    def initial_of(cls, post: Post) -> dict:
        return {
            "title": post.title,
            "body": post.body,
            "kind": post.kind,
            "audience": post.audience,
            "pinned": post.pinned,
            "show_from": post.show_from,
            "show_until": post.show_until,
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=500)

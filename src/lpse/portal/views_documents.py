"""*Verifikasi dokumen* (R-7.4): anyone uploads a PDF this LPSE issued — with its ``.sig`` or
without — and learns whether it is authentic and unchanged, and what it is. No sign-in."""

from __future__ import annotations

import json

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lpse.core import public_limits
from lpse.core.capabilities import public
from lpse.core.documents import document_check
from lpse.core.models import IssuedDocument
from lpse.core.signing import fingerprint

MAX_DOCUMENT_MB = 50


class DocumentCheckForm(forms.Form):
    document = forms.FileField(label=gettext_lazy("Document (PDF)"))
    signature = forms.FileField(
        label=gettext_lazy("Its signature file (.sig), if you have it"), required=False
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        if document.size > MAX_DOCUMENT_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB: no document of this LPSE is.")
                % {"mb": MAX_DOCUMENT_MB}
            )
        return document

    def clean_signature(self):
        signature = self.cleaned_data.get("signature")
        if not signature:
            return None
        try:
            value = json.loads(signature.read(64 * 1024))
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise forms.ValidationError(
                _("This is not a signature file of this LPSE (a .sig is a small JSON file).")
            )
        return value


def _verdict_text(verdict: str) -> str:
    return {
        "authentic": _("Authentic: this document was issued by this LPSE and is unchanged."),
        "not_found": _(
            "Not confirmed: this LPSE has no record of a document with these exact contents. "
            "It was changed, or not issued here. If you have its .sig file, upload it too."
        ),
        "bad_signature": _(
            "Not confirmed: the signature is not this LPSE's, or was changed. Compare the key "
            "fingerprint printed on the document with the one below."
        ),
        "other_document": _(
            "Not confirmed: the signature belongs to another document — this file differs from "
            "the one that was signed."
        ),
    }[verdict]


@public
def document_verify(request: HttpRequest) -> HttpResponse:
    form = DocumentCheckForm(request.POST or None, request.FILES or None)
    result = None
    refusal = public_limits.count_post(request, "proof")
    public_limits.refuse_form(form, refusal)
    if not refusal and request.method == "POST" and form.is_valid():
        data = form.cleaned_data["document"].read()
        result = document_check(data, form.cleaned_data["signature"])
    response = render(
        request,
        "portal/document_verify.html",
        {
            "form": form,
            "result": result,
            "verdict": _verdict_text(result.verdict) if result else "",
            "fingerprint": fingerprint(),
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )
    return public_limits.answer(response, refusal)


@public
def document_signature(request: HttpRequest, sha256: str) -> JsonResponse:
    """The ``.sig`` of an issued document, by the SHA-256 of its bytes."""
    refusal = public_limits.count(request, "proof")
    if refusal:
        return public_limits.refused_json(refusal)
    record = IssuedDocument.objects.filter(sha256=sha256.lower()).first()
    if record is None:
        raise Http404
    response = JsonResponse(record.signed, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{sha256[:16]}.sig"'
    return response

"""Public pages (R-8.5) and what a provider does on a tender's page (R-8.3)."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.functional import cached_property
from django.utils.numberformat import format as format_number
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core import hooks
from lpse.core.capabilities import AUTHENTICATED, Cap, public, requires
from lpse.core.documents import blob_pdf_response
from lpse.core.errors import DomainError
from lpse.core.feedback import act_and_redirect
from lpse.core.public_cache import cached_count, cached_for_anonymous, expires_at
from lpse.core.storage import StorageUnavailable, open_blob
from lpse.tenders.forms import PublicFilterForm, QuestionForm
from lpse.tenders.models import Category, IntegrityPact, TenderDocument
from lpse.tenders.selectors import listings as selectors
from lpse.tenders.selectors import schedule as sched
from lpse.tenders.selectors.access import is_committee_member
from lpse.tenders.selectors.lookup import announced_tender_or_404
from lpse.tenders.selectors.pacts import pact_context
from lpse.tenders.services import participation
from lpse.tenders.services import preparation as services
from lpse.tenders.stages import STAGE_ORDER

PAGE_SIZE = 20


class _CountedOnce(Paginator):
    """A paginator whose total comes from the shared cache (``cached_count``), and whose page
    is found by ids first, then just its 20 rows read with their agencies. ``counted`` counts
    the list; ``ids(matching=, skipped=, shown=)`` finds a page's ids (it may choose its plan by
    how many rows match and how many a page skips); ``rows`` reads the rows of those ids, in
    their order. Nothing is built that a page does not use: a query with its filters costs a
    request as much as running it (bench/README.md, issue 19)."""

    def __init__(self, per_page, *, count_key: str, counted, ids, rows):
        super().__init__((), per_page)
        self.count_key = count_key
        self.counted = counted
        self.ids = ids
        self.rows = rows

    @cached_property
    def count(self) -> int:
        return cached_count(self.count_key, self.counted)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        ids = self.ids(matching=self.count, skipped=bottom, shown=top - bottom)
        return self._get_page(self.rows(ids), number, self)


def _count_key(filters: selectors.TenderFilters) -> str:
    return f"tenders:{filters!r}"


def _listed_page(filters: selectors.TenderFilters):
    """The public list's paginator for ``filters``."""

    def listed_total() -> int:
        everything = selectors.TenderFilters()
        return cached_count(_count_key(everything), lambda: selectors.listed_count(everything))

    def ids(*, matching: int, skipped: int, shown: int) -> list[int]:
        by_row = selectors.prefer_row_by_row(
            filters, matching=matching, listed_total=listed_total, skipped=skipped, shown=shown
        )
        return selectors.page_ids(filters, skipped=skipped, shown=shown, row_by_row=by_row)

    return _CountedOnce(
        PAGE_SIZE,
        count_key=_count_key(filters),
        counted=lambda: selectors.listed_count(filters),
        ids=ids,
        rows=selectors.listed_rows,
    )


def _rows(rows: list[selectors.ListedRow]) -> str:
    """The table's rows, escaped and formatted here in one pass rather than by ~15 template
    variables and filters a row (the list's largest cost after its queries; bench/README.md).
    What is the same on every row is looked up once a page: the category and stage labels
    (``get_category_display`` hashed every choice's lazy label, each a translation lookup), the
    number format of the language (``number_format`` looks it up three times a call), the
    address of a tender's page around its code. ``html.escape`` is what Django's ``escape``
    calls, without its lazy-text checks on each of the 100 values."""
    categories = {value: escape(str(label)) for value, label in Category.choices}
    stages = sched.stage_labels()
    language = get_language()
    separator, grouping, thousands = (
        get_format(name, language)
        for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )
    before, _code, after = reverse("tenders:public_detail", args=["~code~"]).rpartition("~code~")
    before, after = escape(before), escape(after)
    return mark_safe(  # noqa: S308 — every value below is escaped
        "".join(
            f'<tr>\n<td class="mono">{escape(row.code)}</td>'
            f'<td><a href="{before}{escape(quote(row.code))}{after}">'
            f"{escape(row.name)}</a><br>"
            f'<span class="muted">{categories[row.category]} · {row.fiscal_year}</span></td>\n'
            f"<td>{escape(row.agency_name)}</td>"
            f"<td>{format_number(row.owner_estimate, separator, 2, grouping, thousands, True)}</td>"
            f"<td>{escape(row.status.describe(stages))}</td></tr>\n"
            for row in rows
        )
    )


@public
@cached_for_anonymous
def public_list(request):
    form = PublicFilterForm(request.GET or None)
    filters = selectors.TenderFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.TenderFilters(
            q=data["q"].strip(),
            agency=data["agency"],
            category=data["category"],
            stage=data["stage"],
            min_value=data["min_value"],
            max_value=data["max_value"],
            year=data["year"],
        )
    page = _listed_page(filters).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "tenders/public_list.html",
        {"form": form, "page": page, "body": _rows(page.object_list), "query": query.urlencode()},
    )
    # A row's "stage now" changes by the clock, with no write to announce it.
    expires_at(response, selectors.next_change(page.object_list))
    return response


@public
def public_detail(request, code: str):
    tender = announced_tender_or_404(code)
    schedule = services.schedule_of(tender)
    status = sched.status_at(schedule, timezone.now())
    user = request.user
    mine = participation.participation_of(user, tender) if user.is_authenticated else None
    insider = user.is_authenticated and (
        is_committee_member(user, tender) or tender.package.ppk_id == user.pk
    )
    context = {
        "tender": tender,
        "status": status,
        "schedule_rows": [
            (sched.label(s), schedule[s][0], schedule[s][1], status.is_open(s))
            for s in STAGE_ORDER
            if s in schedule
        ],
        "documents": tender.documents.select_related("blob"),
        "changes": selectors.public_schedule_changes(tender),
        "participation": mine,
        "insider": insider,
        "questions": tender.questions.all() if (mine or insider) else None,
        "question_form": QuestionForm() if mine and status.is_open("clarification") else None,
        # The pact's text is shown before it can be signed; once signed, when (issue 15).
        **pact_context(user, tender, IntegrityPact.SignerRole.PROVIDER),
        "can_participate": user.is_authenticated and Cap.PARTICIPATE in user.capabilities(),
    }
    for extra in hooks.tender_public_context.call(tender):
        context.update(extra)
    return render(request, "tenders/public_detail.html", context)


def _act(request, code: str, action, success: str):
    tender = announced_tender_or_404(code)
    return act_and_redirect(request, lambda: action(tender), success, "tenders:public_detail", code)


@requires(Cap.PARTICIPATE)
@require_POST
def sign_pact(request, code: str):
    return _act(
        request,
        code,
        lambda t: services.pact_sign(actor=request.user, tender=t),
        _("You signed the integrity pact."),
    )


@requires(Cap.PARTICIPATE)
@require_POST
def register(request, code: str):
    return _act(
        request,
        code,
        lambda t: participation.participation_register(actor=request.user, tender=t),
        _("You are registered for this tender."),
    )


@requires(Cap.PARTICIPATE)
@require_POST
def ask(request, code: str):
    form = QuestionForm(request.POST)
    text = form.data.get("text", "")
    return _act(
        request,
        code,
        lambda t: participation.question_ask(actor=request.user, tender=t, text=text),
        _("Your question was sent to the committee."),
    )


@requires(AUTHENTICATED)
def document_download(request, pk: int):
    document = get_object_or_404(
        TenderDocument.objects.select_related("tender", "blob", "tender__package"), pk=pk
    )
    try:
        # The download is recorded only with the file opened: a store that is down
        # (StorageUnavailable, a 503 page from core.middleware) rolls the record back (issue 21).
        with transaction.atomic():
            participation.document_fetch(actor=request.user, document=document)
            stream = open_blob(document.blob)
    except DomainError as exc:
        if isinstance(exc, StorageUnavailable):
            raise
        messages.error(request, exc.message)
        return redirect("tenders:public_detail", document.tender.code)
    response = FileResponse(stream, as_attachment=True, filename=document.filename)
    response["Digest"] = f"sha-256={document.blob.sha256}"
    response["Content-MD5-Hex"] = document.blob.md5
    return response


@requires(AUTHENTICATED)
def pact_download(request, pk: int):
    pact = get_object_or_404(
        IntegrityPact.objects.select_related("tender", "tender__package", "document"), pk=pk
    )
    if pact.signer_id != request.user.pk and not is_committee_member(request.user, pact.tender):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return blob_pdf_response(
        pact.document,
        f"pakta-integritas-{pact.tender.code}-{pact.signer_id}.pdf",
        kind="integrity_pact",
    )

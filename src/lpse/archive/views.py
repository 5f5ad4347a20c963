"""The backup pages (SPEC 6, R-6.1-R-6.3): the status page, "back up now", the media log.

Who looks after backups (``archive.manage_backups``) sees and acts; the head of LPSE, whose
offline key the backups are encrypted to (``archive.view_backups``), sees the same pages
without their buttons.
"""

from __future__ import annotations

from functools import wraps

from celery.result import EagerResult
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.archive import selectors, tasks
from lpse.archive.forms import ReturnForm, TakeOutForm
from lpse.archive.models import MediaMovement, RunState
from lpse.archive.services import alerts, media
from lpse.core.calendar import wita_text
from lpse.core.capabilities import Cap, has_capability, requires
from lpse.core.feedback import submit_form

READ = (Cap.MANAGE_BACKUPS, Cap.VIEW_BACKUPS)


def backup_reader(view):
    """Either backup capability opens the page; only ``manage_backups`` gets its buttons."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not any(has_capability(request.user, cap) for cap in READ):
            raise PermissionDenied(" or ".join(READ))
        return view(request, *args, **kwargs)

    wrapper.capability = READ  # type: ignore[attr-defined]  # read by the matrix test
    return wrapper


def _can_manage(request) -> bool:
    return has_capability(request.user, Cap.MANAGE_BACKUPS)


@backup_reader
def status(request):
    now = timezone.now()
    newest = selectors.newest_verified()
    return render(
        request,
        "archive/status.html",
        {
            "can_manage": _can_manage(request),
            "alarms": alerts.backup_alarms(now),
            "last_runs": selectors.last_run_per_target(),
            "next_run": selectors.next_run_at(now),
            "interval_hours": selectors.interval().total_seconds() // 3600,
            "newest_verified": newest,
            "newest_age_hours": (now - newest.started_at).total_seconds() / 3600
            if newest
            else None,
            "runs": selectors.recent_runs(),
            "size_history": selectors.size_history(),
            "drills": selectors.recent_drills(),
            "movements": selectors.media_movements()[:10],
            "good": RunState.GOOD,
            "failed": RunState.FAILED,
        },
    )


@require_POST
@requires(Cap.MANAGE_BACKUPS)
def run_now(request):
    # Through the job queue: with a broker the worker makes it and this answers at once; in the
    # embedded mode the task runs here and its result is known when we answer.
    result = tasks.backup_now.delay(requested_by=request.user.username)
    # Only an eager result can be asked: a queued one has no result backend to ask.
    if not isinstance(result, EagerResult):
        messages.info(
            request,
            _(
                "The backup has started. It shows in the list below when it is done: reload the page."
            ),
        )
        return redirect("archive:status")
    summary = result.get()
    failed = [run["target"] for run in summary["runs"] if run["state"] != RunState.GOOD]
    if not summary["made"]:
        messages.error(request, _("No backup was made: %(reason)s") % {"reason": summary["reason"]})
    elif failed:
        messages.error(
            request,
            _("The backup failed on %(targets)s; the reason is in the list below.")
            % {"targets": ", ".join(failed)},
        )
    else:
        messages.success(
            request,
            _("Backup made and checked on %(n)d target(s).") % {"n": len(summary["runs"])},
        )
    return redirect("archive:status")


@backup_reader
def media_log(request):
    out_only = request.GET.get("shown") == "out"
    return render(
        request,
        "archive/media_log.html",
        {
            "movements": selectors.media_movements(out_only=out_only)[:200],
            "out_only": out_only,
            "can_manage": _can_manage(request),
        },
    )


@requires(Cap.MANAGE_BACKUPS)
def media_take_out(request):
    form = TakeOutForm(request.POST or None)
    title = _("Record a medium taken out")
    if request.method != "POST":
        return _form_page(request, form, title)
    return submit_form(
        request,
        form,
        lambda data: media.take_out(actor=request.user, data=media.TakeOut(**data)),
        success=_("Recorded: the medium is out."),
        done=lambda _movement: redirect("archive:media_log"),
        again=lambda form: _form_page(request, form, title),
    )


@requires(Cap.MANAGE_BACKUPS)
def media_return(request, pk: int):
    movement = get_object_or_404(MediaMovement, pk=pk)
    form = ReturnForm(request.POST or None)
    title = _("Record the return of %(medium)s") % {"medium": movement.medium}
    intro = _("Taken out on %(when)s by %(who)s.") % {
        "when": wita_text(movement.taken_out_at),
        "who": movement.taken_by,
    }
    if request.method != "POST":
        return _form_page(request, form, title, intro)
    return submit_form(
        request,
        form,
        lambda data: media.bring_back(
            actor=request.user, movement=movement, returned_at=data["returned_at"]
        ),
        success=_("Recorded: the medium is back in its place."),
        done=lambda _movement: redirect("archive:media_log"),
        again=lambda form: _form_page(request, form, title, intro),
    )


def _form_page(request, form, title: str, intro: str = ""):
    return render(
        request, "form.html", {"form": form, "title": title, "intro": intro, "submit": _("Save")}
    )

"""News pages (R-2.3, R-5.6): the public list, a post, the Atom feed; the publishers' desk."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lpse.core.capabilities import Cap, has_capability, public, requires
from lpse.core.feedback import act_and_redirect, submit_form
from lpse.news import selectors, services
from lpse.news.feeds import PublicNewsFeed
from lpse.news.forms import PostForm, WithdrawForm
from lpse.news.models import Post

_feed = PublicNewsFeed()


def _data(cleaned: dict) -> services.PostData:
    return services.PostData(**{k: cleaned[k] for k in PostForm.base_fields})


@public
def news_list(request):
    page = Paginator(selectors.visible_posts(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "news/list.html", {"page": page})


@public
def news_detail(request, pk: int):
    post = selectors.post_for_reader(request.user, pk)
    if post is None:
        raise Http404  # not published, out of its window, or for another audience
    return render(
        request,
        "news/detail.html",
        {
            "post": post,
            "can_publish": has_capability(request.user, Cap.PUBLISH_NEWS),
            "withdraw_form": WithdrawForm(),
        },
    )


@public
def feed(request):
    return _feed(request)


@requires(Cap.PUBLISH_NEWS)
def manage(request):
    state = request.GET.get("state", "")
    page = Paginator(selectors.posts_to_manage(state=state), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "news/manage.html",
        {"page": page, "state": state, "states": Post.State.choices},
    )


@requires(Cap.PUBLISH_NEWS)
def post_create(request):
    form = PostForm(request.POST or None)
    if request.method != "POST":
        return _form_page(request, form, _("Write a post"))
    return submit_form(
        request,
        form,
        lambda data: services.post_create(actor=request.user, data=_data(data)),
        success=_("Draft saved. Check it, then publish it."),
        done=lambda post: redirect("news:detail", post.pk),
        again=lambda form: _form_page(request, form, _("Write a post")),
    )


@requires(Cap.PUBLISH_NEWS)
def post_edit(request, pk: int):
    post = get_object_or_404(Post, pk=pk)
    form = PostForm(request.POST or None, initial=PostForm.initial_of(post))
    title = _("Change “%(title)s”") % {"title": post.title}
    if request.method != "POST":
        return _form_page(request, form, title)
    return submit_form(
        request,
        form,
        lambda data: services.post_update(actor=request.user, post=post, data=_data(data)),
        success=_("Post saved."),
        done=lambda post: redirect("news:detail", post.pk),
        again=lambda form: _form_page(request, form, title),
    )


def _form_page(request, form, title: str):
    return render(request, "form.html", {"form": form, "title": title, "submit": _("Save")})


@require_POST
@requires(Cap.PUBLISH_NEWS)
def publish(request, pk: int):
    post = get_object_or_404(Post, pk=pk)
    done = _("Published.")
    if post.kind == Post.Kind.ANNOUNCEMENT:
        done = (
            _("Published, and e-mailed to its audience.")
            if services.window_open(post, timezone.now())
            else _("Published; it is e-mailed to its audience when its window opens.")
        )
    return act_and_redirect(
        request,
        lambda: services.post_publish(actor=request.user, post=post),
        done,
        "news:detail",
        post.pk,
    )


@require_POST
@requires(Cap.PUBLISH_NEWS)
def withdraw(request, pk: int):
    post = get_object_or_404(Post, pk=pk)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return act_and_redirect(
        request,
        lambda: services.post_withdraw(actor=request.user, post=post, reason=reason),
        _("Withdrawn: the post is no longer shown."),
        "news:manage",
    )

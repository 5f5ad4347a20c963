"""Reads of news and announcements: what a visitor sees, what a publisher manages."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from lpse.core.capabilities import Cap, has_capability
from lpse.news.audience import audiences_of
from lpse.news.models import Post

HOME_PAGE_POSTS = 5
FEED_POSTS = 30


def _showing(now: datetime) -> Q:
    """Published and inside its window now (rule 3: the clock decides, no job flips a flag)."""
    return (
        Q(state=Post.State.PUBLISHED)
        & (Q(show_from__isnull=True) | Q(show_from__lte=now))
        & (Q(show_until__isnull=True) | Q(show_until__gt=now))
    )


def visible_posts(user, *, now: datetime | None = None) -> QuerySet[Post]:
    """The posts ``user`` may read now: pinned first, then the newest."""
    now = now or timezone.now()
    return Post.objects.filter(_showing(now), audience__in=audiences_of(user)).order_by(
        "-pinned", "-published_at", "-id"
    )


def public_feed_posts(*, now: datetime | None = None) -> QuerySet[Post]:
    """The Atom feed is anonymous: only public posts, newest first (a feed reader has no pins)."""
    now = now or timezone.now()
    return Post.objects.filter(_showing(now), audience=Post.Audience.PUBLIC).order_by(
        "-published_at", "-id"
    )[:FEED_POSTS]


def post_for_reader(user, pk: int) -> Post | None:
    """The post if ``user`` may read it: a visitor only a showing post of their audience; a
    publisher any post (to check a draft before publishing it)."""
    if has_capability(user, Cap.PUBLISH_NEWS):
        return Post.objects.filter(pk=pk).first()
    return visible_posts(user).filter(pk=pk).first()


def posts_to_manage(*, state: str = "") -> QuerySet[Post]:
    posts = Post.objects.select_related("created_by", "published_by")
    if state in Post.State.values:
        posts = posts.filter(state=state)
    return posts.order_by("-updated_at", "-id")


def home_page_posts(request) -> dict:
    """The ``core.hooks.home_page_extras`` contribution: the newest posts this visitor may read."""
    return {"news_posts": list(visible_posts(request.user)[:HOME_PAGE_POSTS])}

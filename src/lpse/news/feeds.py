"""The Atom feed of public posts: what a feed reader, another site or an archive may copy."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from lpse.news.selectors import public_feed_posts


class PublicNewsFeed(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("%(site)s: news and announcements") % {"site": settings.LPSE_SITE_NAME}

    def link(self) -> str:
        return reverse("news:list")

    def subtitle(self) -> str:
        return _("Public news and announcements of the LPSE.")

    def items(self):
        return public_feed_posts()

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        # Atom's summary is read as HTML: the plain text is escaped first, then only paragraphs
        # and line breaks are added, as on the site, so no author's text becomes markup.
        return linebreaks(item.body, autoescape=True)

    def item_link(self, item) -> str:
        return reverse("news:detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_kind_display()]

from django.apps import AppConfig


class NewsConfig(AppConfig):
    """News and announcements (R-2.3 "the site carries announcements", R-5.6 "publish procurement
    news"). The portal's home page learns of the posts through the ``core.hooks.home_page_extras``
    hook registered here, so the portal never imports this app."""

    name = "lpse.news"
    label = "news"
    verbose_name = "News and announcements"

    def ready(self) -> None:
        from lpse.core import hooks
        from lpse.news.selectors import home_page_posts

        hooks.home_page_extras.register(home_page_posts)

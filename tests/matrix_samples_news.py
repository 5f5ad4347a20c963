"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the news
pages' URL parameters (R-2.3, R-5.6). A published public post for the page everyone may read, a
draft for the publishers' edit, publish and withdraw actions."""

from __future__ import annotations

from lpse.accounts.roles import Role

OBJECT_SCOPED: dict = {}


def samples(company, make_user) -> dict[str, object]:
    from lpse.news import services
    from lpse.news.models import Post

    author = make_user(Role.APP_ADMIN)
    shown = services.post_create(
        actor=author,
        data=services.PostData(title="Sampel berita", body="Isi berita sampel."),
    )
    services.post_publish(actor=author, post=shown)
    draft = services.post_create(
        actor=author,
        data=services.PostData(title="Sampel draf", body="Isi draf.", kind=Post.Kind.NEWS),
    )
    return {
        "news:detail": {"pk": shown.pk},
        "news:edit": {"pk": draft.pk},
        "news:publish": {"pk": draft.pk},
        "news:withdraw": {"pk": draft.pk},
    }

"""Sample objects for the authorization matrix (tests/test_authorization_matrix.py): the
servicedesk pages' URL parameters. ``samples(company, make_user)`` returns values by parameter
name (``"code"``) or, for names that differ per URL, by URL name (``{"app:view": {"pk": 1}}``);
``OBJECT_SCOPED`` lists pages that check the object's owner after the capability."""

from __future__ import annotations

from lpse.accounts.roles import Role

OBJECT_SCOPED: dict = {
    "servicedesk:my_ticket": (
        frozenset({Role.PROVIDER}),
        "a requester sees only their own helpdesk tickets (R-2.1)",
    ),
}


def samples(company, make_user) -> dict[str, object]:
    from lpse.servicedesk.models import Category
    from lpse.servicedesk.rules import ticket_token
    from lpse.servicedesk.services import knowledge
    from lpse.servicedesk.services import tickets as services

    provider = make_user(Role.PROVIDER)  # the matrix's own provider: it owns the ticket
    helpdesk = make_user(Role.HELPDESK)
    own = services.ticket_submit(
        actor=provider,
        request=services.Request(
            category=Category.CONSULTATION, subject="Sampel", question="Bagaimana cara mendaftar?"
        ),
    )
    public = services.ticket_submit(
        actor=None,
        request=services.Request(
            category=Category.FEATURE_INFO,
            subject="Sampel publik",
            question="Di mana jadwal tender?",
            name="Warga",
            email="warga@example.test",
        ),
    )
    article = knowledge.article_create(
        actor=helpdesk,
        question="Bagaimana cara mendaftar?",
        answer="Klik Daftar sebagai Penyedia.",
        category=Category.CONSULTATION,
    )
    return {
        "servicedesk:my_ticket": {"number": own.number},
        "servicedesk:ticket": {"number": own.number},
        "servicedesk:public_ticket": {"number": public.number, "token": ticket_token(public)},
        "servicedesk:article_edit": {"pk": article.pk},
        "servicedesk:article_decide": {"pk": article.pk},
    }

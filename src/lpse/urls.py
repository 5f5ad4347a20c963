from functools import partial

from django.conf import settings
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from lpse.accounts.roles import ROLE_CAPABILITIES, Role
from lpse.core import views as core_views
from lpse.core.api import api
from lpse.core.capabilities import public
from lpse.portal import api as _portal_api  # noqa: F401  (registers its operations)
from lpse.portal import api_ocds as _ocds_api  # noqa: F401  (registers its operations)
from lpse.portal import views as portal_views
from lpse.portal import views_documents as documents
from lpse.portal import views_red_flag_thresholds as red_flag_thresholds
from lpse.portal import views_red_flags as red_flags
from lpse.portal import views_transparency as transparency
from lpse.tenders import api as _tenders_api  # noqa: F401  (registers its operations)

portal_patterns = (
    [
        path("", portal_views.home, name="home"),
        path("health/", portal_views.health, name="health"),
        path("ping/", portal_views.ping, name="ping"),
        path("transparansi/", transparency.transparency_page, name="transparency"),
        path("transparansi/heads.json", transparency.heads_json, name="transparency_heads_json"),
        path("transparansi/heads.atom", transparency.heads_atom, name="transparency_heads_atom"),
        path(
            "transparansi/bukti-konsistensi",
            transparency.consistency_proof,
            name="transparency_consistency",
        ),
        path(
            "transparansi/bukti-inklusi",
            transparency.inclusion_proof,
            name="transparency_inclusion",
        ),
        path("transparansi/tanda-bahaya/", red_flags.red_flags_public, name="red_flags_public"),
        path("pengawasan/tanda-bahaya/", red_flags.red_flag_list, name="red_flag_list"),
        path(
            "kelola/tanda-bahaya/ambang/",
            red_flag_thresholds.red_flag_thresholds,
            name="red_flag_thresholds",
        ),
        path(
            "pengawasan/tanda-bahaya/tender/<str:ocid>/",
            red_flags.red_flag_tender,
            name="red_flag_tender",
        ),
        path(
            "pengawasan/tanda-bahaya/instansi/<str:agency_code>/",
            red_flags.red_flag_agency,
            name="red_flag_agency",
        ),
        path("verifikasi-dokumen/", documents.document_verify, name="document_verify"),
        path(
            "verifikasi-dokumen/<str:sha256>.sig",
            documents.document_signature,
            name="document_signature",
        ),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("", include("lpse.providers.urls")),
    path("", include("lpse.catalog.urls")),
    path("", include("lpse.core.urls")),
    path("", include("lpse.tenders.urls")),
    path("", include("lpse.bids.urls")),
    path("", include("lpse.evaluation.urls")),
    path("", include("lpse.nontender.urls")),
    path("", include("lpse.servicedesk.urls")),
    path("", include("lpse.training.urls")),
    path("", include("lpse.problems.urls")),
    path("", include("lpse.news.urls")),
    path("", include("lpse.archive.urls")),
    path("", include("lpse.operations.urls")),
    path("akun/", include("lpse.accounts.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    # The scripts' messages (gettext in static/lpse/*.js), in the person's language.
    path("jsi18n/", public(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("api/v1/", api.urls),
]

if settings.LPSE_BENCH:  # the baseline view of bench/bid_intake.py, never routed in production
    urlpatterns.append(path("bench/sink/", portal_views.bench_sink, name="bench_sink"))


def _roles_allowed(capability: str) -> list[str]:
    """The names of the roles that hold ``capability``, for the 403 page."""
    return [str(Role(code).label) for code, caps in ROLE_CAPABILITIES.items() if capability in caps]


def _roles_of(user) -> list[str]:
    return [str(Role(code).label) for code in sorted(user.role_codes()) if code in Role.values]


# Error pages in the layout (issue 15). core renders them; the role names come from accounts,
# which core may not import (DESIGN "Boundaries"), so they are passed in here.
handler400 = core_views.bad_request
handler403 = partial(core_views.permission_denied, roles_allowed=_roles_allowed, roles_of=_roles_of)
handler404 = core_views.page_not_found
handler500 = core_views.server_error

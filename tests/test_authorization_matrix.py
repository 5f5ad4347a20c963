"""The authorization matrix (SPEC section 0: "Every role sees and does only what its row allows;
this is tested as a matrix (role × action → allowed/denied)"; DESIGN rule 4, "Permissions are
named capabilities").

Every URL of the site and every operation of the JSON API is requested once by every role of SPEC
section 0 and by an anonymous visitor, and the answer must be what the capability table
(``lpse.accounts.roles.ROLE_CAPABILITIES``) predicts. No endpoint is listed by hand: pages come
from walking Django's URL resolver, API operations from walking the ninja routers of every API
mounted in it. A new endpoint is therefore in the matrix as soon as it is routed, and one that
declares no capability fails it (``test_the_matrix_fails_on_an_endpoint_without_a_capability``
proves that this really happens).

Allowed means any answer except a refusal: 403, a redirect to the sign-in page (anonymous) or, in
the API, 401. An allowed request must not answer 404 or 405 either: the sample objects below exist,
so a 404 would mean the matrix tested nothing. Every significant action is audited (R-9.4), so a
refused request must leave no audit entry: it is refused before it has any effect. POST-only views
are therefore requested with POST.

Login-hour windows (R-5.7) and the staff second factor are session policy, not capabilities: the
users here have no login window, and the second factor is off in tests (conftest).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from lpse.accounts import selectors as account_selectors
from lpse.accounts import services as account_services
from lpse.accounts.models import Agency, LoginWindow, PasswordLink, User
from lpse.accounts.roles import ROLE_CAPABILITIES, Role
from lpse.catalog.models import BusinessSubField
from lpse.core.api import API_CAPABILITIES
from lpse.core.api import api as lpse_api
from lpse.core.capabilities import AUTHENTICATED, PUBLIC
from lpse.core.documents import document_issue
from lpse.core.errors import DomainError
from lpse.core.models import AuditEvent
from lpse.core.storage import store_bytes
from lpse.providers.models import Company, Verification, VerificationItem
from lpse.providers.services import registration as provider_services
from lpse.tenders.models import (
    Category,
    Committee,
    FundingSource,
    IntegrityPact,
    Package,
    Participation,
    Question,
    ScheduleChange,
    ScheduleEntry,
    Tender,
    TenderDocument,
)
from lpse.tenders.selectors.sample import sample_schedule
from tests import (
    matrix_samples_account_sessions,
    matrix_samples_accounts_lifecycle,
    matrix_samples_archive,
    matrix_samples_duties,
    matrix_samples_email_change,
    matrix_samples_evaluation,
    matrix_samples_facility,
    matrix_samples_master_data,
    matrix_samples_news,
    matrix_samples_nontender,
    matrix_samples_ocds,
    matrix_samples_operations,
    matrix_samples_ppk_handover,
    matrix_samples_red_flags,
    matrix_samples_server_room,
    matrix_samples_servicedesk,
    matrix_samples_signing_keys,
    matrix_samples_support,
    matrix_samples_training,
)
from tests.conftest import in_english

# Each app's own sample objects and object-scoped pages, kept beside this file so that work on
# one app does not touch another's samples.
SAMPLE_MODULES = (
    matrix_samples_account_sessions,
    matrix_samples_accounts_lifecycle,
    matrix_samples_archive,
    matrix_samples_email_change,
    matrix_samples_evaluation,
    matrix_samples_master_data,
    matrix_samples_duties,
    matrix_samples_facility,
    matrix_samples_news,
    matrix_samples_nontender,
    matrix_samples_ocds,
    matrix_samples_operations,
    matrix_samples_ppk_handover,
    matrix_samples_red_flags,
    matrix_samples_server_room,
    matrix_samples_servicedesk,
    matrix_samples_signing_keys,
    matrix_samples_support,
    matrix_samples_training,
)

pytestmark = pytest.mark.django_db

Capability = str | tuple[str, ...]
ANONYMOUS = "anonymous"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The matrix creates a user per role; nothing here depends on how passwords are hashed."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- the inventory: every endpoint and what it declares ----------------------------------------


@dataclass(frozen=True)
class Endpoint:
    kind: str  # "page" or "api"
    method: str  # the method the matrix uses: GET, or POST for a POST-only view
    route: str  # "/verifikasi/<int:pk>/" or "/api/v1/registrations"
    name: str  # the URL name ("providers:registration_detail"), "" when unnamed
    params: tuple[str, ...]
    capability: Capability | None

    def label(self) -> str:
        needs = "NOTHING DECLARED" if self.capability is None else self.capability
        return f"{self.kind} {self.method} {self.route} [{self.name or 'unnamed'}, needs {needs}]"


@dataclass
class Inventory:
    endpoints: list[Endpoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def pages(self) -> list[Endpoint]:
        return [e for e in self.endpoints if e.kind == "page"]

    @property
    def api(self) -> list[Endpoint]:
        return [e for e in self.endpoints if e.kind == "api"]


def declared_capability(callback: Callable) -> Capability | None:
    """The ``capability`` a view declares, looking through decorators (``__wrapped__``) and, for
    class-based views, at the class."""
    seen: set[int] = set()
    view = callback
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        for holder in (view, getattr(view, "view_class", None)):
            capability = getattr(holder, "capability", None)
            if capability:
                return capability
        view = getattr(view, "__wrapped__", None)
    return None


def allowed_methods(callback: Callable) -> frozenset[str] | None:
    """The methods a view accepts when it says so (``require_POST`` and friends, or a class-based
    view's handlers); None when it takes any."""
    view = callback
    seen: set[int] = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        code = getattr(view, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = view.__closure__[code.co_freevars.index("request_method_list")]
            return frozenset(m.upper() for m in cell.cell_contents)
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            return frozenset(
                m.upper() for m in view_class.http_method_names if hasattr(view_class, m)
            )
        view = getattr(view, "__wrapped__", None)
    return None


def _matrix_method(methods: frozenset[str] | None) -> str:
    if methods is None or "GET" in methods:
        return "GET"
    return "POST" if "POST" in methods else sorted(methods)[0]


def _pattern_params(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def _walk(patterns, prefix: str = "/", namespace: str = "", params: tuple[str, ...] = ()):
    """(route, URLPattern, full name, parameter names) for every pattern, depth first."""
    for entry in patterns:
        here = (*params, *_pattern_params(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace) if n)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner, here)
        elif isinstance(entry, URLPattern):
            name = ":".join(n for n in (namespace, entry.name) if n) if entry.name else ""
            yield prefix + str(entry.pattern), entry, name, here


def _is_ninja_operation(callback: Callable) -> bool:
    return getattr(callback, "__module__", "") == "ninja.operation"


def _ninja_api_of(pattern: URLPattern):
    """The NinjaAPI a pattern belongs to if it is ninja's ``api-root`` marker: a view that only
    exists so ninja can reverse the API's root path, and always answers 404."""
    callback = pattern.callback
    if pattern.name == "api-root" and isinstance(callback, functools.partial):
        return callback.keywords.get("api")
    return None


def _api_operations(api, root: str) -> Iterator[tuple[str, str, str]]:
    """(method, full route, path as registered) of every operation of a mounted ninja API."""
    if hasattr(api, "_get_bound_routers"):  # django-ninja ≥ 1.5
        routers = [(r.prefix, r.path_operations) for r in api._get_bound_routers()]
    else:
        routers = [(prefix, router.path_operations) for prefix, router in api._routers]
    for prefix, path_operations in routers:
        for path, path_view in path_operations.items():
            joined = "/".join(p.strip("/") for p in (prefix, path) if p.strip("/"))
            registered = "/" + joined
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method.upper(), root.rstrip("/") + registered, registered


def collect(urlconf: str | None = None) -> Inventory:
    """Every page and API operation routed by ``urlconf`` with the capability it declares; a
    problem for each one that declares none (or that the matrix could not place)."""
    inventory = Inventory()
    skipped_prefixes = tuple(
        "/" + p.strip("/") + "/" for p in (settings.STATIC_URL, settings.MEDIA_URL) if p
    )
    for route, pattern, name, params in _walk(get_resolver(urlconf).url_patterns):
        if route.startswith(skipped_prefixes) or _is_ninja_operation(pattern.callback):
            continue  # static files; API operations are listed from their routers below
        api = _ninja_api_of(pattern)
        if api is not None:
            for method, api_route, registered in _api_operations(api, route):
                capability = API_CAPABILITIES.get((method, registered)) if api is lpse_api else None
                endpoint = Endpoint(
                    "api",
                    method,
                    api_route,
                    f"{api.urls_namespace}:{registered}",
                    tuple(re.findall(r"{(?:\w+:)?(\w+)}", api_route)),
                    capability,
                )
                inventory.endpoints.append(endpoint)
                if capability is None:
                    inventory.problems.append(
                        f"{endpoint.label()}: declares no capability "
                        "(register it with lpse.core.api.api_operation(..., capability=...))"
                    )
            continue
        method = _matrix_method(allowed_methods(pattern.callback))
        endpoint = Endpoint(
            "page", method, route, name, params, declared_capability(pattern.callback)
        )
        inventory.endpoints.append(endpoint)
        if endpoint.capability is None:
            inventory.problems.append(
                f"{endpoint.label()}: declares no capability "
                "(decorate the view with lpse.core.capabilities.requires(...) or public)"
            )
    declared_api = {(e.method, e.route) for e in inventory.api if e.capability is not None}
    root = reverse(f"{lpse_api.urls_namespace}:api-root", urlconf=urlconf).rstrip("/")
    for method, path in API_CAPABILITIES:
        if (method, root + path) not in declared_api:
            inventory.problems.append(
                f"API_CAPABILITIES names {method} {path}, but no such operation is routed"
            )
    return inventory


# --- the expectation: straight from the capability table ---------------------------------------


def expected_allowed(capability: Capability | None, role: str) -> bool:
    """SPEC section 0: a role may do what its row of ROLE_CAPABILITIES allows; a tuple of
    capabilities means any one of them suffices."""
    if capability is None:
        return False  # never reached in a passing run: an undeclared endpoint is a problem
    wanted = capability if isinstance(capability, tuple) else (capability,)
    for cap in wanted:
        if cap == PUBLIC:
            return True
        if role == ANONYMOUS:
            continue
        if cap == AUTHENTICATED or cap in ROLE_CAPABILITIES[role]:
            return True
    return False


# Pages that check, after the capability, whose object it is (DESIGN rule 4: "object access is
# always scoped"). A role holding the capability may still be refused there with a 403 when the
# sample object is not its own; the roles named here own the sample object, so they must get in.
# Everywhere else the samples belong to the matrix users, so a capability holder reaches the page.
OBJECT_SCOPED: dict[str, tuple[frozenset[str], str]] = {
    "tenders:pact_download": (
        frozenset({Role.COMMITTEE}),
        "a signed pact is for its signer and the tender's committee only",
    ),
}
for _module in SAMPLE_MODULES:
    OBJECT_SCOPED.update(_module.OBJECT_SCOPED)


# --- sample values for URL parameters ----------------------------------------------------------


@dataclass
class Samples:
    """Values for URL parameters: by parameter name, and per URL name where the same name means
    different objects (``pk``) or different tokens. Real objects, so an allowed request reaches
    the view's work instead of a 404."""

    by_param: dict[str, object]
    by_name: dict[str, dict[str, object]]

    def kwargs_for(self, endpoint: Endpoint) -> dict[str, object]:
        values = {**self.by_param, **self.by_name.get(endpoint.name, {})}
        missing = [p for p in endpoint.params if p not in values]
        if missing:
            raise LookupError(
                f"{endpoint.label()}: no sample value for {', '.join(missing)}; add one to the "
                "samples fixture in tests/test_authorization_matrix.py"
            )
        return {p: values[p] for p in endpoint.params}


def registration_data(**overrides) -> provider_services.RegistrationData:
    data = {
        "legal_form": "cv",
        "name": "Sinar Maros",
        "npwp": "01.234.567.8-901.000",
        "nib": "9120001234567",
        "address": "Jl. Ratulangi 5",
        "city": "Maros",
        "phone": "0411-371000",
        "director_name": "Andi Tenri",
        "user_id": "sinarmaros",
        "sub_field_ids": [BusinessSubField.objects.get(code="K01").pk],
    }
    data.update(overrides)
    return provider_services.RegistrationData(**data)


def register_company(email: str = "direktur@sinar.test", **overrides) -> Company:
    token = provider_services.registration_start(email=email)
    return provider_services.registration_submit(token=token, data=registration_data(**overrides))


def tender_samples(company: Company, make_user) -> dict[str, object]:
    """A published tender of DPUPR with everything its pages take: a document, a signed pact, a
    participant's question and a pending schedule change. Built directly, because the matrix
    needs the objects to exist, not the flows that make them (those have their own tests).

    The owners are the matrix's own users of those roles (``make_user`` returns the same account
    again): the package belongs to the PPK, the committee has the committee member, so a role
    that holds the capability also passes the object check and reaches the page."""
    now = timezone.now()
    agency = Agency.objects.get(code="DPUPR")
    ppk = make_user(Role.PPK)
    member = make_user(Role.COMMITTEE)
    committee = Committee.objects.create(agency=agency, name="Pokja Sampel")
    committee.members.add(member)
    package = Package.objects.create(
        agency=agency,
        ppk=ppk,
        committee=committee,
        name="Rehabilitasi Jalan Sampel",
        fiscal_year=now.year,
        budget_ceiling=Decimal("1000000000"),
        owner_estimate=Decimal("900000000"),
        category=Category.WORKS,
        sub_field=BusinessSubField.objects.get(code="K01"),
        location="Maros",
        funding_source=FundingSource.APBD,
    )
    tender = Tender.objects.create(
        package=package,
        code="SAMPEL-1",
        qualification_requirements="SBU",
        state=Tender.State.PUBLISHED,
        published_at=now,
        agency=agency,
    )
    for stage, (start, end) in sample_schedule(now).items():
        ScheduleEntry.objects.create(tender=tender, stage=stage, start=start, end=end)
    blob = store_bytes(b"%PDF-1.4 sample tender document")
    document = TenderDocument.objects.create(
        tender=tender,
        kind=TenderDocument.Kind.TENDER_DOCUMENT,
        title="Dokumen tender",
        filename="dokumen-tender.pdf",
        blob=blob,
        uploaded_by=member,
        uploaded_at=now,
    )
    pact = IntegrityPact.objects.create(
        tender=tender,
        signer=member,
        signer_role=IntegrityPact.SignerRole.COMMITTEE,
        signed_at=now,
        document=blob,
    )
    participation = Participation.objects.create(tender=tender, company=company, registered_at=now)
    question = Question.objects.create(
        tender=tender, participation=participation, text="Kapan survei lapangan?", asked_at=now
    )
    change = ScheduleChange.objects.create(
        tender=tender,
        reason="Contoh perubahan jadwal",
        old_schedule={},
        new_schedule={},
        requested_by=member,
        requested_at=now,
    )
    bid, upload, opened, case = bid_samples(tender, make_user(Role.PROVIDER), blob, now)
    return {
        "bids:unopenable_request": {"pk": opened.pk},
        "evaluation:record": {"pk": opened.pk},
        "evaluation:correct": {"pk": opened.pk},
        "bids:unopenable_act": {"pk": case.pk},
        "bids:witness_report": {"pk": case.pk},
        "code": tender.code,
        "upload_id": upload.id,
        "bids:receipt_json": {"pk": bid.pk},
        "bids:receipt_pdf": {"pk": bid.pk},
        "bids:receipt_log_proof": {"pk": bid.pk},
        "package_pk": package.pk,
        "question_pk": question.pk,
        "tenders:document_download": {"pk": document.pk},
        "tenders:pact_download": {"pk": pact.pk},
        "tenders:package_detail": {"pk": package.pk},
        "tenders:schedule_change_decide": {"pk": change.pk},
    }


def bid_samples(tender, provider: User, blob, now):
    """The matrix's own provider takes part in the sample tender with a bid and an upload in
    progress, and the tender has an opening report: so every bids page has its object, owned
    by the role that may see it."""
    from lpse.bids.models import Bid, OpenedBid, Opening, UnopenableCase, Upload

    company = Company.objects.create(
        user=provider,
        state=Company.State.VERIFIED,
        legal_form="cv",
        name="Matriks Jaya",
        npwp="034567890123000",
        nib="1",
        address="Jl. Sampel",
        city="Maros",
        phone="1",
        email=provider.email,
        director_name="Sampel",
        registered_at=now,
        verify_by=now,
        forms_ref="ref-matriks",
    )
    Participation.objects.create(tender=tender, company=company, registered_at=now)
    bid = Bid.objects.create(
        tender=tender,
        company=company,
        submitted_by=provider,
        envelope=blob,
        submitted_at=now,
        receipt={
            "bid": 1,
            "tender": tender.code,
            "provider": company.name,
            "user_id": provider.username,
            "md5": blob.md5,
            "sha256": blob.sha256,
            "size": blob.size,
            "received_at": now.isoformat(),
            "signature": "",
        },
    )
    upload = Upload.objects.create(tender=tender, company=company, user=provider, length=1000)
    Opening.objects.create(tender=tender, state=Opening.State.OPENED, opened_at=now, report=blob)
    opened = OpenedBid.objects.create(
        bid=bid, opened_at=now, problem="corrupted", problem_message="sample"
    )
    case = UnopenableCase.objects.create(
        opened_bid=opened, requested_by=provider, requested_at=now, witness_report=blob
    )
    from lpse.evaluation.models import TenderOutcome

    TenderOutcome.objects.create(
        tender=tender,
        state=TenderOutcome.State.WINNER_DETERMINED,
        winner=bid,
        decided_by=provider,
        decided_at=now,
        report=blob,
    )
    return bid, upload, opened, case


@pytest.fixture
def samples(reference_data, make_user, settings, tmp_path) -> Samples:
    settings.MEDIA_ROOT = tmp_path / "media"  # sample files never land in the data directory
    company = register_company()  # awaiting verification
    assert company.state == Company.State.AWAITING_VERIFICATION
    invite_token = provider_services.registration_start(email="calon@penyedia.test")
    # Someone outside the matrix owns the login window and the password link, so that neither
    # restricts nor touches the users under test.
    bystander = make_user(Role.TRAINER, username="pelatih-sampel")
    window = LoginWindow.objects.create(
        user=bystander, weekdays="1234567", start="00:00", end="23:59"
    )
    password_token = account_services.password_link_send(
        user=bystander, purpose=PasswordLink.Purpose.RESET
    )
    tenders = tender_samples(company, make_user)
    for module in SAMPLE_MODULES:
        tenders.update(module.samples(company, make_user))
    return Samples(
        by_param={
            "kind": "pendaftaran",
            "ref": company.forms_ref,
            **{k: v for k, v in tenders.items() if ":" not in k},
        },
        by_name={
            **{k: v for k, v in tenders.items() if ":" in k},
            "providers:register_form": {"token": invite_token},
            "providers:registration_detail": {"pk": company.pk},
            "providers:checklist_toggle": {"pk": VerificationItem.objects.first().pk},
            "accounts:set_password": {"token": password_token},
            "accounts:login_window_delete": {"pk": window.pk},
            "portal:document_signature": {
                "sha256": document_issue(b"%PDF-1.4 sample", kind="sample").sha256
            },
        },
    )


def concrete_url(endpoint: Endpoint, samples: Samples) -> str:
    kwargs = samples.kwargs_for(endpoint)
    if endpoint.kind == "page" and endpoint.name:
        return reverse(endpoint.name, kwargs=kwargs)
    return re.sub(
        r"<(?:\w+:)?(\w+)>|{(?:\w+:)?(\w+)}",
        lambda m: str(kwargs[m.group(1) or m.group(2)]),
        endpoint.route,
    )


# --- running the matrix ------------------------------------------------------------------------


def _is_login_redirect(response) -> bool:
    return response.status_code in (301, 302, 303, 307, 308) and urlsplit(
        response["Location"]
    ).path == resolve_url(settings.LOGIN_URL)


def _refused(endpoint: Endpoint, response, anonymous: bool) -> bool:
    if endpoint.kind == "api":
        return response.status_code in ((401, 403) if anonymous else (403,))
    return _is_login_redirect(response) if anonymous else response.status_code == 403


def _machine_token(url: str) -> bool:
    """A view authenticated by a machine's token (``view.machine_token``), not a person's
    capability: its refusal is a 401 whoever asks."""
    from django.urls import resolve

    return getattr(resolve(urlsplit(url).path).func, "machine_token", False)


def _describe(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        return f"{response.status_code} → {response['Location']}"
    return str(response.status_code)


def run_matrix(role: str, user: User | None, inventory: Inventory, samples: Samples) -> list[str]:
    """Request every endpoint as ``user`` and return a line for each answer that disagrees with
    the capability table."""
    client = in_english(Client())
    anonymous = user is None
    mismatches = list(inventory.problems)
    for endpoint in inventory.endpoints:
        if endpoint.capability is None:
            continue  # already a problem above
        try:
            url = concrete_url(endpoint, samples)
        except LookupError as exc:
            mismatches.append(str(exc))
            continue
        if user is not None:
            client.force_login(user)  # again each time: the sign-out view ends the session
        audit_before = AuditEvent.objects.count()
        response = client.generic(endpoint.method, url)
        allowed = expected_allowed(endpoint.capability, role)
        where = f"{endpoint.method} {url} ({endpoint.label()})"
        owners, _why = OBJECT_SCOPED.get(endpoint.name, (None, ""))
        if allowed and owners is not None and role not in owners and response.status_code == 403:
            pass  # past the capability check, refused by the object's scope: see OBJECT_SCOPED
        elif allowed and response.status_code == 401 and _machine_token(url):
            pass  # a device's API (R-4.3): reached by anyone, refused without the device's token
        elif allowed:
            if _refused(endpoint, response, anonymous) or response.status_code in (401, 403):
                mismatches.append(f"{where}: should be allowed, got {_describe(response)}")
            elif response.status_code in (404, 405):
                mismatches.append(
                    f"{where}: allowed, but answered {response.status_code}: the sample "
                    "object or the method is wrong, so nothing was tested"
                )
        else:
            if not _refused(endpoint, response, anonymous):
                wanted = (
                    "401/403"
                    if endpoint.kind == "api" and anonymous
                    else "a redirect to sign in"
                    if anonymous
                    else "403"
                )
                mismatches.append(
                    f"{where}: should be refused with {wanted}, got {_describe(response)}"
                )
            elif AuditEvent.objects.count() != audit_before:
                mismatches.append(f"{where}: refused, but only after recording an audit event")
    return mismatches


@pytest.fixture
def demo_mode(settings):
    """The outbox page exists only in demo mode; turn it on so it is in the matrix."""
    settings.LPSE_DEMO = True


ROLES = [ANONYMOUS, *Role.values]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_its_capabilities_allow(role, make_user, samples, demo_mode):
    """SPEC section 0: every page and API operation × this role → the table's allow or deny."""
    user = None if role == ANONYMOUS else make_user(role)
    inventory = collect()
    mismatches = run_matrix(role, user, inventory, samples)
    assert not mismatches, f"authorization matrix, role {role}:\n" + "\n".join(mismatches)


def test_every_url_and_api_operation_declares_a_capability(client):
    """DESIGN rule 4: every view and API endpoint declares the capability it needs."""
    inventory = collect()
    assert not inventory.problems, "\n".join(inventory.problems)
    assert len(inventory.pages) >= 25 and len(inventory.api) >= len(API_CAPABILITIES)
    # The one ninja view left out of the matrix is its root marker, and it serves nothing.
    assert client.get(reverse(f"{lpse_api.urls_namespace}:api-root")).status_code == 404


def test_the_matrix_settings_name_only_routed_urls(samples):
    """A renamed URL must not leave a stale sample or object-scope entry behind."""
    routed = {e.name for e in collect().endpoints}
    assert set(OBJECT_SCOPED) <= routed
    assert set(samples.by_name) <= routed


def test_the_matrix_sees_post_only_views_and_uses_post_for_them():
    methods = {e.name: e.method for e in collect().pages}
    assert methods["accounts:logout"] == "POST"
    assert methods["accounts:login_window_delete"] == "POST"
    assert methods["providers:checklist_toggle"] == "POST"
    assert methods["providers:queue"] == "GET"


def test_the_matrix_fails_on_an_endpoint_without_a_capability(samples, demo_mode):
    """A page view and an API operation registered without a capability are both reported, by
    the inventory and by the matrix run itself."""
    urlconf = "tests.authz_undeclared_urls"
    problems = "\n".join(collect(urlconf).problems)
    assert "/undeclared/" in problems
    assert "/undeclared-api/secret" in problems
    with override_settings(ROOT_URLCONF=urlconf):
        mismatches = "\n".join(run_matrix(ANONYMOUS, None, collect(), samples))
    assert "/undeclared/" in mismatches
    assert "/undeclared-api/secret" in mismatches


def test_the_matrix_fails_when_a_view_lets_in_a_role_the_table_does_not(samples, make_user):
    """The expectation really comes from ROLE_CAPABILITIES: take a capability away from a role in
    the table, and the role's successful visit becomes a mismatch."""
    user = make_user(Role.AUDITOR)
    inventory = collect()
    trimmed = {**ROLE_CAPABILITIES, Role.AUDITOR: frozenset()}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys.modules[__name__], "ROLE_CAPABILITIES", trimmed)
        mismatches = "\n".join(run_matrix(Role.AUDITOR, user, inventory, samples))
    assert "/admin-lpse/audit/" in mismatches
    assert "should be refused" in mismatches


# --- object scoping (SPEC section 0, R-8.1) ----------------------------------------------------


def test_an_agency_admin_sees_only_the_staff_of_their_own_agency(client, make_user):
    admin_a = make_user(Role.AGENCY_ADMIN)  # DPUPR
    ppk_a = make_user(Role.PPK, username="ppk-dpupr")
    ppk_b = make_user(Role.PPK, username="ppk-disdik", agency_code="DISDIK")
    verifier = make_user(Role.VERIFIER, username="verifikator-lpse")

    visible = set(account_selectors.staff_visible_to(admin_a).values_list("username", flat=True))
    assert visible == {admin_a.username, ppk_a.username}

    client.force_login(admin_a)
    page = client.get(reverse("accounts:staff_list")).content.decode()
    assert ppk_a.username in page
    assert ppk_b.username not in page
    assert verifier.username not in page


def test_an_agency_admin_cannot_create_staff_for_another_agency(client, make_user):
    admin_a = make_user(Role.AGENCY_ADMIN)  # DPUPR
    other = Agency.objects.get(code="DISDIK")
    with pytest.raises(DomainError, match="your own agency"):
        account_services.staff_create(
            actor=admin_a,
            username="ppk-baru",
            email="ppk-baru@disdik.test",
            first_name="Baru",
            last_name="",
            roles={Role.PPK},
            agency=other,
        )
    with pytest.raises(DomainError, match="may not give"):
        account_services.staff_create(
            actor=admin_a,
            username="verifikator-baru",
            email="v@lpse.test",
            first_name="Baru",
            last_name="",
            roles={Role.VERIFIER},
        )
    # The page offers only the own agency, so a forged choice is an invalid form, not an account.
    client.force_login(admin_a)
    response = client.post(
        reverse("accounts:staff_create"),
        {
            "username": "ppk-baru",
            "email": "ppk-baru@disdik.test",
            "first_name": "Baru",
            "roles": [Role.PPK],
            "agency": other.pk,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username__in=["ppk-baru", "verifikator-baru"]).exists()


def test_a_verifier_cannot_create_staff(client, make_user):
    verifier = make_user(Role.VERIFIER)
    with pytest.raises(DomainError):
        account_services.staff_create(
            actor=verifier,
            username="kawan",
            email="kawan@lpse.test",
            first_name="Kawan",
            last_name="",
            roles={Role.VERIFIER},
        )
    client.force_login(verifier)
    assert client.get(reverse("accounts:staff_create")).status_code == 403
    response = client.post(
        reverse("accounts:staff_create"),
        {"username": "kawan", "email": "kawan@lpse.test", "first_name": "K", "roles": ["verifier"]},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="kawan").exists()


def test_helpdesk_sees_a_registration_but_cannot_decide_it(client, make_user, reference_data):
    """R-1.5: only a verifier records the verification decision; the helpdesk may look."""
    company = register_company()
    helpdesk = make_user(Role.HELPDESK)
    client.force_login(helpdesk)
    url = reverse("providers:registration_detail", args=[company.pk])
    assert client.get(url).status_code == 200

    decision = {"outcome": Verification.Outcome.COMPLETE, "reason": ""}
    for item in VerificationItem.objects.filter(active=True):
        decision[f"ok_{item.pk}"] = "on"
    audit_before = AuditEvent.objects.count()
    assert client.post(url, decision).status_code == 403
    company.refresh_from_db()
    assert company.state == Company.State.AWAITING_VERIFICATION
    assert not Verification.objects.filter(company=company).exists()
    assert AuditEvent.objects.count() == audit_before

    # The same decision from a verifier is recorded: the refusal above was about who asked.
    client.force_login(make_user(Role.VERIFIER))
    assert client.post(url, decision).status_code == 302
    assert Verification.objects.filter(company=company).exists()

"""Hook registries: how a lower layer lets a higher one join in without importing it.

DESIGN "Boundaries": tenders must not import bids or evaluation, yet publishing a tender makes
its bid key (bids), a schedule change tells the providers who already bid (bids), and the public
tender page shows the results (evaluation). The lower app declares a hook here; the higher app
registers a function in its ``AppConfig.ready``. A hook is called synchronously inside the
caller's transaction, so an exception in a registered function rolls the whole write back —
unlike a ``post_save`` signal, a hook is part of the service it is called from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    """A named list of functions with the same signature, called in registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._functions: list[Callable[P, R]] = []

    def register(self, function: Callable[P, R]) -> Callable[P, R]:
        if function not in self._functions:  # ready() may run twice in tests
            self._functions.append(function)
        return function

    def call(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        return [function(*args, **kwargs) for function in self._functions]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._functions)} registered>"


# The home page's extra context (the demo app adds its accounts in demo mode): f(request) → dict.
home_page_extras: Hook[[Any], dict[str, Any]] = Hook("home_page_extras")

# Publishing a tender (inside its transaction): the bids app makes the tender's bid key.
# f(*, actor, tender) → None
tender_publishing: Hook[..., None] = Hook("tender_publishing")

# Addresses of the providers who already bid on a tender, told of a schedule change:
# f(tender) → set of e-mail addresses (the bids app).
tender_bidder_emails: Hook[[Any], set[str]] = Hook("tender_bidder_emails")

# Extra context of the public tender page: f(tender) → dict (evaluation adds the results, R-8.5).
tender_public_context: Hook[[Any], dict[str, Any]] = Hook("tender_public_context")

# Work a person still holds that would be orphaned if their account were deactivated or a role
# taken away (accounts sits below the apps that know what work is): f(*, user, roles) → a list
# of sentences naming the work and what to do; ``roles`` are the roles being given up (all of
# the person's when the account is deactivated). An empty list from every function lets it go.
account_open_work: Hook[..., list[str]] = Hook("account_open_work")

# A committee member about to leave a committee (tenders cannot see bids): f(*, committee,
# member) → a list of sentences, one per reason the member cannot leave yet (the bids app: a
# share of the opening key of a tender whose bids are not opened, R-9.2).
committee_member_leaving: Hook[..., list[str]] = Hook("committee_member_leaving")

# The companies that take part in an agency's procurement (tenders: registered participants):
# f(agency) → a queryset of company ids. providers sits below tenders and asks through this
# whom an agency administrator may see (the e-mail change history, R-3.2).
agency_companies: Hook[[Any], Any] = Hook("agency_companies")

# A PPK about to hand a package to a committee (inside package_assign, R-8.1): f(*, package) →
# None, or a DomainError when the package already went another way (the nontender app: it was
# handed to a procurement officer, R-8.6).
package_assigning: Hook[..., None] = Hook("package_assigning")

# Who opens a tender's bids when it is not its committee (tenders sits below nontender): f(tender)
# → the users, or None when the tender is not theirs. The nontender app: the procurement officer
# of the procurement a backing tender carries.
tender_openers: Hook[[Any], Any] = Hook("tender_openers")

# The bids of a tender were opened (inside the opening's transaction): f(*, tender, actor) → None.
# The nontender app records each opened price as the procurement's offer.
bids_opened: Hook[..., None] = Hook("bids_opened")

# Where a tender's participants follow it when it has no public page (tenders sits below
# nontender): f(tender) → the absolute URL, or None when the tender is not theirs. The nontender
# app: a backing tender's invited providers follow it on their invitations page.
tender_participant_url: Hook[[Any], str | None] = Hook("tender_participant_url")

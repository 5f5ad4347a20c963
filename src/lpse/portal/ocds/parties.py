"""The organisations of a release (OCDS ``parties``) and the references to them."""

from __future__ import annotations

from typing import Any


def agency_party(agency) -> dict[str, Any]:
    return {
        "id": f"agency-{agency.code}",
        "name": agency.name,
        "identifier": {"id": agency.code, "legalName": agency.name},
        "roles": ["buyer"],
    }


def committee_party(package) -> dict[str, Any] | None:
    committee = package.committee
    if committee is None:
        return None
    return {
        "id": f"committee-{committee.pk}",
        "name": f"{committee.name} ({committee.agency.name})",
        "roles": ["procuringEntity"],
    }


def company_party(company, roles: list[str]) -> dict[str, Any]:
    # The NPWP (tax number) identifies a company in Indonesia; no org-id.guide scheme is named.
    return {
        "id": f"npwp-{company.npwp}",
        "name": company.name,
        "identifier": {"id": company.npwp, "legalName": company.name},
        "address": {"locality": company.city, "countryName": "Indonesia"},
        "roles": roles,
    }


def ref(party: dict[str, Any]) -> dict[str, str]:
    return {"id": party["id"], "name": party["name"]}


def merged(parties: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
    """One entry per party id, the roles joined (a bidder that wins is tenderer and supplier)."""
    by_id: dict[str, dict[str, Any]] = {}
    for party in parties:
        if party is None:
            continue
        if party["id"] in by_id:
            roles = by_id[party["id"]]["roles"]
            roles.extend(r for r in party["roles"] if r not in roles)
        else:
            by_id[party["id"]] = {**party, "roles": list(party["roles"])}
    return list(by_id.values())


def officer_party(procurement) -> dict[str, Any]:
    """The procuring entity of a non-tender procurement (R-8.6): its procurement officer, named
    by office and agency as a committee is (a person's name is not the release's business). One
    officer or a team, it is the procurement's own: identified by the procurement's code."""
    agency = procurement.package.agency
    return {
        "id": f"procurement-officer-{procurement.code}",
        "name": f"Pejabat Pengadaan ({agency.name})",
        "roles": ["procuringEntity"],
    }

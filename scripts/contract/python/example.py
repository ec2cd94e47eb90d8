"""What a team app written in Python does with the contract, through a client generated from
openapi/openapi.json by openapi-python-client (into target/contract/python-client): search near a
postcode, fetch the same search as GeoJSON for a map, page through a listing, ask for suggestions
that fit a person and, as an agency, add a listing. No casts: every value is narrowed with
isinstance against the generated types, and `mypy --strict` checks this file against them.

Usage: CA_BASE_URL=http://127.0.0.1:8080 CA_ADMIN_KEY=ca_... python example.py
"""

import os
import sys

from community_assets_client import AuthenticatedClient, Client
from community_assets_client.api.api_keys import create_api_key
from community_assets_client.api.assets import create_asset, search_assets, search_assets_geo_json
from community_assets_client.api.matching import match_assets
from community_assets_client.api.organizations import create_organization
from community_assets_client.models import (
    ApiKeyCreated,
    ApiKeyInput,
    AssetInput,
    AssetKind,
    AssetView,
    CostInput,
    FeatureCollection,
    GeometryType0,
    LocationInput,
    MatchRequest,
    MatchResponse,
    OrganizationInput,
    OrganizationRole,
    OrganizationView,
    Problem,
    SearchResults,
)
from community_assets_client.types import UNSET, Unset

POSTCODE = "M32 0JG"


def explain(problem: Problem | None) -> str:
    if problem is None:
        return "no answer the document describes"
    errors = [] if isinstance(problem.errors, Unset) else problem.errors
    return "; ".join([problem.title, *(f"{e.field}: {e.reason}" for e in errors)])


def football_near(client: Client) -> list[str]:
    page = search_assets.sync(client=client, postcode=POSTCODE, radius_km=3, interest=["football"], limit=5)
    if not isinstance(page, SearchResults):
        raise RuntimeError(explain(page))
    return [f"{hit.title} ({hit.distance_km} km)" for hit in page.items]


def map_near(client: Client) -> list[str]:
    collection = search_assets_geo_json.sync(client=client, postcode=POSTCODE, limit=5)
    if not isinstance(collection, FeatureCollection):
        raise RuntimeError(explain(collection))
    lines = []
    for feature in collection.features:
        where = feature.geometry.coordinates if isinstance(feature.geometry, GeometryType0) else "no point"
        lines.append(f"{feature.properties.title} at {where} ({feature.properties.url})")
    return lines


def everything_near(client: Client) -> int:
    """Every asset within 2 km, page by page along next_cursor: none twice, none missed."""
    seen: set[str] = set()
    cursor: str | Unset = UNSET
    while True:
        page = search_assets.sync(client=client, postcode=POSTCODE, radius_km=2, limit=10, cursor=cursor)
        if not isinstance(page, SearchResults):
            raise RuntimeError(explain(page))
        for hit in page.items:
            if str(hit.id) in seen:
                raise RuntimeError(f"{hit.id} came twice")
            seen.add(str(hit.id))
        if not isinstance(page.next_cursor, str):
            return len(seen)
        cursor = page.next_cursor


def suggestions(client: Client) -> list[str]:
    request = MatchRequest(location=LocationInput(postcode=POSTCODE), interests=["football", "singing"], limit=5)
    answer = match_assets.sync(client=client, body=request)
    if not isinstance(answer, MatchResponse):
        raise RuntimeError(explain(answer))
    return [f"{r.rank}: {r.asset.title} — {'; '.join(r.reasons)}" for r in answer.results]


def agency_adds_a_listing(base_url: str, admin_key: str) -> str:
    admin = AuthenticatedClient(base_url=base_url, token=admin_key)
    org = create_organization.sync(client=admin, body=OrganizationInput(name="Contract Check Book Club", trusted=True))
    if not isinstance(org, OrganizationView):
        raise RuntimeError(explain(org))
    key = create_api_key.sync(org.id, client=admin, body=ApiKeyInput(name="python contract check", role=OrganizationRole.AGENCY))
    if not isinstance(key, ApiKeyCreated):
        raise RuntimeError(explain(key))
    agency = AuthenticatedClient(base_url=base_url, token=key.secret)
    listing = AssetInput(
        kind=AssetKind.GROUP, title="Monday book club", interests=["reading"], online=True, cost=CostInput(free=True)
    )
    created = create_asset.sync(client=agency, body=listing)
    if not isinstance(created, AssetView):
        raise RuntimeError(explain(created))
    return f"{created.title} ({created.status}) for {created.organization.name}"


def main() -> None:
    base_url = os.environ.get("CA_BASE_URL", "http://127.0.0.1:8080")
    admin_key = os.environ.get("CA_ADMIN_KEY")
    if not admin_key:
        sys.exit("CA_ADMIN_KEY is needed for the agency write")
    client = Client(base_url=base_url)
    for line in football_near(client):
        print(f"search: {line}")
    features = map_near(client)
    for line in features:
        print(f"geojson: {line}")
    if not features:
        raise RuntimeError("no map features near the demo postcode")
    print(f"paged: {everything_near(client)} assets within 2 km, each once")
    matched = suggestions(client)
    for line in matched:
        print(f"match {line}")
    if not matched:
        raise RuntimeError("no suggestions for the demo person")
    print(f"agency write: {agency_adds_a_listing(base_url, admin_key)}")


if __name__ == "__main__":
    main()

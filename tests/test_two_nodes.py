"""Two application nodes in one test (issue 19, R-9.11): two real ``lpse serve`` processes on
different ports, sharing one PostgreSQL database, Redis and a SeaweedFS bucket, each with its
own empty data folder. A provider's chunks alternate between them; the bid is accepted once,
with one receipt that either node shows; a node killed mid-upload is resumed on the other; the
committee opens the bids through the other node; and no blob, chunk or part file lands in either
data folder. The nodes' environment is tests/nodes.py's, shared with bench/deadline_rush.py.

PostgreSQL is needed (SQLite is one machine's database): a throw-away database on the server of
DATABASE_URL, or on 127.0.0.1:5432 when the suite runs on SQLite; skipped if there is none."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

from tests.bid_fixtures import fixture_signing_key, seal
from tests.nodes import Bucket, node_env, node_files, shared_env
from tests.test_bid_faults import (
    SCRIPT,
    Provider,
    Server,
    Site,
    _envelope,
    _postgres_database,
)

MiB = 1024 * 1024
PROVIDERS = ("alternating", "node-killed", "opened")
LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
# The set-up travels in time to prepare the tender; its S3 requests are signed with the real
# clock (tests/s3server.py), as a node's are.
SETUP = "import tests.s3server  # noqa\n" + SCRIPT


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    url = url if url.startswith(("postgres://", "postgresql://")) else LOCAL_POSTGRES
    # The server's maintenance database: the suite's own may not exist yet (pytest-django
    # makes test_<name>), and the nodes get a throw-away database of their own anyway.
    url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception as exc:  # any reason there is no server to use
        if os.environ.get("LPSE_REQUIRE_FAULTS"):
            raise
        pytest.skip(f"no PostgreSQL for the two-node test: {exc}")
    return url


def _redis_url() -> str:
    return os.environ.get("LPSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


class Nodes:
    def __init__(self, site_a: Site, site_b: Site, data_dirs: list[Path], bucket: Bucket, s3):
        self.a, self.b = site_a, site_b
        self.data_dirs = data_dirs
        self.bucket, self.s3 = bucket, s3


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, s3_server):
    root = tmp_path_factory.mktemp("two-nodes")
    bucket = Bucket(
        name=s3_server.make_bucket(f"two-nodes-{secrets.token_hex(6)}"),
        endpoint=s3_server.endpoint,
        access_key=s3_server.access_key,
        secret_key=s3_server.secret_key,
    )
    database, drop = _postgres_database(_postgres_url())
    shared = shared_env(
        dict(os.environ),
        database_url=database,
        cache_url=_redis_url(),
        bucket=bucket,
        secrets_dir=root / "secrets",
    )
    shared["CELERY_BROKER_URL"] = "memory://"  # no job scheduler beside gunicorn: not tested here
    # The members' sessions are made by force_login, without the staff second factor, as the
    # suite's are (tests/conftest.py); the second factor has its own tests.
    shared["LPSE_STAFF_2FA"] = "false"
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, *PROVIDERS],
        env={
            **shared,
            "LPSE_DATA_DIR": str(root / "setup-data"),
            "LPSE_SCRATCH_DIR": str(root / "setup-tmp"),
        },
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert setup.returncode == 0, setup.stderr
    info = json.loads(setup.stdout.strip().splitlines()[-1])
    sites, data_dirs = [], []
    try:
        for name in ("node-a", "node-b"):
            env = node_env(shared, root / name, name)
            data_dir = Path(env["LPSE_DATA_DIR"])
            server = Server(env=env, data_dir=data_dir)
            server.start()
            sites.append(Site(server=server, env=env, **info))
            data_dirs.append(data_dir)
        yield Nodes(sites[0], sites[1], data_dirs, bucket, s3_server)
    finally:
        for site in sites:
            site.server.kill()
        drop()
        s3_server.delete_bucket(bucket.name)


def _signature(site: Site, provider: str, data: bytes) -> str:
    from lpse.bids import signatures

    npwp = site.providers[provider]["npwp"]
    return signatures.sign(
        fixture_signing_key(npwp),
        tender_code=site.tender,
        npwp=npwp,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def _alternating_upload(nodes: Nodes, provider: str, data: bytes) -> tuple[str, list]:
    """Upload ``data`` in four chunks, created on node A and sent to B, A, B, A: the upload's
    URL and each PATCH's (status, answer)."""
    on_a, on_b = Provider(nodes.a, provider), Provider(nodes.b, provider)
    step = len(data) // 4 + 1
    url = on_a.create(len(data))
    pieces = [(i, data[i : i + step]) for i in range(0, len(data), step)]
    answers = []
    for n, (offset, piece) in enumerate(pieces):
        browser = on_b if n % 2 == 0 else on_a  # first chunk on the node that did not create it
        last = offset + len(piece) == len(data)
        signature = _signature(nodes.a, provider, data) if last else ""
        answers.append(browser.patch(url, offset, piece, signature=signature))
    return url, answers


def test_R_9_11_chunks_alternate_between_two_nodes_and_the_bid_is_accepted_once(nodes):
    on_a = Provider(nodes.a, "alternating")
    data = _envelope(nodes.a, 3 * MiB)
    url, answers = _alternating_upload(nodes, "alternating", data)
    *middle, (status, body) = answers
    assert all(s == 200 for s, _ in middle), middle
    assert status == 201, body
    sha256 = hashlib.sha256(data).hexdigest()
    assert body["receipt"]["sha256"] == sha256 and body["receipt"]["size"] == len(data)
    assert body["receipt"]["md5"] == hashlib.md5(data).hexdigest()  # recomputed in one pass
    assert nodes.a.bids_of("alternating") == [(body["bid"], "active", sha256)]  # exactly one
    # Either node shows the same receipt for the upload.
    for site in (nodes.a, nodes.b):
        status, state = site.server.request("GET", url, headers=on_a.headers())
        assert status == 200 and state["state"] == "accepted", state
        assert state["receipt"] == body["receipt"]
    # Finishing again on the other node is told it is finished: still one bid.
    status, again = on_a.patch(
        url, len(data), b"", signature=_signature(nodes.a, "alternating", data)
    )
    assert again["code"] == "finished" and len(nodes.b.bids_of("alternating")) == 1
    for folder in nodes.data_dirs:
        assert node_files(folder) == [], folder  # no blob, chunk or part file on either node


def test_R_9_11_a_node_killed_mid_upload_is_resumed_on_the_other(nodes):
    on_a, on_b = Provider(nodes.a, "node-killed"), Provider(nodes.b, "node-killed")
    data = _envelope(nodes.a, 2 * MiB)
    half = len(data) // 2
    url = on_a.create(len(data))
    status, body = on_a.patch(url, 0, data[:half])
    assert (status, body["offset"]) == (200, half), body
    nodes.a.server.kill()  # kill -9: master and worker
    try:
        assert on_b.offset(url) == half  # the other node knows where it is
        status, body = on_b.patch(
            url, half, data[half:], signature=_signature(nodes.b, "node-killed", data)
        )
        assert status == 201, body
        sha256 = hashlib.sha256(data).hexdigest()
        assert nodes.b.bids_of("node-killed") == [(body["bid"], "active", sha256)]
    finally:
        nodes.a.server.start()
    for folder in nodes.data_dirs:
        assert node_files(folder) == [], folder


# --- the opening on the other node ----------------------------------------------------------


def _sql(site: Site, query: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(site.env["DATABASE_URL"]) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _opening_starts_now(site: Site) -> list[tuple]:
    """Bid submission closes and the opening stage begins, by the database's clock: the
    schedule rows are written directly (a published schedule only moves through a schedule
    change with its reason, which would not make it this short; bench/deadline_rush.py does the
    same). Returns the rows as they were, for ``_restore``."""
    where = "tender_id = (SELECT id FROM tenders_tender WHERE code = %s) AND stage = %s"
    before = _sql(
        site,
        'SELECT stage, start, "end" FROM tenders_scheduleentry WHERE tender_id = '
        "(SELECT id FROM tenders_tender WHERE code = %s) AND stage IN "
        "('bid_submission', 'bid_opening')",
        [site.tender],
    )
    moment = "now() - interval '2 seconds'"
    _sql(
        site,
        f'UPDATE tenders_scheduleentry SET "end" = {moment} WHERE {where}',
        [site.tender, "bid_submission"],
    )
    _sql(
        site,
        f"UPDATE tenders_scheduleentry SET start = {moment} WHERE {where}",
        [site.tender, "bid_opening"],
    )
    return before


def _restore(site: Site, rows: list[tuple]) -> None:
    for stage, start, end in rows:
        _sql(
            site,
            'UPDATE tenders_scheduleentry SET start = %s, "end" = %s WHERE stage = %s AND '
            "tender_id = (SELECT id FROM tenders_tender WHERE code = %s)",
            [start, end, stage, site.tender],
        )


class Member:
    """A committee member's browser on one node: their session, a CSRF cookie, and what
    key-ceremony.js does with their own opening key (open the sealed share, send only it)."""

    def __init__(self, site: Site, member: dict):
        self.site, self.member = site, member
        self.csrf = secrets.token_hex(16)

    def headers(self, **extra) -> dict:
        return {
            "Cookie": f"sessionid={self.member['session']}; csrftoken={self.csrf}; "
            "django_language=en",
            **extra,
        }

    def page(self) -> str:
        status, body = self.site.server.request(
            "GET", f"/kelola/tender/{self.site.tender}/pembukaan/", headers=self.headers()
        )
        assert status == 200, body[:2000]
        return body.decode()

    def unlock(self) -> int:
        from lpse.bids import keys

        found = re.search(
            r'<script id="unlock-inputs" type="application/json">(.*?)</script>', self.page(), re.S
        )
        assert found, "no unlock form for " + self.member["username"]
        sealed = json.loads(found.group(1))["sealed_share"]
        share = keys.opened_share_text(sealed, self.member["identity"])
        status, _body = self.site.server.request(
            "POST",
            f"/kelola/tender/{self.site.tender}/pembukaan/",
            urlencode({"share": share, "csrfmiddlewaretoken": self.csrf}),
            self.headers(
                **{
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": f"http://127.0.0.1:{self.site.server.port}/",
                }
            ),
        )
        return status


def test_R_9_11_the_bids_open_on_the_other_node(nodes):
    """The bid's chunks went through both nodes; the committee unlocks and opens through node B
    alone. What opens is the bid sent (price, each document byte for byte, in the bucket), the
    report is served by node A, and no node's folder holds a blob or a copy."""
    documents = {"penawaran.pdf": os.urandom(2 * MiB), "rab.xlsx": os.urandom(300_000)}
    data = seal(nodes.a.recipient, nodes.a.tender, "987654321.25", documents=documents)
    _url, answers = _alternating_upload(nodes, "opened", data)
    status, body = answers[-1]
    assert status == 201, body
    bid = body["bid"]
    rows = _opening_starts_now(nodes.b)
    try:
        threshold = _sql(
            nodes.b,
            "SELECT k.threshold FROM bids_tenderkey k JOIN tenders_tender t ON t.id = k.tender_id "
            "WHERE t.code = %s",
            [nodes.b.tender],
        )[0][0]
        members = [Member(nodes.b, m) for m in nodes.b.members[:threshold]]
        assert [m.unlock() for m in members] == [302] * threshold
        page = members[0].page()
    finally:
        _restore(nodes.b, rows)
    opened = _sql(
        nodes.b,
        "SELECT o.total_price, o.problem, o.documents FROM bids_openedbid o WHERE o.bid_id = %s",
        [bid],
    )
    assert len(opened) == 1, opened
    price, problem, stored = opened[0]
    assert (str(price), problem) == ("987654321.25", ""), opened
    assert "987,654,321.25" in page and "rab.xlsx" in page, page
    assert {d["name"]: d["sha256"] for d in stored} == {
        name: hashlib.sha256(content).hexdigest() for name, content in documents.items()
    }
    client = nodes.s3.client()
    for document in stored:  # the documents are in the bucket, byte for byte
        key = f"lpse/blobs/{document['sha256'][:2]}/{document['sha256']}"
        got = client.get_object(Bucket=nodes.bucket.name, Key=key)["Body"].read()
        assert got == documents[document["name"]], document["name"]
    # Every bid received opened (the other tests' too, when they ran), none with a problem.
    assert _sql(
        nodes.b,
        "SELECT count(*) FROM bids_openedbid o JOIN bids_bid b ON b.id = o.bid_id WHERE "
        "o.problem <> '' AND b.tender_id = (SELECT id FROM tenders_tender WHERE code = %s)",
        [nodes.b.tender],
    ) == [(0,)]
    # The opening report, written by node B, is served by node A from the shared store.
    status, pdf = nodes.a.server.request(
        "GET",
        f"/kelola/tender/{nodes.a.tender}/pembukaan/berita-acara.pdf",
        headers=Member(nodes.a, nodes.a.members[1]).headers(),
    )
    assert status == 200 and pdf.startswith(b"%PDF"), pdf[:200]
    for folder in nodes.data_dirs:
        assert node_files(folder) == [], folder

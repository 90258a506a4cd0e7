"""Two production servers, two workers each, answer the public township page from each worker's own
memory (publication/localpages.py) — and after a publication every worker of both shows the new
edition at once, however often the old one was read before."""

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests.production.conftest import REDIS_DB, ROOT, HttpClient

pytestmark = pytest.mark.slow

TOWNSHIP = "东湖街道"
READERS = 8  # concurrent visitors, so that every worker of a server answers some of them
READS = 6  # each

# A new edition with the text of the one in force, published in a process of its own (as a job or
# command would): `create_edition` announces it once committed, then waits for every worker.
PUBLISH = """
from catalog.models import Township
from publication.services.editions import create_edition, current_edition
township = Township.objects.get(name={township!r})
edition = current_edition(township)
create_edition(
    edition.duty_list, edition.items.all(), by=edition.published_by,
    effective_on=edition.effective_on, document_number={number!r},
)
"""


def publish_next_edition(servers, number: str) -> None:
    script = PUBLISH.format(township=TOWNSHIP, number=number)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=servers.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def editions_shown(url: str) -> set[tuple[str, str]]:
    """(edition number, 文号) of every answer to READERS visitors reading the page READS times each."""

    def read(_):
        shown = set()
        for _ in range(READS):
            status, _, body = HttpClient().get(url)
            assert status == 200
            shown.add(re.search(r"第 (\d+) 版 · \S+起施行 · (\S+)", body.decode()).groups())
        return shown

    with ThreadPoolExecutor(READERS) as pool:
        return set().union(*pool.map(read, range(READERS)))


def test_after_publishing_every_worker_of_both_servers_shows_the_new_edition(production_servers):
    [(code, number)] = production_servers.sql(
        "SELECT t.code, e.number FROM publication_currentedition c"
        " JOIN catalog_township t ON t.id = c.township_id JOIN publication_edition e ON e.id = c.edition_id"
        " WHERE t.name = %s",
        (TOWNSHIP,),
    )
    pages = [f"{server}/lists/{code}/" for server in production_servers.urls]
    for page in pages:
        assert len(editions_shown(page)) == 1  # read by every worker, then kept in its memory

    for step in (1, 2):
        document = f"示办发〔2026〕{90 + step}号"
        publish_next_edition(production_servers, document)
        for page in reversed(pages):
            assert editions_shown(page) == {(str(number + step), document)}

    # Each worker that answered listens for publications on its own connection to Redis.
    cache = redis.Redis.from_url(production_servers.env["REDIS_URL"])
    listeners = [
        c for c in cache.client_list() if c["name"].startswith("public-pages:") and c["db"] == str(REDIS_DB)
    ]
    assert len({c["name"] for c in listeners}) >= 2

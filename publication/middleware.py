"""The public pages of an edition in force, answered before sessions, users and the view.

A township's page and its items' pages say the same thing to every visitor until the township
publishes its next edition. When the view answers one of them, this middleware keeps the answer
as it leaves the middleware below (body and every header) under its address, with the edition it
was rendered for. A later GET or HEAD of the same address, without a query string, is answered
from that copy if one cache read (`get_many`: the copy and the township's edition in force)
shows that edition still in force; anything else goes down to the view as before. Publishing
drops the edition in force from the cache (`services.create_edition`), so the first request after
it is rendered afresh. In production each worker also keeps the copies it answered in its own
memory and answers from there with no cache read at all, for as long as it is sure to hear of the
next publication (`localpages`). See docs/decisions/0012-public-page-fast-path.md.
"""

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, has_vary_header
from django.utils.http import parse_http_date_safe

from .localpages import worker_pages
from .queries import in_force_key

# Only a filter, to spare other addresses a cache read: an address is answered here only once
# the view has marked its answer (`keep_while_in_force`). Codes are short and plain, item keys are
# UUIDs, so no cache key holds a space or a control character.
PUBLIC_PAGE = re.compile(r"/lists/(?P<code>[0-9A-Za-z]{1,20})/(?:items/[0-9a-f-]{36}/)?")
PAGE_TIMEOUT = 7 * 86400  # a copy nobody asks for leaves the cache after a week


@dataclass(frozen=True)
class KeptPage:
    edition_id: int  # the edition in force it was rendered for
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(name) + len(value) for name, value in self.headers)


def page_key(path: str) -> str:
    return f"public-page:{path}"


def keep_while_in_force(response: HttpResponse, edition_id: int) -> HttpResponse:
    """Marks a view's answer as the same for every visitor while `edition_id` is in force."""
    response.kept_for_edition_id = edition_id
    return response


class PublicPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = None
        if request.method in ("GET", "HEAD") and not request.META.get("QUERY_STRING"):
            match = PUBLIC_PAGE.fullmatch(request.path_info)
        if match is None:
            return self.get_response(request)
        code, path = match["code"], request.path_info
        local = worker_pages()
        if local is not None:
            kept = local.get(path)
            if kept is not None:
                return answer(request, kept)
            # Taken before the read below: a copy read before a publication is not kept after it.
            ticket = local.ticket(code)
        key, pointer_key = page_key(path), in_force_key(code)
        found = cache.get_many([key, pointer_key])
        kept, in_force = found.get(key), found.get(pointer_key)
        if kept is None or in_force is None or kept.edition_id != in_force.edition_id:
            response = self.get_response(request)
            kept = keep(key, response)
        else:
            response = answer(request, kept)
        if kept is not None and local is not None:
            local.put(path, code, kept, kept.size, ticket)
        return response


def keep(key: str, response: HttpResponse) -> KeptPage | None:
    """Keeps a marked, complete answer that sets no cookie and does not vary by one."""
    edition_id = getattr(response, "kept_for_edition_id", None)
    if (
        edition_id is None
        or response.status_code != 200
        or response.streaming
        or response.cookies
        or has_vary_header(response, "Cookie")
    ):
        return None
    kept = KeptPage(edition_id, tuple(response.items()), response.content)
    cache.set(key, kept, timeout=PAGE_TIMEOUT)
    return kept


def answer(request, kept: KeptPage) -> HttpResponse:
    """The kept answer, or 304 when the client's copy has its ETag (or is as recent)."""
    # CommonMiddleware below would refuse a Host not in ALLOWED_HOSTS (400): so does this.
    request.get_host()
    response = HttpResponse(kept.body)
    for name, value in kept.headers:
        response[name] = value
    return get_conditional_response(
        request,
        etag=response.get("ETag"),
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )

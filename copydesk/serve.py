"""The web service: an index over HTTP, as JSON (FastAPI; `copydesk serve` runs it with uvicorn).

Routes (OpenAPI documentation at `/docs`):

    POST /articles                  add one article (JSON object) or a batch (JSON array)
    GET  /articles                  indexed articles, in arrival order (offset, limit)
    GET  /articles/{id}             one article: fields, text, removed spans, clues, reuse
    GET  /articles/{id}/reuse       every pair the article is part of, as in the scan JSON
    GET  /pairs/{source}/{target}   one pair with its passages and the text of both sides
    GET  /stories                   the stories of the whole index (offset, limit)
    POST /check                     what an article shares with the index (nothing is stored)
    GET  /health                    liveness and counts

Request bodies are capped (`max_body_bytes`); when an API key is set, writes must send it in
the `X-API-Key` header (or as `Authorization: Bearer KEY`). Each request runs in a worker
thread with its own SQLite connection (`Index` keeps one per thread); writes are serialised by
the index. The JSON routes live on one `APIRouter` (`json_routes`), so that pages can be added
beside them on the same app: `create_app` keeps the `Index` in `app.state.index`.
"""

from __future__ import annotations

import hmac
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs

try:
    from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Query, Request
    from fastapi.exception_handlers import http_exception_handler
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
    from fastapi.security import APIKeyHeader
    from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException as StarletteHTTPException
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"the web service needs the web extra ({exc.name} is missing): "
        "pip install 'copydesk[web]'"
    ) from exc

from . import __version__
from .model import Article, ReadError
from .read import record_to_article
from .report import article_to_dict, pair_to_dict, passage_dict, scan_to_dict, story_to_dict
from .report_html import page_policy, render_report
from .store import Index, IndexBusy, StoreError

DEFAULT_MAX_BODY = 5 * 2**20
#: the largest offset SQLite can take (a signed 64-bit integer)
MAX_OFFSET = 2**63 - 1
#: Most items a listing returns at once.
MAX_LIMIT = 1000


class ArticleIn(BaseModel):
    """An article as `copydesk scan` reads it from JSON lines (fields of the output contract)."""

    model_config = ConfigDict(extra="ignore")

    id: StrictStr | StrictInt = Field(description="Unique id; re-sending it replaces the text.")
    text: StrictStr | None = Field(None, description="The text (required unless html is given).")
    html: StrictStr | None = Field(None, description="A page to extract the text from.")
    title: StrictStr | None = None
    source: StrictStr | None = Field(None, description="The outlet's name.")
    url: StrictStr | None = None
    published: StrictStr | None = Field(None, description="ISO 8601 date or datetime.")
    author: StrictStr | None = None


class CheckIn(ArticleIn):
    """An article to check against the index; its id is optional."""

    id: StrictStr | StrictInt = Field("checked", description="Id to report it under.")


class _BodyLimit:
    """Refuse request bodies over `limit` bytes (413) before the app reads them whole."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        message = (f"request body too large (more than {self.limit} bytes; "
                   "the server's limit is set by --max-body-mb)")  # fmt: skip
        declared = dict(scope.get("headers") or []).get(b"content-length")
        try:
            too_large = declared is not None and int(declared) > self.limit
        except ValueError:
            too_large = False
        if too_large:
            await JSONResponse({"detail": message}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            item = await receive()
            if item["type"] == "http.request":
                received += len(item.get("body", b""))
                if received > self.limit:
                    raise HTTPException(413, message)
            return item

        await self.app(scope, limited, send)


async def _busy(request: Request, exc: Exception) -> Any:
    """Another process held the index's write lock past the busy timeout: 503, retry later."""
    if isinstance(exc, IndexBusy) or "locked" in str(exc) or "busy" in str(exc):
        return JSONResponse(
            {"detail": "the index is busy with another writer; retry later"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    raise exc


async def _explain_http_error(request: Request, exc: Exception) -> Any:
    """FastAPI's "error parsing the body" said plainly: what was wrong with it."""
    assert isinstance(exc, StarletteHTTPException)
    cause = exc.__cause__
    if exc.status_code == 400 and cause is not None:
        if isinstance(cause, RecursionError):
            exc = HTTPException(400, "malformed JSON body (nested too deeply)")
        elif isinstance(cause, UnicodeDecodeError):
            exc = HTTPException(400, "the body is not valid UTF-8 JSON")
        elif isinstance(cause, ValueError):
            exc = HTTPException(400, f"malformed JSON body ({cause})")
    return await http_exception_handler(request, exc)


async def _explain_invalid_request(request: Request, exc: Exception) -> Any:
    """422 with what was wrong where, without echoing the input back: a number such as 1e400
    (infinite) would make the default answer itself fail to encode as JSON."""
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
              for e in exc.errors()]  # fmt: skip
    return JSONResponse({"detail": errors}, status_code=422)


class _HeadAsGet:
    """Answer HEAD as GET without the body, as HTTP asks (link checkers and uptime probes send
    HEAD; the routes are declared for GET)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def _split_pair(index: Index, ids: str) -> tuple[str, str]:
    """The two article ids in `a/b`, where ids may themselves hold slashes ("bbc/2026/x"):
    the first split at a slash that gives two indexed ids, else the last split."""
    cuts = [i for i, c in enumerate(ids) if c == "/"]
    for cut in cuts[:32]:  # a bound on the lookups a long path of slashes can ask for
        first, second = ids[:cut], ids[cut + 1 :]
        if first in index and second in index:
            return first, second
    return ids[: cuts[-1]], ids[cuts[-1] + 1 :]


def _warm_up(index: Index) -> None:
    """Load what the first checks would otherwise each load at once (the spin model)."""
    index.check(Article("warm-up", "The council said on Monday that the bridge would reopen."))


def _index(request: Request) -> Index:
    index: Index = request.app.state.index
    return index


def _require_key(
    request: Request,
    key: Annotated[str | None, Depends(APIKeyHeader(name="X-API-Key", auto_error=False))],
) -> None:
    """Writes need the API key when the app has one."""
    expected: str | None = request.app.state.api_key
    if not expected:
        return
    given = key
    if given is None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        given = token.strip() if scheme.lower() == "bearer" else None
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            401,
            "missing or wrong API key: send it in the X-API-Key header",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _to_article(item: ArticleIn, number: int | None = None) -> Article:
    """The contract's checks on one record (`read.record_to_article`), as a 422 when it fails."""
    found = record_to_article(item.model_dump(exclude_none=True), "request", number)
    if isinstance(found, ReadError):
        where = f"item {number}: " if number is not None else ""
        raise HTTPException(422, where + found.reason)
    return found


def _not_found(article_id: str) -> HTTPException:
    return HTTPException(404, f"no article {article_id!r} in the index")


IndexDep = Annotated[Index, Depends(_index)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Most items returned.")]


def json_routes() -> APIRouter:
    """The JSON API: articles, pairs, stories, check, health."""
    router = APIRouter()

    @router.post(
        "/articles",
        dependencies=[Depends(_require_key)],
        tags=["articles"],
        summary="Add one article or a batch",
    )
    def add_articles(
        index: IndexDep,
        body: Annotated[ArticleIn | list[ArticleIn], Body(description="An article or a list.")],
    ) -> dict[str, Any]:
        """Add articles (one transaction) and compare them with the index and each other.

        The same id with the same text changes nothing; with a new text the old version and
        its pairs are replaced. Returns what happened to each id and the new pairs found.
        """
        items = body if isinstance(body, list) else [body]
        if not items:
            raise HTTPException(422, "no articles in the list")
        numbered = isinstance(body, list)
        articles = [_to_article(item, n if numbered else None) for n, item in enumerate(items, 1)]
        try:
            result = index.add_articles(articles)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return {
            "added": result.added,
            "replaced": result.replaced,
            "unchanged": result.unchanged,
            "refreshed": result.refreshed,
            "pairs": [pair_to_dict(p) for p in result.pairs],
        }

    @router.get("/articles", tags=["articles"], summary="List indexed articles")
    def list_articles(index: IndexDep, offset: Offset = 0, limit: Limit = 100) -> dict[str, Any]:
        """Indexed articles in arrival order: id, title, source, url, published."""
        articles = index.articles(offset, limit)
        return {
            "total": index.count(),
            "offset": offset,
            "articles": [
                {"id": a.id, "title": a.title, "source": a.source, "url": a.url,
                 "published": a.published}
                for a in articles
            ],
        }  # fmt: skip

    # Ids may hold slashes ("bbc/2026/x"): routes take the rest of the path, the longer first.
    @router.get("/articles/{article_id:path}/reuse", tags=["articles"],
                summary="Pairs of an article")  # fmt: skip
    def get_reuse(index: IndexDep, article_id: str) -> dict[str, Any]:
        """Every pair the article is part of, as source or target, best first."""
        try:
            pairs = index.reuse(article_id)
        except KeyError:
            raise _not_found(article_id) from None
        return {"article": article_id, "pairs": [pair_to_dict(p) for p in pairs]}

    @router.get("/articles/{article_id:path}", tags=["articles"], summary="One article")
    def get_article(index: IndexDep, article_id: str) -> dict[str, Any]:
        """The article as in the scan JSON (with its text), as the index sees it now."""
        try:
            report = index.report(article_id)
        except KeyError:
            raise _not_found(article_id) from None
        return article_to_dict(report, keep_text=True)

    @router.get("/pairs/{source:path}/{target:path}", tags=["pairs"],
                summary="One pair, side by side")  # fmt: skip
    def get_pair(index: IndexDep, source: str, target: str) -> dict[str, Any]:
        """The pair of two articles (either order) with the text of each passage on both sides."""
        source, target = _split_pair(index, f"{source}/{target}")
        if not source or not target:
            raise HTTPException(404, "give two article ids: /pairs/{source}/{target}")
        try:
            pair = index.pair(source, target)
        except KeyError as exc:
            raise _not_found(str(exc.args[0])) from None
        if pair is None:
            raise HTTPException(404, f"{source!r} and {target!r} share no passage")
        texts = {}
        for article_id in (pair.source, pair.target):
            article = index.get(article_id)
            if article is None:  # replaced between the two reads
                raise _not_found(article_id)
            texts[article_id] = article
        out = pair_to_dict(pair)
        src, tgt = texts[pair.source].text, texts[pair.target].text
        out["passages"] = [
            passage_dict(p) | {"source_text": src[slice(*p.source)],
                               "target_text": tgt[slice(*p.target)]}
            for p in pair.passages
        ]  # fmt: skip
        out["articles"] = {
            a.id: {"title": a.title, "source": a.source, "url": a.url, "published": a.published}
            for a in texts.values()
        }
        return out

    @router.get("/stories", tags=["stories"], summary="Stories of the index")
    def get_stories(index: IndexDep, offset: Offset = 0, limit: Limit = 100) -> dict[str, Any]:
        """Groups of articles linked by reuse, each with its likely original, as in a scan."""
        return {
            "total": index.story_count(),
            "offset": offset,
            "stories": [story_to_dict(s) for s in index.stories(offset, limit)],
        }

    @router.post("/check", tags=["check"], summary="Check an article against the index")
    def check(index: IndexDep, body: CheckIn) -> dict[str, Any]:
        """What an article shares with the index, as a scan of it and the articles it shares
        passages with (it comes first in `articles`); nothing is stored."""
        article = _to_article(body)
        try:
            result = index.check(article)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return {"checked": article.id} | scan_to_dict(result)

    @router.get("/health", tags=["service"], summary="Liveness")
    def health(index: IndexDep) -> dict[str, Any]:
        """The service is up and reads its index."""
        return {
            "status": "ok",
            "copydesk_version": __version__,
            "schema_version": index.schema_version,
            "articles": index.count(),
        }

    return router


# --- web pages ---------------------------------------------------------------------------------

#: most members of a story shown on its page
PAGE_MEMBERS = 100
#: stories listed on the home page
HOME_STORIES = 50


def _html(page: str, status: int = 200) -> HTMLResponse:
    """A page with the report's Content-Security-Policy also sent as a header (where
    `frame-ancestors` counts), so the page's own script is the only one that may run."""
    headers = {
        "Content-Security-Policy": page_policy(forms=True) + "; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return HTMLResponse(page, status_code=status, headers=headers)


def _page_data(
    index: Index, ids: list[str], pairs: list[Any], stories: list[Any]
) -> dict[str, Any]:
    """Scan JSON for a page: the named articles (with their texts), pairs and stories."""
    articles = [article_to_dict(index.report(i), keep_text=True) for i in dict.fromkeys(ids)]
    return {
        "copydesk_version": __version__,
        "articles": articles,
        "pairs": [pair_to_dict(p) for p in pairs],
        "stories": [story_to_dict(s) for s in stories],
        "errors": [],
    }


def _missing(what: str) -> HTMLResponse:
    page = render_report(
        {"articles": [], "pairs": [], "stories": []}, "copydesk: not found", served=True,
        page="search", lists=(), show_overview=False, query=what, results=[],
    )  # fmt: skip
    return _html(page, 404)


def html_routes() -> APIRouter:
    """The web pages: the report's views over the index, a search and a check form."""
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def root() -> RedirectResponse:
        return RedirectResponse("/ui")

    @router.get("/ui")
    def home(index: IndexDep) -> HTMLResponse:
        stats = index.stats()
        data = _page_data(index, [], [], index.stories(0, HOME_STORIES))
        page = render_report(
            data, f"copydesk: {stats.get('articles', 0)} articles indexed", served=True,
            lists=("stories",), show_overview=False,
        )  # fmt: skip
        return _html(page)

    @router.get("/ui/search")
    def search(
        index: IndexDep, q: Annotated[str, Query(min_length=1, max_length=200)]
    ) -> HTMLResponse:
        results = index.search(q)
        page = render_report(
            {"articles": [], "pairs": [], "stories": []}, "copydesk: search", served=True,
            page="search", lists=(), show_overview=False, query=q, results=results,
        )  # fmt: skip
        return _html(page)

    @router.get("/ui/article/{article_id:path}")
    def article_page(index: IndexDep, article_id: str) -> HTMLResponse:
        if index.get(article_id) is None:
            return _missing(article_id)
        pairs = index.reuse(article_id)
        story = index.story_of(article_id)
        ids = [article_id, *(x for p in pairs for x in (p.source, p.target))]
        data = _page_data(index, ids, pairs, [story] if story else [])
        page = render_report(
            data, f"copydesk: {article_id}", served=True, lists=("pairs",),
            show_overview=False, view=f"article={article_id}",
        )  # fmt: skip
        return _html(page)

    @router.get("/ui/pair/{source:path}/{target:path}")
    def pair_page(index: IndexDep, source: str, target: str) -> HTMLResponse:
        source, target = _split_pair(index, f"{source}/{target}")
        try:
            pair = index.pair(source, target)
        except KeyError:
            pair = None
        if pair is None:
            return _missing(f"{source} / {target}")
        story = index.story_of(pair.source)
        data = _page_data(index, [pair.source, pair.target], [pair], [story] if story else [])
        page = render_report(
            data, f"copydesk: {pair.source} and {pair.target}", served=True, lists=(),
            show_overview=False, view="pair=0",
        )  # fmt: skip
        return _html(page)

    @router.get("/ui/story/{story_id}")
    def story_page(index: IndexDep, story_id: str) -> HTMLResponse:
        number = story_id[1:] if story_id[:1] == "s" else ""
        # ASCII digits only ("²" is a digit to `isdigit`), and few enough for SQLite's integers.
        valid = number.isascii() and number.isdigit() and len(number) <= 18 and int(number) > 0
        found = index.stories(int(number) - 1, 1) if valid else []
        if not found:
            return _missing(story_id)
        story = found[0]
        members = story.articles[:PAGE_MEMBERS]
        pairs = {(p.source, p.target): p for m in members for p in index.reuse(m)}
        inside = [p for p in pairs.values() if p.source in members and p.target in members]
        data = _page_data(index, members, inside, [story])
        page = render_report(
            data, f"copydesk: story {story.id}", served=True, lists=("articles",),
            show_overview=False, view=f"story={story.id}",
        )  # fmt: skip
        return _html(page)

    @router.get("/ui/check")
    def check_form() -> HTMLResponse:
        page = render_report(
            {"articles": [], "pairs": [], "stories": []}, "copydesk: check an article",
            served=True, page="check", lists=(), show_overview=False,
        )  # fmt: skip
        return _html(page)

    @router.post("/ui/check")
    async def check_page(request: Request, index: IndexDep) -> HTMLResponse:
        form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        text = (form.get("text") or [""])[0]
        title = (form.get("title") or [""])[0] or None
        if not text.strip():
            page = render_report(
                {"articles": [], "pairs": [], "stories": []}, "copydesk: check an article",
                served=True, page="check", lists=(), show_overview=False,
                message="Paste the text of an article first.",
            )  # fmt: skip
            return _html(page, 400)
        article = Article("checked-article", text, title=title)
        result = await run_in_threadpool(index.check, article)
        data = scan_to_dict(result)
        for entry, report in zip(data["articles"], result.articles, strict=True):
            entry["text"] = report.article.text
        found = sum(article.id in (p.source, p.target) for p in result.pairs)
        message = (
            f"It shares material with {found} indexed article{'s' if found != 1 else ''}."
            if found else "It shares no passage with the indexed articles."
        )  # fmt: skip
        page = render_report(
            data, "copydesk: check an article", served=True, page="check",
            lists=("pairs",), show_overview=False, view="article=checked-article",
            message=message, form_text=text, form_title=title,
        )  # fmt: skip
        return _html(page)

    return router


def create_app(
    db_path: str | Path,
    *,
    api_key: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    index: Index | None = None,
) -> FastAPI:
    """The web service over the index at `db_path` (made when missing).

    Args:
        db_path: the index file.
        api_key: when set, writes must send it (`X-API-Key` header or a bearer token).
        max_body_bytes: larger request bodies get 413.
        index: an open `Index` to serve instead of opening `db_path`.
    Returns:
        A FastAPI app; its `state.index` is the open `Index` (closed on shutdown).
    """
    opened = index if index is not None else Index(db_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_warm_up, opened)
        yield
        if index is None:
            opened.close()

    app = FastAPI(
        title="copydesk",
        version=__version__,
        description="Who copied whom, how, and where: an index of news articles over HTTP.",
        lifespan=lifespan,
    )
    app.state.index = opened
    app.state.api_key = api_key or None
    app.add_middleware(_BodyLimit, limit=max_body_bytes)
    app.add_middleware(_HeadAsGet)
    app.add_exception_handler(StarletteHTTPException, _explain_http_error)
    app.add_exception_handler(RequestValidationError, _explain_invalid_request)
    app.add_exception_handler(sqlite3.OperationalError, _busy)
    app.add_exception_handler(IndexBusy, _busy)
    app.include_router(json_routes())
    app.include_router(html_routes())
    return app


def run(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    api_key: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY,
) -> None:
    """Serve the index with uvicorn until interrupted.

    One process: requests run in its thread pool, each thread with its own connection. (Several
    uvicorn worker processes would share the file safely, but uvicorn's multi-process sockets
    lose TCP_NODELAY, which costs each response about 40 ms on loopback.)
    """
    import uvicorn

    try:
        app = create_app(db_path, api_key=api_key, max_body_bytes=max_body_bytes)
    except StoreError as exc:
        raise SystemExit(f"copydesk: error: {exc}") from None
    uvicorn.run(app, host=host, port=port, log_level="info")


__all__ = ["ArticleIn", "CheckIn", "create_app", "json_routes", "run"]

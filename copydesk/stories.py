"""Group articles linked by reuse into stories and name each story's likely original."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from .align import union_spans
from .model import Article, CleanArticle, Clues, Edge, Pair, Span, Story
from .provenance import common_credit, identity, outlet_key, published_first
from .read import parse_date

LABEL_WORDS = 10
#: shortest stretch of an article's own text reported as something it adds
MIN_UNIQUE_CHARS = 40
MIN_UNIQUE_WORDS = 6
#: characters that may pad a unique span without being text of its own
_PADDING = " \t\n\r,.;:!?-–—\"'“”‘’()[]"
_TRAILING_PADDING = " \t\n\r,;:-–—(["


def unique_spans(doc: CleanArticle, shared: Sequence[tuple[int, int]]) -> list[Span]:
    """The stretches of an article's kept text found in no passage `shared` with another member:
    what it adds to the story. Short leftovers between passages ("said one figure") are not
    counted."""
    text = doc.article.text
    covered = union_spans(shared)
    found: list[Span] = []
    for block in doc.blocks:
        start = block.start
        for c_start, c_end in [*covered, (block.end, block.end)]:
            if c_end <= start:
                continue
            end = min(max(c_start, start), block.end)
            while start < end and text[start] in _PADDING:
                start += 1
            while end > start and text[end - 1] in _TRAILING_PADDING:
                end -= 1
            piece = text[start:end]
            if end - start >= MIN_UNIQUE_CHARS and len(piece.split()) >= MIN_UNIQUE_WORDS:
                found.append(Span(start, end))
            start = max(start, c_end)
            if start >= block.end:
                break
    return found


def _label(article: Article) -> str:
    title = (article.title or "").strip()
    if title:
        return title
    words = article.text.split()
    return " ".join(words[:LABEL_WORDS]) + (" ..." if len(words) > LABEL_WORDS else "")


def _original(
    members: Sequence[Article],
    edges: Sequence[Edge],
    directed: set[int],
    clues: Mapping[str, Clues],
    shared_origin: bool = False,
) -> str | None:
    # The one member whose outlet the others credit or declare as their origin. Who names each
    # outlet is gathered once: a story syndicated to thousands of outlets has thousands of members.
    known = [m.id for m in members if m.id in clues]
    naming: dict[str, set[str]] = defaultdict(set)
    for member in known:
        c = clues[member]
        for name in (*c.credits, c.agency, c.declared_source):
            if name:
                naming[outlet_key(name)].add(member)
    credited = []
    for article in members:
        own = identity(article, clues[article.id]) if article.id in clues else set()
        others = len(known) - (article.id in clues)
        if not own or not others:
            continue
        namers = set().union(*(naming.get(key, set()) for key in own))
        namers.discard(article.id)
        if len(namers) * 2 > others:
            credited.append(article.id)
    if len(credited) == 1:
        return credited[0]
    if shared_origin:
        # Every pair quotes or follows a text outside the run: no member is the others' origin.
        return None
    # The roots of the directed edges: members others copy from that copy from none. Two roots
    # are two independent origins (a patchwork of two sources), and no one original.
    sources = {edges[i].source for i in directed}
    targets = {edges[i].target for i in directed}
    roots = sorted(sources - targets)
    if len(roots) > 1:
        return None
    dates = {a.id: parse_date(a.published) for a in members}
    if all(d is not None for d in dates.values()):
        first = min(members, key=lambda a: dates[a.id])  # type: ignore[arg-type,return-value]
        rest = [a for a in members if a is not first]
        if all(published_first(first.published, a.published) == "a" for a in rest):
            if not roots or roots == [first.id]:
                return first.id
            if any(first.id in (e.source, e.target) and e.relation != "same_story" for e in edges):
                # The earliest shares passages, yet copied edges lead from another member.
                return None
    return roots[0] if roots else None


def build_stories(
    articles: Sequence[Article], pairs: Sequence[Pair], clues: Mapping[str, Clues] | None = None
) -> list[Story]:
    """Connected components of the reuse graph, in order of their first member.

    A story's original is the member the others credit, else the earliest (unless the directed
    edges point from another member), else the one root of the directed edges; none when every
    pair follows a common source or reports the same story, or when the directed edges have two
    roots. When the members credit an outlet that none of them is from and no member
    stands out as the original, that outlet is the story's `common_source`.
    """
    clues = clues or {}
    parent = {a.id: a.id for a in articles}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        ra, rb = find(pair.source), find(pair.target)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        groups[find(article.id)].append(article)
    pair_groups: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        pair_groups[find(pair.source)].append(pair)
    stories: list[Story] = []
    for root, members in groups.items():
        if len(members) < 2:
            continue
        members_pairs = pair_groups[root]
        edges = [Edge(p.source, p.target, p.relation) for p in members_pairs]
        # Two reports of one story point from the earlier by date, but nobody copied anybody.
        directed = {
            i
            for i, p in enumerate(members_pairs)
            if p.direction == "source_to_target" and p.relation != "same_story"
        }
        shared_origin = all(
            p.direction == "common_source" or p.relation == "same_story" for p in members_pairs
        )
        original = _original(members, edges, directed, clues, shared_origin)
        common = common_credit((a, clues[a.id]) for a in members if a.id in clues)
        if original is not None and common is not None:
            # The "original" is itself a copy when it too credits the outside outlet.
            credited_by_original = clues.get(original, Clues()).credits
            if outlet_key(common) in {outlet_key(c) for c in credited_by_original}:
                original = None
        by_id = {a.id: a for a in members}
        # Without an original, a headline says more than the first words of a text (a checked
        # page, say, that may be spun).
        titled = next((a for a in members if a.title), members[0])
        label_from = by_id[original] if original else titled
        stories.append(
            Story(
                id=f"s{len(stories) + 1}",
                articles=[a.id for a in members],
                original=original,
                common_source=common if original is None else None,
                label=_label(label_from),
                edges=edges,
            )
        )
    return stories

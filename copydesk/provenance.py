"""Who had it first: the clues an article gives about its origin (byline, dateline, credits,
declared source) and the direction of each pair, from those clues, dates and containment."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from .align import union_length
from .classify import overlap_chars
from .model import Article, CleanArticle, Clues, Pair
from .read import parse_date

#: the contained side must be at least this covered...
CONTAINED_COVERAGE = 0.5
#: ...and this much more than the other side, for containment to decide the direction
CONTAINMENT_MARGIN = 0.2

#: a pair's shared text this much inside both sides' passages with a common source is that
#: source's text, not a copy of one by the other
EXPLAINED_SHARE = 0.9

#: Outlets and agencies recognised by name, each with the name reported for it. Spellings map to
#: one display name so that "BBC News" and "the BBC" count as one credit.
KNOWN_OUTLETS: dict[str, str] = {
    "BBC": "BBC", "BBC News": "BBC", "BBC Radio 4": "BBC", "BBC World Service": "BBC",
    "Reuters": "Reuters", "Thomson Reuters": "Reuters",
    "Associated Press": "Associated Press", "AP": "Associated Press",
    "AFP": "AFP", "Agence France-Presse": "AFP", "Agence France Presse": "AFP",
    "PA Media": "PA Media", "PA": "PA Media", "Press Association": "PA Media",
    "PA news agency": "PA Media",
    "dpa": "dpa", "ANSA": "ANSA", "EFE": "EFE", "Kyodo": "Kyodo", "Xinhua": "Xinhua",
    "TASS": "TASS", "Yonhap": "Yonhap", "Bloomberg": "Bloomberg", "UPI": "UPI",
    "CNN": "CNN", "Sky News": "Sky News", "ITV News": "ITV News", "ITV": "ITV News",
    "Channel 4 News": "Channel 4 News", "LBC": "LBC", "NPR": "NPR", "CBS News": "CBS News",
    "NBC News": "NBC News", "ABC News": "ABC News", "Fox News": "Fox News", "CNBC": "CNBC",
    "Al Jazeera": "Al Jazeera", "France 24": "France 24", "BFMTV": "BFMTV",
    "Deutsche Welle": "Deutsche Welle", "Euronews": "Euronews", "RTÉ": "RTÉ",
    "The Guardian": "The Guardian", "Guardian": "The Guardian", "The Times": "The Times",
    "The Telegraph": "The Telegraph", "Daily Telegraph": "The Telegraph",
    "Daily Mail": "Daily Mail", "MailOnline": "Daily Mail", "Mail Online": "Daily Mail",
    "The Independent": "The Independent", "The Sun": "The Sun", "Daily Mirror": "Daily Mirror",
    "Financial Times": "Financial Times", "New York Times": "The New York Times",
    "The New York Times": "The New York Times", "Washington Post": "The Washington Post",
    "The Washington Post": "The Washington Post", "Wall Street Journal": "The Wall Street Journal",
    "The Wall Street Journal": "The Wall Street Journal", "USA Today": "USA Today",
    "Los Angeles Times": "Los Angeles Times", "Politico": "Politico", "Axios": "Axios",
    "The Economist": "The Economist", "Le Monde": "Le Monde", "Le Figaro": "Le Figaro",
    "Le Parisien": "Le Parisien", "Libération": "Libération", "Der Spiegel": "Der Spiegel",
    "El País": "El País",
}
#: Sites whose name is not the outlet's ("apnews.com" is the Associated Press).
SITE_OUTLETS = {"apnews": "Associated Press", "nytimes": "The New York Times",
                "washingtonpost": "The Washington Post", "wsj": "The Wall Street Journal",
                "ft": "Financial Times", "telegraph": "The Telegraph",
                "aljazeera": "Al Jazeera", "lemonde": "Le Monde", "lefigaro": "Le Figaro"}
#: Agencies whose full name on a credit line of its own credits them (a wire story carries it).
AGENCY_NAMES = ("Reuters", "Associated Press", "Agence France-Presse", "Press Association")
#: Last words that make a capitalised phrase look like an outlet ("Calais Tribune").
OUTLET_WORDS = (
    "News", "Times", "Post", "Journal", "Herald", "Gazette", "Tribune", "Chronicle", "Telegraph",
    "Guardian", "Independent", "Express", "Mirror", "Observer", "Standard", "Radio", "Television",
    "TV", "Press", "Agency", "Magazine", "Courier", "Inquirer", "Examiner", "Bulletin", "Wire",
)
#: What a text calls an outlet it has just named ("told the broadcaster").
OUTLET_NOUNS = (
    "broadcaster", "newspaper", "paper", "news agency", "agency", "channel", "network", "outlet",
    "station", "website", "magazine", "publication", "corporation",
)

_KNOWN = "|".join(re.escape(n) for n in sorted(KNOWN_OUTLETS, key=len, reverse=True))
_CAP = r"[A-Z][\w'’&-]*(?:\.[A-Za-z]+)*"
_GENERIC = rf"(?:{_CAP} ){{1,3}}(?:{'|'.join(OUTLET_WORDS)})"
OUTLET = rf"(?:{_KNOWN}|{_GENERIC})(?![\w-])"
# The look-ahead lets the scan skip quickly past words that cannot start a name.
_OUTLET_RE = re.compile(rf"\b(?=[A-Zd]){OUTLET}")

_CREDIT_BEFORE = (
    r"according to|told|telling|speaking to|spoke to|speaking with|spoke with|said to|"
    r"interview with|contacted by|seen by|obtained by|confirmed to|reported by|quoted by|"
    r"cited by|revealed by|shared with|reporting by|reports? by|reports? from"
)
_CREDIT_AFTER = (
    r"reports|reported|has reported|has learned|has learnt|has (?:now )?heard|understands|"
    r"has seen|revealed|has revealed|has been told|can reveal|has confirmed|was told|"
    r"obtained|said in a report"
)
#: a credit verb just before an outlet ("told the", "according to")
CREDIT_BEFORE_RE = re.compile(rf"\b(?:{_CREDIT_BEFORE})\s+(?:the\s+)?$", re.IGNORECASE)
#: a reporting verb just after it ("the BBC reports", "Sky News understands")
CREDIT_AFTER_RE = re.compile(rf",?\s+(?:{_CREDIT_AFTER})\b")
#: "told the broadcaster": credits the outlet last named before it
OUTLET_NOUN_RE = re.compile(rf"\bthe\s+(?:{'|'.join(OUTLET_NOUNS)})\b", re.IGNORECASE)
#: how far before or after an outlet's name a credit verb is looked for
_CONTEXT = 48

_NAME = r"[A-Z][\w'’.-]+(?:[ \t]+(?:[A-Z][\w'’.-]+|de|van|von|der|al|bin|da|du|le|la))*"
BYLINE_RE = re.compile(
    rf"^[ \t]*By[ \t]+(?P<author>{_NAME}(?:(?:,|[ \t]+and)[ \t]+(?!{OUTLET}){_NAME})*)"
    rf"(?:[ \t]*(?:[/|,–—-]|\n)[ \t]*(?P<outlet>{OUTLET})"
    rf"(?:,[ \t]*(?P<place>[A-Z][^\n/|]{{0,60}}?))?)?[ \t]*$",
    re.MULTILINE,
)
DATELINE_RE = re.compile(
    r"^[ \t]*(?:(?P<place>[A-Z][A-Za-z .'’-]{1,40}?(?:,[ \t]*[A-Z][A-Za-z .'’-]{1,30}?)?),?[ \t]+)?"
    rf"\((?P<agency>{_KNOWN})\)"
    r"[ \t]*[-–—:]",
    re.MULTILINE,
)
_DOMAIN = r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+"
DECLARED_RE = re.compile(
    r"\b(?:(?:this|the)\s+(?:article|story|piece|post|report|content)\s+(?:was\s+|is\s+)?"
    r"(?:originally|first)\s+(?:published|appeared|ran|posted)|originally\s+published|"
    r"first\s+published|republished|reprinted|reproduced)"
    r"\s+(?:with\s+permission\s+)?(?:by|in|on|at|from)\s+(?:(?:a|an|the)\s+)?"
    rf"(?P<origin>{_DOMAIN}|{_CAP}(?:\s+{_CAP}){{0,4}})",
    re.IGNORECASE,
)
#: labels that end a host name without naming the site ("co.uk", "com")
_SUFFIX_LABELS = {"com", "co", "org", "net", "gov", "ac", "edu", "news", "uk", "us", "fr", "de",
                  "au", "ca", "ie", "in", "info", "eu", "nz", "io"}


def outlet_name(found: str) -> str:
    """The reported name of an outlet as written in a text ("the BBC News" -> "BBC")."""
    name = re.sub(r"\s+", " ", found.strip())
    if name in KNOWN_OUTLETS:
        return KNOWN_OUTLETS[name]
    if name.lower().startswith("the "):
        return KNOWN_OUTLETS.get(name[4:], name[4:])
    return name


def outlet_key(name: str) -> str:
    """A key under which spellings of one outlet meet: "The Daily Mail", "dailymail.co.uk",
    "https://www.dailymail.co.uk/news/x.html" and "Daily Mail" all give "dailymail"."""
    name = name.strip()
    if "/" in name or re.fullmatch(_DOMAIN, name.lower()):
        host = urlsplit(name if "//" in name else "//" + name).hostname or name
        labels = [x for x in host.lower().split(".") if x and x != "www"]
        while len(labels) > 1 and labels[-1] in _SUFFIX_LABELS:
            labels.pop()
        name = labels[-1] if labels else host
        name = SITE_OUTLETS.get(name, name)
    name = outlet_name(name)
    key = re.sub(r"[^0-9a-z]", "", name.lower())
    return key[3:] if key.startswith("the") and len(key) > 6 else key


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url if "//" in url else "//" + url).hostname
    return host[4:] if host and host.startswith("www.") else host


def find_byline(text: str) -> tuple[str | None, str | None, str | None]:
    """Author, outlet and place from a byline near the top ("By Lucy Williamson / BBC News,
    Calais, France")."""
    head = text[:600]
    match = BYLINE_RE.search(head)
    if not match:
        return None, None, None
    outlet = outlet_name(match["outlet"]) if match["outlet"] else None
    place = match["place"].strip() if match["place"] else None
    return match["author"].strip(), outlet, place


def find_dateline(text: str) -> tuple[str | None, str | None]:
    """Place and agency from a wire dateline ("LONDON (AP) —", "(Reuters) -")."""
    match = DATELINE_RE.search(text[:2000])
    if not match:
        return None, None
    place = match["place"].strip() if match["place"] else None
    return place, outlet_name(match["agency"])


def find_credits(text: str) -> list[str]:
    """Outlets and agencies `text` names as its source of information, in order of first
    mention ("according to sources contacted by the BBC", "told the broadcaster", "(Reuters)")."""
    mentions = list(_OUTLET_RE.finditer(text))
    found: list[tuple[int, str]] = []
    for m in mentions:
        name = outlet_name(m[0])
        before = text[max(0, m.start() - _CONTEXT) : m.start()]
        credited = (
            CREDIT_BEFORE_RE.search(before) is not None
            or CREDIT_AFTER_RE.match(text, m.end(), m.end() + _CONTEXT) is not None
            or (before.endswith("(") and text.startswith(")", m.end()) and m[0] in KNOWN_OUTLETS)
            or (_agency(m[0]) and _credit_line(text, m.start(), m.end()))
        )
        if credited:
            found.append((m.start(), name))
    if mentions:
        starts = [m.start() for m in mentions]
        for match in OUTLET_NOUN_RE.finditer(text):
            last = bisect_left(starts, match.start()) - 1
            before = text[max(0, match.start() - _CONTEXT) : match.start()]
            if last >= 0 and CREDIT_BEFORE_RE.search(before):
                found.append((starts[last], outlet_name(mentions[last][0])))
    credits: list[str] = []
    for _, name in sorted(found):
        if name not in credits:
            credits.append(name)
    return credits


#: what may stand before an agency's name on a credit line ("The", "© 2026", "Copyright")
_CREDIT_LINE_HEAD = re.compile(r"[^\w]*(?:(?:the|copyright|\(c\))\W*)*(?:\d{4}\W*)?", re.IGNORECASE)
#: what may follow it there ("contributed to this report", "staff")
_CREDIT_LINE_TAIL = re.compile(
    r"(?:\W*|\s+(?:staff|writers?|contributed\b.*|reporters? contributed\b.*))", re.IGNORECASE
)


def _agency(found: str) -> bool:
    return re.sub(r"^the\s+", "", found, flags=re.IGNORECASE) in AGENCY_NAMES


def _credit_line(text: str, start: int, end: int) -> bool:
    """Whether an agency's name at `text[start:end]` stands on a credit line of its own
    ("Associated Press", "© Reuters 2026", "The Associated Press contributed to this report"),
    not in a sentence that merely mentions it ("a retired Reuters photographer")."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return (
        _CREDIT_LINE_HEAD.fullmatch(text, line_start, start) is not None
        and _CREDIT_LINE_TAIL.fullmatch(text, end, line_end) is not None
    )


def find_declared_source(
    text: str, url: str | None = None, canonical: str | None = None
) -> str | None:
    """The origin a page declares ("This article was originally published by ..."), or the host
    of a canonical link that points to another site."""
    matches = list(DECLARED_RE.finditer(text))
    if matches:
        origin = matches[-1]["origin"].rstrip(".")
        if re.fullmatch(_DOMAIN, origin.lower()):
            return _host(origin.lower())
        return outlet_name(re.sub(r"^(?:the|a|an)\s+", "", origin, flags=re.IGNORECASE))
    own, declared = _host(url), _host(canonical)
    if own and declared and outlet_key(own) != outlet_key(declared):
        return declared
    return None


def _kept_text(doc: CleanArticle) -> str:
    """The text with removed spans blanked, so offsets and line structure survive."""
    text = doc.article.text
    if not doc.removed:
        return text
    parts, at = [], 0
    for span in doc.removed:
        parts.append(text[at : span.start])
        parts.append(re.sub(r"[^\n]", " ", text[span.start : span.end]))
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


def read_clues(doc: CleanArticle) -> Clues:
    """Byline, dateline, credits and declared source of one cleaned article.

    The declared source is looked for in the whole text (it sits in footers, which cleaning
    removes); credits only in the kept text, so site chrome naming other outlets does not count.
    """
    article = doc.article
    author, outlet, place = find_byline(article.text)
    date_place, agency = find_dateline(article.text)
    kept = _kept_text(doc)
    own = _own_outlets(article, outlet, agency)
    if byline := BYLINE_RE.search(kept[:600]):
        # The outlet in a byline is the article's own, not a credit.
        kept = kept[: byline.start()] + " " * (byline.end() - byline.start()) + kept[byline.end() :]
    credits = [c for c in find_credits(kept) if outlet_key(c) not in own]
    return Clues(
        author=author,
        outlet=outlet,
        place=place or date_place,
        agency=agency,
        credits=credits,
        declared_source=find_declared_source(article.text, article.url,
                                             article.canonical),
    )


def identity(article: Article, clues: Clues) -> set[str]:
    """Keys of the outlets an article is from: its `source`, its byline outlet, its site; for
    a text that says nothing else of itself, the agency of its dateline ("LONDON (Reuters) -"
    opens a Reuters story)."""
    return _own_outlets(article, clues.outlet, clues.agency)


def _own_outlets(article: Article, outlet: str | None, agency: str | None) -> set[str]:
    names: Iterable[str | None] = (article.source, outlet, _host(article.url))
    own = {outlet_key(n) for n in names if n}
    return own or ({outlet_key(agency)} if agency else set())


def orient(
    a: Article,
    b: Article,
    coverage_a: float,
    coverage_b: float,
    clues_a: Clues | None = None,
    clues_b: Clues | None = None,
    quotes_only: bool = False,
) -> tuple[bool, str]:
    """Whether `b` is the source (swap) and the direction the evidence supports.

    In order of strength: a page that declares or credits the other's outlet is its copy; two
    pages declaring or crediting the same outlet that neither is from share a `common_source`;
    the earlier `published` is the source; without dates, the text contained in the other is the
    copy. When nothing decides, the more covered article is put as target and the direction is
    `unknown`. Texts that share only quoted speech (`quotes_only`) quoted a common source, unless
    a declared or credited outlet says otherwise.
    """
    swap = coverage_a > coverage_b
    if clues_a is not None and clues_b is not None:
        from_a, from_b = identity(a, clues_a), identity(b, clues_b)
        names_a = _named_origins(clues_a)
        names_b = _named_origins(clues_b)
        a_names_b, b_names_a = bool(names_a & from_b), bool(names_b & from_a)
        if a_names_b != b_names_a:
            return a_names_b, "source_to_target"
        if (names_a & names_b) - from_a - from_b:
            return swap, "common_source"
    if quotes_only:
        return swap, "common_source"
    earlier = published_first(a.published, b.published)
    if earlier is not None:
        return earlier == "b", "source_to_target"
    high, low = max(coverage_a, coverage_b), min(coverage_a, coverage_b)
    if high >= CONTAINED_COVERAGE and high - low >= CONTAINMENT_MARGIN - 1e-9:
        return swap, "source_to_target"
    return swap, "unknown"


def published_first(published_a: str | None, published_b: str | None) -> str | None:
    """"a" or "b", whichever was published first; `None` when unknown or tied. A plain date
    ("2026-03-14") only orders against another day: it says nothing about the hour."""
    date_a, date_b = parse_date(published_a), parse_date(published_b)
    if date_a is None or date_b is None or date_a == date_b:
        return None
    if _date_only(published_a) or _date_only(published_b):
        if date_a.date() == date_b.date():
            return None
    return "a" if date_a < date_b else "b"


def _date_only(published: str | None) -> bool:
    return published is not None and len(published.strip()) <= len("2026-03-14")


def _named_origins(clues: Clues) -> set[str]:
    names = [*clues.credits, clues.agency, clues.declared_source]
    return {outlet_key(n) for n in names if n}


def common_credit(members: Iterable[tuple[Article, Clues]]) -> str | None:
    """The outlet credited or declared by most (at least two) members and that none is from."""
    members = list(members)
    own: set[str] = set()
    for article, clues in members:
        own |= identity(article, clues)
    counts: dict[str, int] = {}
    display: dict[str, str] = {}
    for _, clues in members:
        keys: dict[str, str] = {}
        for name in [*clues.credits, *(n for n in (clues.agency, clues.declared_source) if n)]:
            keys.setdefault(outlet_key(name), name)
        for key, name in keys.items():
            if key not in own:
                counts[key] = counts.get(key, 0) + 1
                display.setdefault(key, name)
    if not counts:
        return None
    key = min(counts, key=lambda k: (-counts[k], display[k]))
    return display[key] if counts[key] >= 2 else None


def explained_by_a_common_source(pairs: Sequence[Pair]) -> list[Pair]:
    """`pairs`, with `common_source` for each pair `A`, `B` sharing passages (`A -> B`, or of
    unknown direction) whose shared text a third article `W`, the source of both, holds on both
    sides (`EXPLAINED_SHARE`): two outlets that each ran a wire story are not each other's
    source, whatever their dates say. What `A` added to `W` and `B` took keeps `A -> B`."""
    sources = copied_into(pairs)
    return [explain(p, sources.get(p.source, {}), sources.get(p.target, {})) for p in pairs]


def copied_into(pairs: Iterable[Pair]) -> dict[str, dict[str, Pair]]:
    """For each article, the copies made of it: its sources' ids and their pairs."""
    sources: dict[str, dict[str, Pair]] = defaultdict(dict)
    for pair in pairs:
        if copied(pair):
            sources[pair.target][pair.source] = pair
    return sources


def explain(pair: Pair, into_source: dict[str, Pair], into_target: dict[str, Pair]) -> Pair:
    """`pair`, `common_source` when a source of both its articles (`into_source`, `into_target`:
    the pairs copied into each, by source) holds what they share (see
    `explained_by_a_common_source`)."""
    if pair.relation == "same_story" or pair.direction == "common_source":
        return pair
    shared_a = [p.source for p in pair.passages]
    shared_b = [p.target for p in pair.passages]
    for origin, to_target in into_target.items():
        to_source = into_source.get(origin)
        if to_source is not None and (
            _inside(shared_a, [p.target for p in to_source.passages]) >= EXPLAINED_SHARE
            and _inside(shared_b, [p.target for p in to_target.passages]) >= EXPLAINED_SHARE
        ):
            return replace(pair, direction="common_source")
    return pair


def copied(pair: Pair) -> bool:
    """Whether `pair` says its target copied its source."""
    return pair.direction == "source_to_target" and pair.relation != "same_story"


def _inside(spans: list[tuple[int, int]], cover: list[tuple[int, int]]) -> float:
    """The share of the characters of `spans` that `cover` covers too."""
    total = union_length(spans)
    return overlap_chars(spans, cover) / total if total else 0.0

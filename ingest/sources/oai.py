"""arXiv OAI-PMH ``ListRecords`` harvesting (arXivRaw or arXiv metadata), resumable per page.

Built on PoliteClient + lxml rather than an OAI client library (e.g. Sickle): those bring
their own ``requests`` session and retry loop, which would bypass our pacing, User-Agent
and Retry-After handling, and they hide the resumption token we must checkpoint after
every page. The protocol part we need is small: one verb, a token loop and error codes.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from lxml import etree
from pydantic import ValidationError

from graph.settings import Settings
from ingest.documents import SourceDocument, arxiv_doc_id
from ingest.errors import FetchError, SourceError
from ingest.http import Fetched, PoliteClient
from ingest.sources.base import Checkpoint, Event, Skip, SourceState

log = logging.getLogger(__name__)

NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "raw": "http://arxiv.org/OAI/arXivRaw/",
    "arxiv": "http://arxiv.org/OAI/arXiv/",
}
MetadataPrefix = Literal["arXiv", "arXivRaw"]
_SPLIT = re.compile(r"(\(|\)|,|;|\s+and\s+)")
_SUFFIX = re.compile(r"^(Jr|Sr)\.?$|^(II|III|IV)$")
_VERSION_NUMBER = re.compile(r"^v(\d+)$")


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def split_authors(raw: str) -> list[str]:
    """Split an arXivRaw ``authors`` string on commas and "and", outside parentheses.

    Parenthesised affiliations are dropped; "Jr."-style suffixes stay with their name.
    """
    names: list[str] = []
    depth, current = 0, ""
    for index, token in enumerate(_SPLIT.split(_clean(raw))):
        separator = index % 2 == 1
        if separator and token == "(":
            depth += 1
        elif separator and token == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and separator:
            names.append(current)
            current = ""
        elif depth == 0:
            current += token
    names.append(current)
    out: list[str] = []
    for name in (_clean(n) for n in names):
        if _SUFFIX.match(name) and out:
            out[-1] = f"{out[-1]} {name}"
        elif name:
            out.append(name)
    return out


def _parse_xml(content: bytes, url: str) -> Any:
    """Hardened lxml parse (no network, no entities, no huge trees, no recovery)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False, load_dtd=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as e:
        raise SourceError(f"{url}: malformed OAI-PMH XML: {e}") from e
    if root is None or root.tag != f"{{{NS['oai']}}}OAI-PMH":
        raise SourceError(f"{url}: not an OAI-PMH response (root element {getattr(root, 'tag', None)!r})")
    return root


def _rfc2822_day(text: str) -> date:
    return parsedate_to_datetime(text).astimezone(UTC).date()


def _document(
    arxiv_id: str,
    title: str | None,
    abstract: str | None,
    authors: list[str],
    categories: str | None,
    published: date | None,
    updated: date | None,
    version: str | None,
    extra: dict[str, str | None],
) -> SourceDocument:
    cats = _clean(categories).split()
    extra = {"primary_category": cats[0] if cats else None, **extra}
    return SourceDocument(
        doc_id=arxiv_doc_id(arxiv_id),
        source="arxiv",
        kind="paper",
        url=f"https://arxiv.org/abs/{arxiv_id}",
        title=_clean(title),
        text=_clean(abstract),
        published=published,
        updated=updated,
        authors=authors,
        categories=cats,
        version=version,
        extra={k: _clean(v) for k, v in extra.items() if _clean(v)},
    )


def _extras(find: Callable[[str], str | None]) -> dict[str, str | None]:
    return {
        "doi": find("doi"),
        "journal_ref": find("journal-ref"),
        "comment": find("comments"),
        "license": find("license"),
    }


def _from_raw(meta: Any) -> SourceDocument:
    find = lambda tag: meta.findtext(f"raw:{tag}", namespaces=NS)  # noqa: E731
    versions: list[tuple[int, str, str]] = []
    for element in meta.iterfind("raw:version", NS):
        label = element.get("version") or ""
        number = _VERSION_NUMBER.match(label)
        if number is None:
            raise ValueError(f"unreadable version label {label!r}")
        versions.append((int(number[1]), label, _clean(element.findtext("raw:date", namespaces=NS))))
    if not versions:
        raise ValueError("no <version> elements")
    versions.sort()
    return _document(
        _clean(find("id")),
        find("title"),
        find("abstract"),
        split_authors(find("authors") or ""),
        find("categories"),
        published=_rfc2822_day(versions[0][2]),
        updated=_rfc2822_day(versions[-1][2]),
        version=versions[-1][1],
        extra=_extras(find),
    )


def _from_arxiv(meta: Any) -> SourceDocument:
    find = lambda tag: meta.findtext(f"arxiv:{tag}", namespaces=NS)  # noqa: E731
    authors = []
    for author in meta.iterfind("arxiv:authors/arxiv:author", NS):
        parts = [author.findtext(f"arxiv:{t}", namespaces=NS) for t in ("forenames", "keyname", "suffix")]
        authors.append(_clean(" ".join(p for p in parts if p)))
    created = find("created")
    changed = find("updated") or created
    return _document(
        _clean(find("id")),
        find("title"),
        find("abstract"),
        [a for a in authors if a],
        find("categories"),
        published=date.fromisoformat(_clean(created)) if created else None,
        updated=date.fromisoformat(_clean(changed)) if changed else None,
        version=None,
        extra=_extras(find),
    )


def record_to_event(record: Any) -> SourceDocument | Skip:
    """Map one ``<record>``; deleted or unreadable records become Skips naming the item."""
    header = record.find("oai:header", NS)
    identifier = _clean(header.findtext("oai:identifier", namespaces=NS)) if header is not None else ""
    item = identifier or "record without identifier"
    if header is not None and header.get("status") == "deleted":
        return Skip(item, "deleted record")
    raw = record.find("oai:metadata/raw:arXivRaw", NS)
    plain = record.find("oai:metadata/arxiv:arXiv", NS)
    meta = raw if raw is not None else plain
    if meta is None:
        return Skip(item, "no arXivRaw or arXiv metadata")
    arxiv_id = _clean(meta.findtext("raw:id" if raw is not None else "arxiv:id", namespaces=NS))
    if not arxiv_id:
        return Skip(item, "missing <id>")
    try:
        return _from_raw(meta) if raw is not None else _from_arxiv(meta)
    except ValidationError as e:
        reason = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
        return Skip(arxiv_doc_id(arxiv_id), f"invalid record: {reason}")
    except (TypeError, ValueError) as e:
        return Skip(arxiv_doc_id(arxiv_id), f"unreadable record: {e}")


@dataclass(frozen=True)
class _Harvest:
    from_date: date
    until: date | None
    token: str | None
    started: date


class OaiPmhSource:
    """ListRecords for one set over a datestamp window, following resumption tokens.

    The cursor after each page holds the token plus set/prefix/window, so an interrupted
    harvest resumes from the last committed page. A finished open-ended harvest leaves only
    ``next_from``, the day it began (not the day a resumed run finished, which would miss
    records stamped in between); otherwise ``from`` is the day of the last success, or
    ``default_days`` back. Overlapping days are re-read harmlessly: documents are idempotent.
    """

    def __init__(
        self,
        client: PoliteClient,
        base_url: str,
        set_spec: str = "cs",
        metadata_prefix: MetadataPrefix = "arXivRaw",
        from_date: date | None = None,
        until: date | None = None,
        default_days: int = 7,
        min_interval: float = 3.0,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self.client = client
        self.base_url = base_url
        self.set_spec = set_spec
        self.metadata_prefix = metadata_prefix
        self.from_date = from_date
        self.until = until
        self.default_days = default_days
        self.min_interval = min_interval
        self._today = today
        self.name = f"oai:{set_spec}"

    def fetch(self, state: SourceState | None) -> Iterator[Event]:
        """Yield each page's records then a Checkpoint with its resumption token."""
        plan = self._plan(state)
        token, restarted = plan.token, False
        while True:
            root, url = self._get(self._params(plan, token))
            error = root.find("oai:error", NS)
            if error is not None:
                code, message = error.get("code") or "unknown", _clean(error.text)
                if code == "noRecordsMatch":
                    yield self._finished(plan)
                    return
                if code == "badResumptionToken" and token is not None and not restarted:
                    restart = f"restarting the harvest from {plan.from_date.isoformat()}"
                    yield Skip(f"resumptionToken {token}", f"badResumptionToken ({message}); {restart}")
                    token, restarted = None, True
                    continue
                raise SourceError(f"{url}: OAI-PMH error {code}: {message or 'no message'}")
            records = root.find("oai:ListRecords", NS)
            if records is None:
                raise SourceError(f"{url}: OAI-PMH response has neither ListRecords nor error")
            for record in records.iterfind("oai:record", NS):
                yield record_to_event(record)
            token = _clean(records.findtext("oai:resumptionToken", namespaces=NS)) or None
            if token is None:
                yield self._finished(plan)
                return
            yield Checkpoint(self._cursor(plan, token))

    def _plan(self, state: SourceState | None) -> _Harvest:
        """Resume a stored token for the same set/prefix/window, else start a fresh window."""
        cursor: dict[str, Any] = {}
        if state is not None and state.cursor:
            try:
                loaded = json.loads(state.cursor)
                cursor = loaded if isinstance(loaded, dict) else {}
            except json.JSONDecodeError:
                log.warning("%s: ignoring an unreadable cursor %r", self.name, state.cursor)
        same = cursor.get("set") == self.set_spec and cursor.get("prefix") == self.metadata_prefix
        if same and cursor.get("token"):
            try:
                stored_from = date.fromisoformat(cursor["from"])
                stored_until = date.fromisoformat(cursor["until"]) if cursor.get("until") else None
            except (KeyError, TypeError, ValueError):
                stored_from, stored_until = None, None
            if stored_from is not None and self.from_date in (None, stored_from) and self.until in (None, stored_until):
                started = _day(cursor.get("started")) or stored_from
                return _Harvest(stored_from, stored_until, str(cursor["token"]), started)
        today = self._today()
        if self.from_date is not None:
            start = self.from_date
        elif same and (next_from := _day(cursor.get("next_from"))):
            start = next_from
        elif state is not None and state.last_success is not None:
            start = state.last_success.astimezone(UTC).date()
        else:
            start = today - timedelta(days=self.default_days)
        return _Harvest(start, self.until, None, today)

    def _finished(self, plan: _Harvest) -> Checkpoint:
        """End of the list: an open-ended harvest remembers where the next one starts."""
        if plan.until is not None:
            return Checkpoint(None)
        cursor = {"set": self.set_spec, "prefix": self.metadata_prefix, "next_from": plan.started.isoformat()}
        return Checkpoint(json.dumps(cursor, sort_keys=True))

    def _cursor(self, plan: _Harvest, token: str) -> str:
        cursor = {
            "set": self.set_spec,
            "prefix": self.metadata_prefix,
            "from": plan.from_date.isoformat(),
            "until": plan.until.isoformat() if plan.until else None,
            "token": token,
            "started": plan.started.isoformat(),
        }
        return json.dumps(cursor, sort_keys=True)

    def _params(self, plan: _Harvest, token: str | None) -> dict[str, str]:
        if token is not None:
            return {"verb": "ListRecords", "resumptionToken": token}
        params = {"verb": "ListRecords", "metadataPrefix": self.metadata_prefix, "from": plan.from_date.isoformat()}
        if self.set_spec:
            params["set"] = self.set_spec
        if plan.until is not None:
            params["until"] = plan.until.isoformat()
        return params

    def _get(self, params: dict[str, str]) -> tuple[Any, str]:
        """Fetch and parse one page; OAI errors may come with a 4xx status, so parse those too."""
        got = self.client.get(self.base_url, params=params, min_interval=self.min_interval, retry_empty=_blank)
        if got.status == 200:
            return _parse_xml(got.content, got.url), got.url
        try:
            root = _parse_xml(got.content, got.url)
        except SourceError:
            root = None
        if root is not None and root.find("oai:error", NS) is not None:
            return root, got.url
        raise FetchError(f"{got.url}: HTTP {got.status}")


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _blank(got: Fetched) -> bool:
    """A 200 with an empty body is a truncated reply, worth retrying."""
    return not got.content.strip()


def oai_source(
    settings: Settings,
    client: PoliteClient,
    set_spec: str | None = None,
    from_date: date | None = None,
    until: date | None = None,
) -> OaiPmhSource:
    """An :class:`OaiPmhSource` configured from settings (endpoint, set, metadata format, pacing)."""
    return OaiPmhSource(
        client,
        base_url=settings.oai_url,
        set_spec=settings.oai_set if set_spec is None else set_spec,
        metadata_prefix=settings.oai_metadata_prefix,
        from_date=from_date,
        until=until,
        min_interval=settings.arxiv_min_interval,
    )

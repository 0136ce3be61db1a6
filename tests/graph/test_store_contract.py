"""The GraphStore contract: every test here runs on the embedded store and on a real Neo4j."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from graph.model import (
    Benchmark,
    Claim,
    Document,
    DocumentKind,
    Milestone,
    Model,
    Node,
    Organization,
    Signal,
    SourceKind,
    Unit,
)
from graph.schema import Label, RelType
from graph.store import ClaimQuery, GraphStore, InvalidInputError, MissingReferenceError, iter_claims

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
T2 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def entities() -> list[Node]:
    return [
        Organization(id="openai", name="OpenAI", url="https://openai.com"),
        Organization(id="anthropic", name="Anthropic"),
        Model(id="gpt-4o", name="GPT-4o", aliases=["gpt-4o"], organization_id="openai", release_date=date(2024, 5, 13)),
        Model(id="o3", name="o3", organization_id="openai", open_weights=False),
        Model(id="claude-3-7-sonnet", name="Claude 3.7 Sonnet", organization_id="anthropic"),
        Benchmark(id="swe-bench", name="SWE-bench", capabilities=["coding"], item_count=2294),
        Benchmark(
            id="swe-bench-verified",
            name="SWE-bench Verified",
            variant_of="swe-bench",
            capabilities=["coding"],
            ceiling=100,
        ),
        Benchmark(id="swe-bench-verified-mini", name="SWE-bench Verified Mini", variant_of="swe-bench-verified"),
        Benchmark(id="gpqa-diamond", name="GPQA Diamond", capabilities=["science-qa"], human_baseline=69.7),
        Document(id="url:https://openai.com/a", kind=DocumentKind.ANNOUNCEMENT, title="A", organization_id="openai"),
        Document(id="arxiv:2501.00001", kind=DocumentKind.PAPER, title="P", authors=["Ada Lovelace", "Alan Turing"]),
    ]


def claim(
    model: str, bench: str, value: float, day: date, doc: str = "url:https://openai.com/a", **kw: object
) -> Claim:
    base: dict[str, object] = {
        "document_id": doc,
        "model_id": model,
        "benchmark_id": bench,
        "value": value,
        "unit": Unit.PERCENT,
        "source_kind": SourceKind.SELF_REPORTED,
        "reported_date": day,
        "recorded_at": T0,
        "evidence_sentence": f"{model} scores {value}% on {bench}.",
        "evidence_start": 10,
        "evidence_end": 40,
    }
    base.update(kw)
    return Claim.model_validate(base)


def claims() -> list[Claim]:
    return [
        claim("gpt-4o", "swe-bench-verified", 33.2, date(2024, 5, 13)),
        claim("o3", "swe-bench-verified", 71.7, date(2024, 12, 20)),
        claim("o3", "swe-bench-verified", 69.1, date(2025, 4, 16), setting="no scaffold"),
        claim(
            "claude-3-7-sonnet",
            "swe-bench-verified",
            62.3,
            date(2025, 2, 24),
            doc="arxiv:2501.00001",
            source_kind=SourceKind.THIRD_PARTY,
        ),
        claim("claude-3-7-sonnet", "swe-bench-verified-mini", 50.0, date(2025, 3, 1), doc="arxiv:2501.00001"),
        claim("gpt-4o", "gpqa-diamond", 53.6, date(2024, 5, 13)),
        claim("o3", "swe-bench", 40.0, date(2025, 1, 5), source_kind=SourceKind.LEADERBOARD),
    ]


@pytest.fixture
def world(store: GraphStore) -> GraphStore:
    store.init_schema()
    store.upsert(entities())
    store.upsert(claims())
    return store


def snapshot(store: GraphStore) -> tuple[object, ...]:
    nodes = {
        label: [n.model_dump() for n in store.list_nodes(label, limit=1000).items]
        for label in (
            Label.ORGANIZATION,
            Label.MODEL,
            Label.BENCHMARK,
            Label.DOCUMENT,
            Label.AUTHOR,
            Label.CAPABILITY,
            Label.CLAIM,
        )
    }
    return (store.counts().model_dump(), nodes)


def test_upserting_everything_twice_changes_nothing(world: GraphStore) -> None:
    before = snapshot(world)
    later = [c.model_copy(update={"recorded_at": T2}) for c in claims()]
    world.upsert(entities())
    world.upsert(later)
    world.init_schema()
    assert snapshot(world) == before
    assert world.get(Label.CLAIM, claims()[0].id).recorded_at == T0  # type: ignore[union-attr]


def test_counts_cover_nodes_and_owned_relationships(world: GraphStore) -> None:
    counts = world.counts()
    assert counts.nodes == {
        "Organization": 2,
        "Capability": 2,
        "Author": 2,
        "Model": 3,
        "Benchmark": 4,
        "Document": 2,
        "Claim": 7,
    }
    assert counts.relationships == {
        "AUTHORED": 2,
        "DEVELOPED_BY": 3,
        "MEASURES": 3,
        "OF_MODEL": 7,
        "ON_BENCHMARK": 7,
        "PUBLISHED_BY": 1,
        "REPORTS": 7,
        "VARIANT_OF": 2,
    }


def test_get_round_trips_every_node_type(world: GraphStore) -> None:
    for node in entities():
        label = Label(node.label)
        got = world.get(label, node.id)
        assert got is not None
        if isinstance(node, Document):
            assert got.model_dump(exclude={"recorded_at"}) == node.model_dump(exclude={"recorded_at"})
        else:
            assert got == node
    assert world.get(Label.MODEL, "no-such-model") is None
    assert isinstance(world.get(Label.PAPER, "arxiv:2501.00001"), Document)


def test_provenance_round_trips_exactly(world: GraphStore) -> None:
    text = "Auf SWE-bench Verified erreicht 模型 «o3» 71,7 % — pass@1 ✓ (n=500)."
    c = claim(
        "o3",
        "swe-bench-verified",
        71.7,
        date(2025, 1, 1),
        evidence_sentence=text,
        evidence_start=1234,
        evidence_end=1234 + len(text),
        confidence=0.8125,
        needs_review=True,
        extractor_version="nlp/0.3.1",
        metric="pass@1",
        setting="high effort",
        source_url="https://example.org/ünïcode?q=1",
    )
    world.upsert([c])
    got = world.get(Label.CLAIM, c.id)
    assert got == c
    assert isinstance(got, Claim)
    assert (got.evidence_sentence, got.evidence_start, got.evidence_end) == (text, 1234, 1234 + len(text))


def test_very_long_strings_survive(world: GraphStore) -> None:
    long_title = "Ω" * 50_000 + "end"
    long_sentence = "x" * 200_000
    doc = Document(id="url:https://example.org/long", kind=DocumentKind.WEBPAGE, title=long_title)
    c = claim(
        "o3",
        "gpqa-diamond",
        87.7,
        date(2025, 1, 1),
        doc=doc.id,
        evidence_sentence=long_sentence,
        evidence_start=0,
        evidence_end=len(long_sentence),
    )
    world.upsert([doc, c])
    assert world.get(Label.DOCUMENT, doc.id).title == long_title  # type: ignore[union-attr]
    assert world.get(Label.CLAIM, c.id).evidence_sentence == long_sentence  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (ClaimQuery(benchmark_id="swe-bench-verified"), {33.2, 71.7, 69.1, 62.3}),
        (ClaimQuery(benchmark_id="swe-bench", include_variants=True), {33.2, 71.7, 69.1, 62.3, 50.0, 40.0}),
        (ClaimQuery(model_id="o3"), {71.7, 69.1, 40.0}),
        (ClaimQuery(organization_id="anthropic"), {62.3, 50.0}),
        (ClaimQuery(document_id="arxiv:2501.00001"), {62.3, 50.0}),
        (ClaimQuery(date_from=date(2025, 1, 1), date_to=date(2025, 2, 28)), {62.3, 40.0}),
        (ClaimQuery(source_kind=SourceKind.THIRD_PARTY), {62.3}),
        (ClaimQuery(setting="no scaffold"), {69.1}),
        (ClaimQuery(model_id="o3", benchmark_id="swe-bench-verified", date_to=date(2025, 1, 1)), {71.7}),
        (ClaimQuery(organization_id="nobody"), set()),
    ],
)
def test_claim_filters(world: GraphStore, query: ClaimQuery, expected: set[float]) -> None:
    assert {c.value for c in world.list_claims(query, limit=100).items} == expected


def test_claims_come_in_report_date_order_and_paginate_without_gaps(world: GraphStore) -> None:
    full = world.list_claims(ClaimQuery(), limit=100).items
    assert [c.reported_date for c in full] == sorted(c.reported_date for c in full)
    for descending in (False, True):
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            page = world.list_claims(ClaimQuery(descending=descending), limit=2, cursor=cursor)
            seen += [c.id for c in page.items]
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
        expected = [c.id for c in full]
        assert seen == (expected[::-1] if descending else expected)
        assert pages == 4
    assert [c.id for c in iter_claims(world, ClaimQuery(), page_size=3)] == [c.id for c in full]


def test_benchmark_claims_over_time(world: GraphStore) -> None:
    got = world.benchmark_claims("swe-bench-verified")  # type: ignore[attr-defined]
    assert [c.value for c in got] == [33.2, 71.7, 62.3, 69.1]
    fam = world.benchmark_claims("swe-bench", include_variants=True)  # type: ignore[attr-defined]
    assert len(fam) == 6


def test_as_of_reads_what_was_believed_then(world: GraphStore) -> None:
    late = claim("o3", "gpqa-diamond", 87.7, date(2024, 12, 20), recorded_at=T2)
    world.upsert([late])
    assert late.id not in {c.id for c in world.list_claims(ClaimQuery(as_of=T1), limit=100).items}
    assert late.id in {c.id for c in world.list_claims(ClaimQuery(as_of=T2), limit=100).items}
    assert late.id in {c.id for c in world.list_claims(ClaimQuery(as_of=date(2026, 6, 1)), limit=100).items}
    assert world.list_claims(ClaimQuery(as_of=datetime(2025, 1, 1, tzinfo=UTC)), limit=100).items == []


def test_superseded_claims_leave_current_reads_but_stay_for_as_of(world: GraphStore) -> None:
    old = claims()[1]
    corrected = claim("o3", "swe-bench-verified", 71.2, old.reported_date, recorded_at=T1, extractor_version="v2")
    world.upsert([corrected])
    assert world.supersede([old.id], corrected.id) == 1
    current = {c.id for c in world.list_claims(ClaimQuery(model_id="o3"), limit=100).items}
    assert corrected.id in current and old.id not in current
    before = {c.id for c in world.list_claims(ClaimQuery(model_id="o3", as_of=T0), limit=100).items}
    assert old.id in before and corrected.id not in before
    every = world.list_claims(ClaimQuery(model_id="o3", include_superseded=True), limit=100).items
    assert old.id in {c.id for c in every}
    stored = world.get(Label.CLAIM, old.id)
    assert isinstance(stored, Claim) and stored.superseded_at == T1
    assert any(n.rel is RelType.SUPERSEDES and n.id == old.id for n in world.neighbours(Label.CLAIM, corrected.id))
    world.upsert([old])  # re-upserting the old claim must not revive it
    assert old.id not in {c.id for c in world.list_claims(ClaimQuery(model_id="o3"), limit=100).items}


def test_document_with_claims(world: GraphStore) -> None:
    result = world.document_with_claims("arxiv:2501.00001")
    assert result is not None
    assert result.document.authors == ["Ada Lovelace", "Alan Turing"]
    assert {c.value for c in result.claims} == {62.3, 50.0}
    assert all(c.evidence_sentence for c in result.claims)
    assert world.document_with_claims("arxiv:0000.00000") is None


def test_neighbours_and_variants(world: GraphStore) -> None:
    near = world.neighbours(Label.MODEL, "o3")
    assert {(n.rel, n.direction, n.label) for n in near} == {
        (RelType.DEVELOPED_BY, "out", Label.ORGANIZATION),
        (RelType.OF_MODEL, "in", Label.CLAIM),
    }
    assert len([n for n in near if n.rel is RelType.OF_MODEL]) == 3
    org = world.neighbours(Label.MODEL, "o3", rel=RelType.DEVELOPED_BY)
    assert [(n.id, n.name) for n in org] == [("openai", "OpenAI")]
    assert len(world.neighbours(Label.MODEL, "o3", limit=1)) == 1
    assert world.variants("swe-bench") == ["swe-bench", "swe-bench-verified", "swe-bench-verified-mini"]
    assert world.variants("gpqa-diamond") == ["gpqa-diamond"]


def test_owned_edges_follow_the_node(world: GraphStore) -> None:
    world.upsert([Model(id="o3", name="o3", organization_id="anthropic")])
    orgs = [n.id for n in world.neighbours(Label.MODEL, "o3", rel=RelType.DEVELOPED_BY)]
    assert orgs == ["anthropic"]
    world.upsert([Model(id="o3", name="o3")])
    assert world.neighbours(Label.MODEL, "o3", rel=RelType.DEVELOPED_BY) == []


def test_milestones_signals_and_free_relationships(world: GraphStore) -> None:
    c = claims()[1]
    m = Milestone(
        kind="new_sota", date=c.reported_date, benchmark_id=c.benchmark_id, model_id=c.model_id, claim_ids=[c.id]
    )
    s = Signal(
        kind="autonomous_research",
        date=date(2025, 1, 2),
        score=0.91,
        text="An agent replicated a paper.",
        capability_id="research-replication",
        based_on=[c.id, m.id, "arxiv:2501.00001"],
    )
    world.upsert([m, s])
    assert world.get(Label.MILESTONE, m.id) == m
    assert world.get(Label.SIGNAL, s.id) == s
    rels = {(n.rel, n.label) for n in world.neighbours(Label.SIGNAL, s.id)}
    assert rels == {
        (RelType.ABOUT, Label.CAPABILITY),
        (RelType.BASED_ON, Label.CLAIM),
        (RelType.BASED_ON, Label.MILESTONE),
        (RelType.BASED_ON, Label.DOCUMENT),
    }
    assert world.upsert_relationships(RelType.INTRODUCES, [("arxiv:2501.00001", "swe-bench-verified-mini")]) == 1
    assert world.counts().relationships["INTRODUCES"] == 1
    with pytest.raises(MissingReferenceError, match="no-such-bench"):
        world.upsert_relationships(RelType.INTRODUCES, [("arxiv:2501.00001", "no-such-bench")])


def test_list_nodes_paginates_by_id(world: GraphStore) -> None:
    first = world.list_nodes(Label.BENCHMARK, limit=3)
    assert [b.id for b in first.items] == ["gpqa-diamond", "swe-bench", "swe-bench-verified"]
    rest = world.list_nodes(Label.BENCHMARK, limit=3, cursor=first.next_cursor)
    assert [b.id for b in rest.items] == ["swe-bench-verified-mini"] and rest.next_cursor is None


def test_networkx_view(world: GraphStore) -> None:
    g = world.to_networkx()
    assert g.nodes["Model:o3"]["label"] == "Model"
    assert g.has_edge("Model:o3", "Organization:openai", key="DEVELOPED_BY")
    assert g.number_of_edges() == sum(world.counts().relationships.values())
    assert g.number_of_nodes() == sum(world.counts().nodes.values())


def test_missing_references_write_nothing(world: GraphStore) -> None:
    before = snapshot(world)
    good = claim("o3", "gpqa-diamond", 80.0, date(2025, 1, 1))
    bad = claim("ghost-model", "gpqa-diamond", 10.0, date(2025, 1, 1))
    with pytest.raises(MissingReferenceError, match="ghost-model"):
        world.upsert([good, bad])
    with pytest.raises(MissingReferenceError, match="Organization"):
        world.upsert([Model(id="m2", name="M2", organization_id="nowhere")])
    with pytest.raises(MissingReferenceError):
        world.supersede(["clm_nope"], claims()[0].id)
    assert snapshot(world) == before


def test_invalid_reads_and_inputs_fail_clearly(world: GraphStore) -> None:
    with pytest.raises(InvalidInputError, match="cursor"):
        world.list_claims(ClaimQuery(), cursor="not-a-cursor")
    with pytest.raises(InvalidInputError, match="limit"):
        world.list_claims(ClaimQuery(), limit=0)
    with pytest.raises(InvalidInputError, match="not a graph node"):
        world.upsert([object()])  # type: ignore[list-item]
    with pytest.raises(InvalidInputError, match="itself"):
        world.supersede([claims()[0].id], claims()[0].id)
    with pytest.raises(ValidationError, match="finite"):
        claim("o3", "gpqa-diamond", float("nan"), date(2025, 1, 1))
    with pytest.raises(ValidationError, match="does not match its content"):
        Claim.model_validate({**claims()[0].model_dump(), "id": "clm_forged", "value": 99.0})


def test_clear_empties_the_store(world: GraphStore) -> None:
    world.clear()
    assert world.counts().nodes == {}
    assert world.list_claims(ClaimQuery()).items == []


def test_claim_rows_match_the_full_claims(world: GraphStore) -> None:
    query = ClaimQuery(benchmark_id="swe-bench-verified", include_variants=True)
    full = list(iter_claims(world, query))
    rows = world.claim_rows(query)
    assert [r.id for r in rows] == [c.id for c in full]
    for row, c in zip(rows, full, strict=True):
        assert (row.value, row.unit, row.reported_date, row.setting, row.source_kind, row.document_id) == (
            c.value, c.unit.value, c.reported_date, c.setting, c.source_kind.value, c.document_id)  # fmt: skip
    assert world.claim_rows(ClaimQuery(benchmark_id="swe-bench-verified", descending=True))[0].value == 69.1


def test_get_many_returns_only_what_exists(world: GraphStore) -> None:
    found = world.get_many(Label.MODEL, ["o3", "gpt-4o", "nope", "o3"])
    assert sorted(found) == ["gpt-4o", "o3"] and isinstance(found["o3"], Model)
    some = claims()[:2]
    assert set(world.get_many(Label.CLAIM, [c.id for c in some])) == {c.id for c in some}
    assert world.get_many(Label.BENCHMARK, []) == {}


def test_relationships_by_type(world: GraphStore) -> None:
    assert ("swe-bench-verified", "swe-bench") in world.relationships(RelType.VARIANT_OF)
    assert world.relationships(RelType.INTRODUCES) == []
    world.upsert_relationships(RelType.INTRODUCES, [("arxiv:2501.00001", "gpqa-diamond")])
    assert world.relationships(RelType.INTRODUCES) == [("arxiv:2501.00001", "gpqa-diamond")]


def test_delete_removes_derived_nodes_with_their_edges_only(world: GraphStore) -> None:
    target = claims()[0]
    m = Milestone(kind="new_sota", date=date(2025, 1, 1), claim_ids=[target.id], origin="computed")
    s = Signal(kind="acceleration", date=date(2025, 1, 1), score=0.9, based_on=[m.id], origin="computed")
    world.upsert([m])
    world.upsert([s])
    before = world.counts()
    assert world.delete(Label.SIGNAL, [s.id]) == 1 and world.delete(Label.MILESTONE, [m.id]) == 1
    after = world.counts()
    assert "Milestone" not in after.nodes and "EVIDENCED_BY" not in after.relationships
    assert after.nodes["Claim"] == before.nodes["Claim"]
    with pytest.raises(InvalidInputError, match="never deleted"):
        world.delete(Label.CLAIM, [target.id])


def test_review_fields_survive_upserts(world: GraphStore) -> None:
    target = claims()[1]
    world.review(target.id, "accepted", "analyst@example.org", T1)
    world.upsert([target.model_copy(update={"confidence": 0.5})])
    got = world.get(Label.CLAIM, target.id)
    assert isinstance(got, Claim) and got.confidence == 0.5
    assert (got.review_status, got.reviewed_by, got.reviewed_at) == ("accepted", "analyst@example.org", T1)
    [row] = [r for r in world.claim_rows(ClaimQuery(benchmark_id="swe-bench-verified")) if r.id == target.id]
    assert row.review_status == "accepted"
    with pytest.raises(MissingReferenceError):
        world.review("clm_missing", "rejected", "x", T1)

"""The review queue's decisions: accept, reject or correct a low-confidence claim.

Every decision is recorded twice: on the claim (``review_status``, ``reviewed_by``,
``reviewed_at``, which analyses read) and as an immutable ``Review`` node linked to the claim
(the audit trail). A correction never overwrites: it writes a new claim with the corrected
fields and the original evidence, and the new claim supersedes the old one (as-of reads still
see the original).
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.errors import InvalidInputError, NotFoundError
from graph.model import Claim, Review, utc_now
from graph.schema import Label
from graph.store import GraphStore

REVIEW_EXTRACTOR = "review/1"
ACTIONS = {"accept": "accepted", "reject": "rejected", "correct": "corrected"}


class ReviewConflictError(InvalidInputError):
    """The claim cannot be reviewed in its current state (already superseded)."""


@dataclass
class ReviewOutcome:
    claim: Claim
    review: Review
    corrected: Claim | None = None


def review_claim(
    store: GraphStore,
    claim_id: str,
    action: str,
    reviewer: str,
    note: str = "",
    correction: dict[str, object] | None = None,
) -> ReviewOutcome:
    """Apply one review decision (see the module doc); raises NotFoundError, InvalidInputError."""
    if action not in ACTIONS:
        raise InvalidInputError(f"action {action!r} is not one of accept, reject, correct")
    claim = store.get(Label.CLAIM, claim_id)
    if not isinstance(claim, Claim):
        raise NotFoundError(f"no claim with id {claim_id!r}")
    if claim.superseded_at is not None:
        raise ReviewConflictError(
            f"claim {claim_id} was superseded on {claim.superseded_at:%Y-%m-%d}; review its successor"
        )
    now = utc_now()
    corrected: Claim | None = None
    if action == "correct":
        corrected = _corrected(store, claim, correction or {}, now)
    elif correction:
        raise InvalidInputError("a correction is only allowed with action 'correct'")
    review = Review(claim_id=claim.id, action=ACTIONS[action], reviewer=reviewer, note=note,
                    corrected_claim_id=corrected.id if corrected else None, recorded_at=now)  # fmt: skip
    if corrected is not None:
        store.upsert([corrected])
        store.supersede([claim.id], corrected.id)
        store.review(corrected.id, "accepted", reviewer, now)
    store.review(claim.id, ACTIONS[action], reviewer, now)
    store.upsert([review])
    updated = store.get(Label.CLAIM, claim.id)
    fresh = store.get(Label.CLAIM, corrected.id) if corrected else None
    return ReviewOutcome(updated if isinstance(updated, Claim) else claim, review,
                         fresh if isinstance(fresh, Claim) else None)  # fmt: skip


def _corrected(store: GraphStore, claim: Claim, fields: dict[str, object], now: object) -> Claim:
    changes = {k: v for k, v in fields.items() if v is not None}
    if not changes:
        raise InvalidInputError(
            "a correction needs at least one corrected field (value, unit, setting, model, benchmark)"
        )
    update: dict[str, object] = {
        "id": "", "extractor_version": REVIEW_EXTRACTOR, "confidence": 1.0, "needs_review": False, "recorded_at": now,
        "superseded_at": None, "review_status": None, "reviewed_by": None, "reviewed_at": None,
    }  # fmt: skip
    for field, target in (("value", "value"), ("unit", "unit"), ("setting", "setting"),
                          ("model", "model_id"), ("benchmark", "benchmark_id")):  # fmt: skip
        if field in changes:
            update[target] = changes[field]
    for label, key in ((Label.MODEL, "model_id"), (Label.BENCHMARK, "benchmark_id")):
        if key in update and store.get(label, str(update[key])) is None:
            raise InvalidInputError(f"correction names {label.value.lower()} {update[key]!r}, which does not exist")
    data = claim.model_dump()
    data.update(update)
    corrected = Claim.model_validate(data)
    if corrected.id == claim.id:
        raise InvalidInputError("the correction changes nothing that identifies the claim")
    return corrected

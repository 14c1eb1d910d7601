"""Repeats of one matter (issue 12 §4; seed 004 五(二)2(4):
已经作出答复且无新的事实和理由而重复投诉的).

Two complaints are about the same matter when they are about the same department, their texts
are alike and, where both give a contact, the contact is the same. Texts are compared by the
Jaccard similarity of their sets of character pairs, estimated by a MinHash signature of
SLOTS values stored as indexed rows (RepeatKey): the complaints sharing at least
MIN_SHARED slots with a new one are found by one GROUP BY on the index (department, slot,
value), in a fixed number of queries however many complaints the department has.
"""

import hashlib
from dataclasses import dataclass

from django.db.models import Count, Q

from core.search import pairs

from ..choices import FINAL_STATES, ComplaintState
from ..models import Complaint, RepeatKey

# This product's defaults: 32 slots estimate a similarity to within about ±0.09; a complaint
# sharing half of them (an estimated Jaccard similarity of 0.5 or more) is offered as a repeat.
SLOTS = 32
MIN_SHARED = 16
_MASK = (1 << 62) - 1


def _slot_hash(slot: int, token: str) -> int:
    digest = hashlib.blake2b(token.encode(), digest_size=8, salt=slot.to_bytes(2, "big") * 8)
    return int.from_bytes(digest.digest(), "big") & _MASK


def signature(text: str) -> list[int]:
    """The MinHash signature of the set of character pairs of `text` (core.search.pairs):
    per slot, the least hash of any pair. Empty text: no signature."""
    tokens = {token for token in pairs(text) if len(token) == 2}
    if not tokens:
        return []
    return [min(_slot_hash(slot, token) for token in tokens) for slot in range(SLOTS)]


def contact_key(phone: str, email: str) -> str:
    """The contact as compared: the phone's digits (the last eleven, so +86 and 0086 do not
    matter), else the e-mail address in lower case."""
    digits = "".join(character for character in phone if character.isdigit())
    if digits:
        return digits[-11:]
    return email.strip().lower()


def repeat_keys_save(complaint: Complaint) -> None:
    """The complaint's signature rows (not a tracked model: plain bulk_create is right)."""
    text = f"{complaint.facts}\n{complaint.reasons}"
    RepeatKey.objects.bulk_create(
        [
            RepeatKey(
                complaint=complaint, department_id=complaint.department_id, slot=slot, value=v
            )
            for slot, v in enumerate(signature(text))
        ]
    )


@dataclass(frozen=True)
class Repeat:
    """An earlier complaint about the same matter: `similarity` is the estimated share of
    character pairs the texts have in common; `answered` says whether it was answered (the
    repeat is then a refusal ground), else it is still open (the two are merged)."""

    complaint: Complaint
    similarity: float

    @property
    def answered(self) -> bool:
        return self.complaint.state == ComplaintState.CLOSED

    @property
    def reviews_exhausted(self) -> bool:
        return self.complaint.review_round >= 2


def repeats_of(complaint: Complaint, *, limit: int = 5) -> list[Repeat]:
    """The earlier complaints of the same matter, most alike first: two queries for any number
    of complaints (the signature's slots matched on the index, then the candidates read)."""
    mine = list(
        RepeatKey.objects.filter(complaint=complaint).values_list("slot", "value").order_by("slot")
    )
    if not mine:
        return []
    matching = Q()
    for slot, value in mine:
        matching |= Q(slot=slot, value=value)
    shared = (
        RepeatKey.objects.filter(matching, department_id=complaint.department_id)
        .exclude(complaint_id=complaint.pk)
        .values("complaint_id")
        .annotate(shared=Count("id"))
        .filter(shared__gte=MIN_SHARED)
        .order_by("-shared", "complaint_id")
    )
    counts = {row["complaint_id"]: row["shared"] for row in shared[: limit * 4]}
    if not counts:
        return []
    candidates = (
        Complaint.objects.filter(pk__in=counts, received_at__lte=complaint.received_at)
        .exclude(state__in=FINAL_STATES)
        .select_related("department")
    )
    if complaint.contact_key:
        # Where both give a contact it must be the same; an anonymous earlier one may match.
        candidates = candidates.filter(Q(contact_key=complaint.contact_key) | Q(contact_key=""))
    found = [Repeat(candidate, counts[candidate.pk] / len(mine)) for candidate in candidates]
    found.sort(key=lambda repeat: (-repeat.similarity, repeat.complaint.received_at))
    return found[:limit]

"""The status workflow of a draft: 受付 → 確認中 → 担当課調整中 → マッチング済 / 民民連携へ / 見送り.

差し戻し中 is entered by returning a draft for revision (not by a status change): the proposer's
resubmission puts it back where it was. The content's status notices are checked against these names.
"""

from __future__ import annotations

RECEIVED = "受付"
CHECKING = "確認中"
COORDINATING = "担当課調整中"
MATCHED = "マッチング済"
TO_MINMIN = "民民連携へ"
DECLINED = "見送り"
RETURNED = "差し戻し中"

STATUSES = (RECEIVED, CHECKING, COORDINATING, MATCHED, TO_MINMIN, DECLINED, RETURNED)
RETURNABLE = (RECEIVED, CHECKING, COORDINATING)  # a draft staff may return for revision

# A closed draft can be opened again for checking (a mistake, new information).
NEXT: dict[str, tuple[str, ...]] = {
    RECEIVED: (CHECKING, DECLINED),
    CHECKING: (COORDINATING, TO_MINMIN, DECLINED),
    COORDINATING: (MATCHED, TO_MINMIN, DECLINED),
    MATCHED: (CHECKING,),
    TO_MINMIN: (CHECKING,),
    DECLINED: (CHECKING,),
    RETURNED: (DECLINED,),
}


def can_move(current: str, new: str) -> bool:
    return new in NEXT.get(current, ())

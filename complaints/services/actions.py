"""Which service performs each action staff take on a complaint: the complaint page's action
panel and the API's transitions endpoint both perform them through this. The complainant's
own actions (rating, asking for a review) go through the tracking page with the secret; the
deadline events are the sweep's."""

from ..choices import Transition
from .handling import (
    complaint_accept,
    complaint_answer,
    complaint_close,
    complaint_decline,
    complaint_extend,
    complaint_merge,
    complaint_reassign,
    complaint_refuse,
    complaint_return,
    complaint_review,
    complaint_stand_aside,
    complaint_transfer,
)

PERFORM: dict[str, object] = {
    Transition.ACCEPT: complaint_accept,
    Transition.REFUSE: complaint_refuse,
    Transition.TRANSFER: complaint_transfer,
    Transition.MERGE: complaint_merge,
    Transition.ANSWER: complaint_answer,
    Transition.DECLINE: complaint_decline,
    Transition.REASSIGN: complaint_reassign,
    Transition.EXTEND: complaint_extend,
    Transition.RETURN: complaint_return,
    Transition.CLOSE: complaint_close,
    Transition.REVIEW: complaint_review,
    Transition.STAND_ASIDE: complaint_stand_aside,
}

"""Which service performs each transition a person takes."""

from ..choices import Transition
from .publication import adjustment_digital_forward, adjustment_publish, adjustment_site_update
from .requests import (
    adjustment_extend,
    adjustment_extension_request,
    adjustment_resubmit,
    adjustment_submit,
    adjustment_update,
    adjustment_withdraw,
)
from .transitions import (
    adjustment_approve,
    adjustment_confirm,
    adjustment_file,
    adjustment_forward,
    adjustment_joint_conclude,
    adjustment_joint_convene,
    adjustment_joint_decline,
    adjustment_joint_request,
    adjustment_meeting_record,
    adjustment_object,
    adjustment_objection_forward,
    adjustment_parent_forward,
    adjustment_parent_review,
    adjustment_reject,
    adjustment_rereview,
    adjustment_return,
    adjustment_review,
)

# Which service performs each transition a person takes (the deadline events are the sweep's):
# the pages' action panel and the API's transitions endpoint both perform them through this.
PERFORM: dict[str, object] = {
    Transition.UPDATE: adjustment_update,
    Transition.SUBMIT: adjustment_submit,
    Transition.RESUBMIT: adjustment_resubmit,
    Transition.WITHDRAW: adjustment_withdraw,
    Transition.EXTENSION_REQUEST: adjustment_extension_request,
    Transition.EXTEND: adjustment_extend,
    Transition.FORWARD: adjustment_forward,
    Transition.RETURN: adjustment_return,
    Transition.REJECT: adjustment_reject,
    Transition.REVIEW: adjustment_review,
    Transition.JOINT_REQUEST: adjustment_joint_request,
    Transition.JOINT_DECLINE: adjustment_joint_decline,
    Transition.JOINT_CONVENE: adjustment_joint_convene,
    Transition.JOINT_CONCLUDE: adjustment_joint_conclude,
    Transition.APPROVE: adjustment_approve,
    Transition.CONFIRM: adjustment_confirm,
    Transition.OBJECT: adjustment_object,
    Transition.OBJECTION_FORWARD: adjustment_objection_forward,
    Transition.REREVIEW: adjustment_rereview,
    Transition.PARENT_FORWARD: adjustment_parent_forward,
    Transition.PARENT_REVIEW: adjustment_parent_review,
    Transition.MEETING: adjustment_meeting_record,
    Transition.DIGITAL_FORWARD: adjustment_digital_forward,
    Transition.PUBLISH: adjustment_publish,
    Transition.SITE_UPDATE: adjustment_site_update,
    Transition.FILE: adjustment_file,
}

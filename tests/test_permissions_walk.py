"""Every URL pattern of the project, requested as the public and as every role, against an
explicit table of who is allowed (issue 2, Done when: "a permission test walks every URL
pattern as every role and asserts the expected allow/deny").

Allowed: the page answers (2xx), possibly after redirects. Denied: 403, or a redirect to a
login page that asks to come back (`?next=`). Anything else (404, 405, 500) fails the test:
the sample arguments are wrong or the page is broken. A URL pattern with no row in the table
fails the test too, so every new URL must be classified here.
"""

import datetime
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from adjustments import services as adjustment_services
from adjustments.models import AdjustmentRequest, Attachment
from complaints import services as complaint_services
from complaints.models import Complaint, Evidence
from core import captcha, services
from core.choices import NotificationKind, PersonDuty, Role
from core.models import Department, EnforcementCertificate, Person, Unit
from decisions import services as decision_services
from decisions.models import DecisionPolicy
from decisions.models import Event as DecisionEvent
from inspections import services as inspection_services
from inspections.choices import InspectionState, RecordKind
from inspections.models import (
    AssessmentRecord,
    Draw,
    Event,
    InspectionContent,
    InspectionPolicy,
)
from inspections.models import Attachment as InspectionAttachment
from inspections.services.reports import report_pdf_render, report_publish
from registry import import_jobs
from registry import services as registry_services
from registry.models import Entry
from tests import adjustment_builders, complaint_builders, decision_builders, registry_builders
from tests.builders import Org
from tests.decision_builders import build_decision_org
from tests.inspection_builders import InspectionOrg, build_inspection_org, plan_drawn, problem_open

ANONYMOUS = "anonymous"
ROLES = tuple(role.value for role in Role)
IDENTITIES = (ANONYMOUS, *ROLES)
# Inspections tell users apart by more than their role (issue 13 §8: a unit sees its own
# problems and notices; inspectors see the inspections they are drawn for). Its URLs are also
# walked as a clerk of a department no plan covers and as an inspector drawn for the sample
# inspection (a clerk of another department of the team); "clerk" is the inspected unit's.
CLERK_ELSEWHERE = "clerk-elsewhere"
INSPECTOR = "inspector"
INSPECTION_IDENTITIES = (*IDENTITIES, CLERK_ELSEWHERE, INSPECTOR)
INSPECTION_PREFIXES = ("inspections:", "inspections-api:")

EVERYONE = frozenset(IDENTITIES)
STAFF = frozenset(ROLES)
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR.value})
NOBODY = frozenset()

ALLOWED, DENIED = "allowed", "denied"


@dataclass
class Samples:
    """Real objects for URL arguments, all in the city the walking users belong to."""

    org: Org
    ids: dict[str, int]
    notification_of: dict[str, int]
    # The sample complaint's tracking secret (shown once, when it was filed).
    complaint_secret: str = ""
    # The users of the identities beyond the roles (inspections only).
    extra_users: dict = field(default_factory=dict)


Arguments = dict | Callable[[Samples, str], dict]


@dataclass(frozen=True)
class Expect:
    allowed: frozenset[str]
    method: str = "get"
    kwargs: Arguments = field(default_factory=dict)
    # For a pattern with no name: the path to request, built from the samples.
    path: Callable[[Samples, str], str] | None = None
    query: str = ""
    data: dict | Callable[[Samples, str], dict] = field(default_factory=dict)
    # Identities for which "not found" is the documented answer, with the reason in the table.
    not_found: frozenset[str] = NOBODY
    # A POST sent as JSON (the API's actions take nothing else).
    json: bool = False
    # A status other than 2xx that means "let in": the record was found and the request judged
    # on its content (an API action with no valid action answers 400, changing nothing).
    answered: int | None = None


def _object(key: str) -> Callable[[Samples, str], dict]:
    return lambda samples, identity: {"object_id": samples.ids[key]}


def _entry_code(samples: Samples, identity: str) -> dict:
    return {"code": Entry.objects.values_list("code", flat=True).get(pk=samples.ids["entry"])}


def _draft(samples: Samples, identity: str) -> dict:
    return {"pk": samples.ids["draft"]}


def _request_number(samples: Samples, identity: str) -> dict:
    return {"number": AdjustmentRequest.objects.get(pk=samples.ids["request"]).number}


def _attachment(samples: Samples, identity: str) -> dict:
    return {**_request_number(samples, identity), "pk": samples.ids["attachment"]}


def _import_job(samples: Samples, identity: str) -> dict:
    return {"pk": samples.ids["import_job"]}


CLERKS = frozenset({Role.CLERK.value})


def _complaint_code(samples: Samples, identity: str) -> dict:
    return {"code": Complaint.objects.get(pk=samples.ids["complaint"]).code}


def _track_pair(samples: Samples, identity: str) -> dict:
    return {**_complaint_code(samples, identity), "secret": samples.complaint_secret}


# The sample complaint is about the city's salt bureau: its clerks, the city's office,
# supervisors and administrators see it; the lead reviewer and the digital office were given
# no step of it, so for them it does not exist.
COMPLAINT_READERS = frozenset(
    {Role.CLERK.value, Role.OFFICE.value, Role.SUPERVISOR.value, Role.ADMINISTRATOR.value}
)
NOT_ASSIGNED = frozenset({Role.REVIEWER.value, Role.DIGITAL.value})
# Staff intake (complaints.permissions.RECORD): the office and the departments' clerks.
RECORDERS = frozenset({Role.CLERK.value, Role.OFFICE.value})
DRAFT_READERS = frozenset({Role.CLERK.value, Role.OFFICE.value, Role.ADMINISTRATOR.value})
IMPORTERS = frozenset({Role.CLERK.value, Role.ADMINISTRATOR.value})


def _own_notification(samples: Samples, identity: str) -> dict:
    # Each user marks their own message; the public has none and borrows the clerk's.
    owner = identity if identity in samples.notification_of else Role.CLERK.value
    return {"pk": samples.notification_of[owner]}


def _admin_model(
    app_model: str,
    sample: str,
    *,
    allowed: frozenset[str] = ADMINISTRATORS,
    delete: frozenset[str] = NOBODY,
) -> dict[str, Expect]:
    """The six URLs the Django admin makes for a registered model. Nothing is deleted
    through the admin unless core.permissions has a delete rule for the model."""
    app, model = app_model.split("_", 1)
    return {
        f"admin:{app_model}_changelist": Expect(allowed),
        f"admin:{app_model}_add": Expect(allowed),
        f"admin:{app_model}_history": Expect(allowed, kwargs=_object(sample)),
        f"admin:{app_model}_delete": Expect(delete, kwargs=_object(sample)),
        f"admin:{app_model}_change": Expect(allowed, kwargs=_object(sample)),
        f"admin/{app}/{model}/<path:object_id>/": Expect(
            allowed, path=lambda samples, identity: f"/admin/{app}/{model}/{samples.ids[sample]}/"
        ),
    }


# --- inspections (issue 13) ------------------------------------------------------------------
# Walked also as CLERK_ELSEWHERE and INSPECTOR. The samples (_inspection_samples): a random check
# of the city drawn over its four departments, the salt bureau's inspection (its clerk, "clerk",
# is the unit; INSPECTOR is drawn for it) notified, with a file and a finding; notices to the salt
# bureau, one closed not fixed (an assessment ledger entry); a published report with its PDF.
INSPECTION_EVERYONE = frozenset(INSPECTION_IDENTITIES)
INSPECTION_STAFF = STAFF | {CLERK_ELSEWHERE, INSPECTOR}
SUPERVISORS = frozenset({Role.SUPERVISOR.value})
# The office, supervisors and administrators of the jurisdiction (inspections.permissions).
OVERSEERS = frozenset({Role.OFFICE.value, Role.SUPERVISOR.value, Role.ADMINISTRATOR.value})
# The ledger is kept by the jurisdiction's supervisors and office (permissions.RECORD).
LEDGER_KEEPERS = frozenset({Role.OFFICE.value, Role.SUPERVISOR.value})
# Both clerks of the sample plan's team see the plan; nobody else outside the overseers does.
PLAN_READERS = OVERSEERS | {Role.CLERK.value, INSPECTOR}
PLAN_STRANGERS = frozenset({Role.REVIEWER.value, Role.DIGITAL.value, CLERK_ELSEWHERE})
# The inspection: the overseers, its inspectors and the inspected unit.
INSPECTION_READERS = PLAN_READERS
# The finding of the sample inspection: likewise (an inspector sees what their inspection found).
PROBLEM_READERS = PLAN_READERS
# Notices and the assessment ledger: the overseers and the unit addressed; other clerks, the
# inspector among them, find no such notice; reviewers and the digital office see none at all.
NOTICE_READERS = OVERSEERS | {Role.CLERK.value}
NOTICE_LIST_READERS = OVERSEERS | {Role.CLERK.value, CLERK_ELSEWHERE, INSPECTOR}
CLERKS_ELSEWHERE = frozenset({CLERK_ELSEWHERE, INSPECTOR})


def _sample(key: str) -> Callable[[Samples, str], dict]:
    return lambda samples, identity: {"pk": samples.ids[key]}


def _sample_act(key: str, action: str) -> Callable[[Samples, str], dict]:
    return lambda samples, identity: {"pk": samples.ids[key], "action": action}


# --- decisions (issue 14) -------------------------------------------------------------------
# The samples (_decision_samples): the salt bureau's own body confirmed and an entrusted one with
# its papers, its officers, a penalty decision published (with a case record and its file, and
# the dates of its flow steps), a case-system key, an Excel import, and the city's case-file
# review drawn. "clerk" is the salt bureau's clerk.
CLERKS = frozenset({Role.CLERK.value})
# Who reads a department's decisions in full: its clerks, and the office, lead reviewers,
# supervisors and administrators of its jurisdiction (decisions.permissions OVERSEERS); the
# digital office has no decisions to see and no queue. An action posted by a reader who may not
# take it is shown again with the message (nothing changes).
DECISION_READERS = frozenset(ROLES) - {Role.DIGITAL.value}
# Bodies are kept by the department's clerks and confirmed by the office or the jurisdiction's
# legal reviewers (the sample's reviewer is the city's 法制办); their pages are for them, the
# public reads the confirmed bodies on the public page.
BODY_KEEPERS = frozenset({Role.CLERK.value, Role.OFFICE.value, Role.REVIEWER.value})
# Officers are kept by their department's clerks and by administrators (core.permissions).
OFFICER_KEEPERS = frozenset({Role.CLERK.value, Role.ADMINISTRATOR.value})
# Case-system keys and imports: the department's clerks; administrators of the jurisdiction
# read them too (and keep keys); only clerks upload.
CASE_SYSTEM_KEEPERS = frozenset({Role.CLERK.value, Role.ADMINISTRATOR.value})
REVIEW_READERS = frozenset({Role.OFFICE.value, Role.SUPERVISOR.value, Role.ADMINISTRATOR.value})


def _decision_key(key: str, **more) -> Callable[[Samples, str], dict]:
    return lambda samples, identity: {"pk": samples.ids[key], **more}


DECISION_EXPECTED: dict[str, Expect] = {
    # The public: published decisions, bodies and officers, no login.
    "decisions:public-index": Expect(EVERYONE, query="q=盐业"),
    "decisions:public-feed": Expect(EVERYONE),
    "decisions:public-detail": Expect(EVERYONE, kwargs=_sample("decision")),
    "decisions:public-bodies": Expect(EVERYONE),
    "decisions:public-officers": Expect(EVERYONE),
    "decisions-api:list": Expect(EVERYONE),
    "decisions-api:detail": Expect(EVERYONE, kwargs=_sample("decision")),
    "decisions-api:bodies": Expect(EVERYONE),
    # Staff: the queue lists what each may see (maybe nothing); a decision in full to its
    # department's clerks and the overseers of its jurisdiction.
    "decisions:staff-list": Expect(DECISION_READERS),
    "decisions:staff-new": Expect(CLERKS),
    "decisions:case-new": Expect(CLERKS),
    "decisions:staff-detail": Expect(DECISION_READERS, kwargs=_sample("decision")),
    # Revoking without a reason is shown again with the message: nothing changes.
    "decisions:staff-act": Expect(
        DECISION_READERS,
        method="post",
        kwargs=_decision_key("decision", action="revoke"),
    ),
    "decisions:record-file": Expect(
        DECISION_READERS,
        kwargs=lambda samples, identity: {
            "pk": samples.ids["decision"],
            "record": samples.ids["decision_record"],
        },
    ),
    "decisions:step-times": Expect(CLERKS, kwargs=_sample("decision")),
    "decisions:bodies": Expect(BODY_KEEPERS),
    "decisions:body-new": Expect(CLERKS),
    "decisions:body": Expect(BODY_KEEPERS, kwargs=_sample("body")),
    "decisions:body-edit": Expect(CLERKS, kwargs=_sample("body")),
    # Withdrawing without a reason is shown again with the message: nothing changes.
    "decisions:body-act": Expect(
        BODY_KEEPERS, method="post", kwargs=_decision_key("body", action="withdraw")
    ),
    "decisions:body-papers": Expect(BODY_KEEPERS, kwargs=_sample("body")),
    "decisions:officers": Expect(OFFICER_KEEPERS),
    "decisions:officer-new": Expect(OFFICER_KEEPERS),
    "decisions:officer": Expect(OFFICER_KEEPERS, kwargs=_sample("officer")),
    "decisions:tokens": Expect(CASE_SYSTEM_KEEPERS),
    "decisions:token-new": Expect(CASE_SYSTEM_KEEPERS),
    "decisions:token-revoke": Expect(CASE_SYSTEM_KEEPERS, kwargs=_sample("token")),
    "decisions:imports": Expect(CASE_SYSTEM_KEEPERS),
    "decisions:import-new": Expect(CLERKS),
    "decisions:import-template": Expect(CLERKS),
    "decisions:import": Expect(CASE_SYSTEM_KEEPERS, kwargs=_sample("decision_import")),
    "decisions:import-progress": Expect(CASE_SYSTEM_KEEPERS, kwargs=_sample("decision_import")),
    "decisions:credit": Expect(DECISION_READERS),
    "decisions:credit-export": Expect(DECISION_READERS, kwargs={"kind": "penalty", "fmt": "csv"}),
    "decisions:reviews": Expect(REVIEW_READERS),
    "decisions:review-new": Expect(SUPERVISORS),
    "decisions:review": Expect(REVIEW_READERS, kwargs=_sample("review")),
    # Finishing with files not yet scored is shown again with the message: nothing changes.
    "decisions:review-act": Expect(
        REVIEW_READERS, method="post", kwargs=_decision_key("review", action="finish")
    ),
    "decisions:review-file": Expect(
        REVIEW_READERS,
        kwargs=lambda samples, identity: {
            "pk": samples.ids["review"],
            "file": samples.ids["reviewed_file"],
        },
    ),
    "decisions:statistics": Expect(REVIEW_READERS),
    "decisions-api:staff-list": Expect(DECISION_READERS),
    "decisions-api:staff-detail": Expect(DECISION_READERS, kwargs=_sample("decision")),
    "decisions-api:transitions": Expect(
        DECISION_READERS,
        method="post",
        kwargs=_sample("decision"),
        data={"action": "no-such-action"},
        json=True,
        answered=400,
    ),
    # Case systems authenticate with their key, never a login: every identity is refused.
    "decisions-api:intake": Expect(NOBODY, method="post", data={}, json=True),
    "decisions-api:intake-item": Expect(NOBODY, kwargs={"external_id": "CASE-1"}),
    "decisions-api:credit-feed": Expect(DECISION_READERS, kwargs={"kind": "penalty"}),
}
# Rows the decision services own: the admin lists and shows them, never adds or changes them.
DECISION_READ_ONLY = ("enforcementbody", "decision", "event", "apitoken", "importjob", "casereview")

INSPECTION_EXPECTED: dict[str, Expect] = {
    # The public: what is inspected, the draws and the reports, no login.
    "inspections:public-index": Expect(INSPECTION_EVERYONE),
    "inspections:public-contents": Expect(INSPECTION_EVERYONE),
    "inspections:public-draws": Expect(INSPECTION_EVERYONE),
    "inspections:public-draw": Expect(INSPECTION_EVERYONE, kwargs=_sample("draw")),
    "inspections:public-reports": Expect(INSPECTION_EVERYONE),
    "inspections:public-reports-feed": Expect(INSPECTION_EVERYONE),
    "inspections:public-report": Expect(INSPECTION_EVERYONE, kwargs=_sample("report")),
    "inspections:public-report-pdf": Expect(INSPECTION_EVERYONE, kwargs=_sample("report")),
    # Staff: every staff user has a queue and lists (of what they may see, maybe nothing).
    "inspections:queue": Expect(INSPECTION_STAFF),
    "inspections:plans": Expect(INSPECTION_STAFF, query="mode=random"),
    "inspections:plan-new": Expect(SUPERVISORS),
    "inspections:plan": Expect(PLAN_READERS, kwargs=_sample("plan"), not_found=PLAN_STRANGERS),
    # A re-draw without its reason is shown again with the message: nothing changes.
    "inspections:plan-act": Expect(
        PLAN_READERS,
        method="post",
        kwargs=_sample_act("plan", "redraw"),
        not_found=PLAN_STRANGERS,
    ),
    "inspections:inspection": Expect(
        INSPECTION_READERS, kwargs=_sample("inspection"), not_found=PLAN_STRANGERS
    ),
    # Telling the findings without them is shown again with the message: nothing changes.
    "inspections:inspection-act": Expect(
        INSPECTION_READERS,
        method="post",
        kwargs=_sample_act("inspection", "finish"),
        not_found=PLAN_STRANGERS,
    ),
    "inspections:inspection-notice-pdf": Expect(
        INSPECTION_READERS, kwargs=_sample("inspection"), not_found=PLAN_STRANGERS
    ),
    "inspections:attachment": Expect(
        INSPECTION_READERS, kwargs=_sample("inspection_file"), not_found=PLAN_STRANGERS
    ),
    "inspections:problems": Expect(INSPECTION_STAFF, query="q=公开"),
    "inspections:problems-xlsx": Expect(INSPECTION_STAFF),
    "inspections:problem-new": Expect(LEDGER_KEEPERS),
    "inspections:problem-from-complaint": Expect(LEDGER_KEEPERS),
    "inspections:problem": Expect(
        PROBLEM_READERS, kwargs=_sample("problem"), not_found=PLAN_STRANGERS
    ),
    # Dismissing without reasons is shown again with the message: nothing changes.
    "inspections:problem-act": Expect(
        PROBLEM_READERS,
        method="post",
        kwargs=_sample_act("problem", "dismiss"),
        not_found=PLAN_STRANGERS,
    ),
    "inspections:notices": Expect(NOTICE_LIST_READERS),
    "inspections:notice-new": Expect(SUPERVISORS),
    "inspections:notice": Expect(
        NOTICE_READERS, kwargs=_sample("notice"), not_found=CLERKS_ELSEWHERE
    ),
    # Withdrawing without a reason is shown again with the message: nothing changes.
    "inspections:notice-act": Expect(
        NOTICE_READERS,
        method="post",
        kwargs=_sample_act("notice", "withdraw"),
        not_found=CLERKS_ELSEWHERE,
    ),
    "inspections:notice-pdf": Expect(
        NOTICE_READERS, kwargs=_sample("notice"), not_found=CLERKS_ELSEWHERE
    ),
    "inspections:assessment": Expect(NOTICE_LIST_READERS),
    "inspections:report-new": Expect(SUPERVISORS),
    # The API: the same answers as the pages.
    "inspections-api:contents": Expect(INSPECTION_EVERYONE),
    "inspections-api:draws": Expect(INSPECTION_EVERYONE),
    "inspections-api:draw": Expect(INSPECTION_EVERYONE, kwargs=_sample("draw")),
    "inspections-api:reports": Expect(INSPECTION_EVERYONE),
    "inspections-api:plans": Expect(INSPECTION_STAFF),
    "inspections-api:plan": Expect(PLAN_READERS, kwargs=_sample("plan"), not_found=PLAN_STRANGERS),
    "inspections-api:plan-transitions": Expect(
        PLAN_READERS,
        method="post",
        kwargs=_sample("plan"),
        data={"action": "no-such-action"},
        json=True,
        answered=400,
        not_found=PLAN_STRANGERS,
    ),
    "inspections-api:inspection": Expect(
        INSPECTION_READERS, kwargs=_sample("inspection"), not_found=PLAN_STRANGERS
    ),
    "inspections-api:problems": Expect(INSPECTION_STAFF),
    "inspections-api:problem": Expect(
        PROBLEM_READERS, kwargs=_sample("problem"), not_found=PLAN_STRANGERS
    ),
    "inspections-api:notices": Expect(NOTICE_LIST_READERS),
    "inspections-api:notice": Expect(
        NOTICE_READERS, kwargs=_sample("notice"), not_found=CLERKS_ELSEWHERE
    ),
    "inspections-api:notice-transitions": Expect(
        NOTICE_READERS,
        method="post",
        kwargs=_sample("notice"),
        data={"action": "no-such-action"},
        json=True,
        answered=400,
        not_found=CLERKS_ELSEWHERE,
    ),
}

# Rows the inspection services own: the admin lists and shows them, never adds or changes them.
INSPECTION_READ_ONLY = (
    "inspectioncontent",
    "plan",
    "draw",
    "inspection",
    "problem",
    "rectificationnotice",
    "report",
    "assessmentrecord",
    "event",
)

EXPECTED: dict[str, Expect] = {
    # --- the public site and login ---------------------------------------------------------
    "core:home": Expect(EVERYONE),
    "core:favicon": Expect(EVERYONE),
    "core:login": Expect(EVERYONE),
    # Logging out ends on the login page (without `next`) for everyone.
    "core:logout": Expect(EVERYONE, method="post"),
    "set_language": Expect(EVERYONE, method="post", data={"language": "en", "next": "/"}),
    # --- staff pages -----------------------------------------------------------------------
    "core:audit": Expect(STAFF, query="action=login&since=2020-01-01&until=2030-12-31"),
    "core:notifications": Expect(STAFF),
    "core:notification-read": Expect(STAFF, method="post", kwargs=_own_notification),
    "core:notifications-read-all": Expect(STAFF, method="post"),
    # --- the working-day calendar (SPEC §9): public to read, administrators change it ------
    "core:calendar": Expect(EVERYONE),
    "core:calendar-deadline": Expect(
        EVERYONE, query="start=2026-09-30T10%3A00&days=5&unit=working"
    ),
    "core:calendar-year": Expect(EVERYONE, kwargs={"year": 2026}),
    "core:calendar-day": Expect(ADMINISTRATORS, kwargs={"day": "2026-10-10"}),
    "core:calendar-schedule": Expect(ADMINISTRATORS, kwargs={"year": 2027}),
    "core:calendar-confirm": Expect(ADMINISTRATORS, method="post", kwargs={"year": 2027}),
    # --- the published lists (SPEC §10): public, no login ----------------------------------
    "registry:entries": Expect(EVERYONE, query="q=盐&list=power&jurisdiction=410100"),
    "registry:export-xlsx": Expect(EVERYONE, query="list=power"),
    "registry:export-csv": Expect(EVERYONE, query="as_of=2024-01-01"),
    "registry:browse": Expect(EVERYONE, query="jurisdiction=410100"),
    # --- one item, its versions and the law register (issue 3 §3, §4): public ------------
    "registry:entry": Expect(EVERYONE, kwargs=_entry_code, query="as_of=2024-06-30"),
    "registry:entry-history": Expect(EVERYONE, kwargs=_entry_code),
    "registry:entry-diff": Expect(EVERYONE, kwargs=_entry_code, query="a=1&b=2"),
    "registry:laws": Expect(EVERYONE, query="q=残疾人"),
    "registry:law": Expect(EVERYONE, kwargs=lambda samples, identity: {"pk": samples.ids["law"]}),
    # --- staff work on the register (issue 3 §5, §7) ---------------------------------------
    # Drafts: their department's clerk edits; the office and the administrator of the
    # jurisdiction read them. The walk discards the sample draft (clerk) before reading it.
    "registry:my-entries": Expect(DRAFT_READERS),
    "registry:draft-start": Expect(CLERKS, method="post", kwargs=_entry_code),
    "registry:draft-new": Expect(CLERKS, query="list=power"),
    "registry:draft-edit": Expect(DRAFT_READERS, kwargs=_draft),
    "registry:draft-discard": Expect(CLERKS, method="post", kwargs=_draft),
    # The import: an administrator publishes, a clerk makes drafts.
    "registry:import": Expect(IMPORTERS),
    "registry:import-template": Expect(IMPORTERS),
    # An import job is its uploader's (the clerk's) only: the other importer finds none.
    "registry:import-job": Expect(
        CLERKS, kwargs=_import_job, not_found=frozenset({Role.ADMINISTRATOR.value})
    ),
    "registry:import-job-confirm": Expect(
        CLERKS,
        method="post",
        kwargs=_import_job,
        data={"confirm": "on"},
        not_found=frozenset({Role.ADMINISTRATOR.value}),
    ),
    "registry:consistency": Expect(
        frozenset({Role.OFFICE.value, Role.SUPERVISOR.value, Role.ADMINISTRATOR.value})
    ),
    # --- the API and its documentation: an open read API (SPEC §10) ------------------------
    "api:calendar-add-working-days": Expect(
        EVERYONE, query="start=2026-09-30T10%3A00%3A00%2B08%3A00&days=5"
    ),
    # The register's read API (issue 3 §6): public, published data only.
    "registry-api:jurisdictions": Expect(EVERYONE),
    "registry-api:jurisdiction": Expect(EVERYONE, kwargs={"code": "410106"}),
    "registry-api:departments": Expect(EVERYONE, query="jurisdiction=410100"),
    "registry-api:department": Expect(
        EVERYONE, kwargs=lambda samples, identity: {"pk": samples.ids["department"]}
    ),
    "registry-api:categories": Expect(EVERYONE, query="list=power"),
    "registry-api:laws": Expect(EVERYONE, query="status=in_force&q=残疾人"),
    "registry-api:law": Expect(
        EVERYONE, kwargs=lambda samples, identity: {"pk": samples.ids["law"]}
    ),
    "registry-api:items": Expect(EVERYONE, query="list=power&jurisdiction=410100&as_of=2024-06-30"),
    "registry-api:item": Expect(EVERYONE, kwargs=_entry_code, query="as_of=2024-06-30"),
    "registry-api:item-history": Expect(EVERYONE, kwargs=_entry_code),
    "registry-api:item-diff": Expect(EVERYONE, kwargs=_entry_code, query="a=1&b=2"),
    # --- dynamic adjustment (issue 4): staff work; every staff role can see the sample
    # request (published, so its reviewer and digital office have had a step of it).
    "adjustments:list": Expect(STAFF, query="state=published&overdue=on"),
    "adjustments:new": Expect(CLERKS),
    "adjustments:policy": Expect(STAFF),
    "adjustments:detail": Expect(STAFF, kwargs=_request_number),
    # Editing a request that was submitted sends its clerk back to the request page.
    "adjustments:edit": Expect(CLERKS, kwargs=_request_number),
    "adjustments:attachment": Expect(STAFF, kwargs=_attachment),
    # An action without its reasons is shown again with the message: nothing changes.
    "adjustments:act": Expect(
        STAFF,
        method="post",
        kwargs=lambda s, i: {**_request_number(s, i), "transition": "withdraw"},
    ),
    # A message without its text is shown again with the message: nothing is sent.
    "adjustments:message": Expect(STAFF, method="post", kwargs=_request_number),
    "adjustments-api:requests": Expect(STAFF, query="state=published"),
    "adjustments-api:request": Expect(STAFF, kwargs=_request_number),
    "adjustments-api:transitions": Expect(STAFF, kwargs=_request_number),
    "adjustments-api:messages": Expect(STAFF, kwargs=_request_number),
    # Published adjustments are announced to everyone (SPEC §10).
    "adjustments:announcements": Expect(EVERYONE, query="jurisdiction=410100"),
    "adjustments:announcements-feed": Expect(EVERYONE),
    "adjustments:announcement": Expect(EVERYONE, kwargs=_request_number),
    "adjustments-api:announcements": Expect(EVERYONE),
    # --- complaints (issue 12): the public files, follows and counts them; staff handle them
    "complaints:new": Expect(EVERYONE),
    "complaints:item-picker": Expect(EVERYONE, query="q=盐"),
    "complaints:track": Expect(EVERYONE),
    "complaints:stats": Expect(EVERYONE),
    "complaints:stats-xlsx": Expect(EVERYONE),
    "complaints:captcha": Expect(
        EVERYONE, kwargs=lambda samples, identity: {"token": captcha.challenge()}
    ),
    "complaints:queue": Expect(STAFF, query="state=received&channel=online"),
    "complaints:record": Expect(RECORDERS),
    "complaints:detail": Expect(COMPLAINT_READERS, kwargs=_complaint_code, not_found=NOT_ASSIGNED),
    # An action without its reasons is shown again with the message: nothing changes.
    "complaints:act": Expect(
        COMPLAINT_READERS,
        method="post",
        kwargs=lambda s, i: {**_complaint_code(s, i), "action": "refuse"},
        not_found=NOT_ASSIGNED,
    ),
    "complaints:evidence": Expect(
        COMPLAINT_READERS,
        kwargs=lambda samples, identity: {"pk": samples.ids["evidence"]},
        not_found=NOT_ASSIGNED,
    ),
    "complaints-api:complaints": Expect(STAFF, query="state=received"),
    "complaints-api:track": Expect(EVERYONE, method="post", data=_track_pair),
    "complaints-api:stats": Expect(EVERYONE, query="since=2020-01-01"),
    "complaints-api:complaint": Expect(
        COMPLAINT_READERS, kwargs=_complaint_code, not_found=NOT_ASSIGNED
    ),
    "complaints-api:transitions": Expect(
        COMPLAINT_READERS, kwargs=_complaint_code, not_found=NOT_ASSIGNED
    ),
    "schema": Expect(EVERYONE),
    "api-docs": Expect(EVERYONE),
    # --- the Django admin: the administrator role only -------------------------------------
    "admin:index": Expect(ADMINISTRATORS),
    "admin:login": Expect(ADMINISTRATORS),
    "admin:logout": Expect(ADMINISTRATORS, method="post"),
    "admin:password_change": Expect(ADMINISTRATORS),
    "admin:password_change_done": Expect(ADMINISTRATORS),
    "admin:jsi18n": Expect(ADMINISTRATORS),
    "admin:autocomplete": Expect(
        ADMINISTRATORS, query="app_label=core&model_name=person&field_name=department&term=盐"
    ),
    "admin:app_list": Expect(ADMINISTRATORS, kwargs={"app_label": "core"}),
    # Django's "view on site" link: no model registered in the admin has a public page yet,
    # so even an administrator is told "not found" (the registry issue adds item pages).
    "admin:view_on_site": Expect(
        NOBODY,
        kwargs=lambda samples, identity: {
            "content_type_id": ContentType.objects.get_for_model(Department).pk,
            "object_id": samples.ids["department"],
        },
        not_found=ADMINISTRATORS,
    ),
    # Unknown admin paths: the admin adds the missing slash for administrators only.
    "admin/(?P<url>.*)$": Expect(ADMINISTRATORS, path=lambda samples, identity: "/admin/core"),
    **_admin_model("core_jurisdiction", "jurisdiction"),
    **_admin_model("core_department", "department"),
    **_admin_model("core_unit", "unit"),
    **_admin_model("core_person", "person"),
    **_admin_model("core_enforcementcertificate", "certificate"),
    **_admin_model("core_user", "user"),
    # The law register and the categories: administrators keep them (registry.admin).
    **_admin_model("registry_law", "law"),
    **_admin_model("registry_category", "category"),
    # The adjustment policies: administrators keep them here, offices on their own page.
    **_admin_model("adjustments_adjustmentpolicy", "policy"),
    # Complaint policies likewise; complaints are read here, never added, changed or deleted.
    **_admin_model("complaints_complaintpolicy", "complaint_policy"),
    **{
        key: expect
        for key, expect in _admin_model("complaints_complaint", "complaint").items()
        if not key.endswith("_add")
    },
    "admin:complaints_complaint_add": Expect(NOBODY),
    # Inspections: policies kept by administrators; everything else read here, never changed.
    **_admin_model("inspections_inspectionpolicy", "inspection_policy"),
    **{
        key: expect
        for model in INSPECTION_READ_ONLY
        for key, expect in _admin_model(f"inspections_{model}", f"admin_{model}").items()
        if not key.endswith("_add")
    },
    **{f"admin:inspections_{model}_add": Expect(NOBODY) for model in INSPECTION_READ_ONLY},
    **INSPECTION_EXPECTED,
    # Decisions: policies kept by administrators; everything else read here, never changed.
    **_admin_model("decisions_decisionpolicy", "decision_policy"),
    **{
        key: expect
        for model in DECISION_READ_ONLY
        for key, expect in _admin_model(f"decisions_{model}", f"admin_{model}").items()
        if not key.endswith("_add")
    },
    **{f"admin:decisions_{model}_add": Expect(NOBODY) for model in DECISION_READ_ONLY},
    **DECISION_EXPECTED,
    "admin:auth_user_password_change": Expect(
        ADMINISTRATORS, kwargs=lambda samples, identity: {"id": samples.ids["user"]}
    ),
    # django-axes' own admin pages ask Django's model permissions, which no role holds:
    # only a superuser reads the lockout tables.
    **_admin_model("axes_accessattempt", "accessattempt", allowed=NOBODY),
    **_admin_model("axes_accesslog", "accesslog", allowed=NOBODY),
    **_admin_model("axes_accessfailurelog", "accessfailurelog", allowed=NOBODY),
}


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    """(key, route) of every URL pattern: the namespaced name, or the route if unnamed."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            yield (f"{namespace}{entry.name}" if entry.name else route), route


def _axes_samples() -> dict[str, int]:
    # The test settings switch django-axes off, so no login fills its tables; these rows
    # stand in for what it records (it has no service: it is a third-party log).
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    common = {
        "user_agent": "walk",
        "ip_address": "203.0.113.9",
        "username": "nobody",
        "http_accept": "text/html",
        "path_info": "/accounts/login/",
    }
    attempt = AccessAttempt.objects.create(
        **common, get_data="", post_data="", failures_since_start=1
    )
    return {
        "accessattempt": attempt.pk,
        "accesslog": AccessLog.objects.create(**common).pk,
        "accessfailurelog": AccessFailureLog.objects.create(**common).pk,
    }


@pytest.fixture
def samples(db, calendar, settings, tmp_path) -> Samples:
    settings.MEDIA_ROOT = tmp_path
    built = build_inspection_org()
    org = built.org
    salt = org.departments["salt"]
    unit = services.organisation_object_save(actor=None, obj=Unit(department=salt, name="盐政处"))
    person = services.organisation_object_save(
        actor=None,
        obj=Person(department=salt, unit=unit, name="示例执法员", duty=PersonDuty.OFFICER),
    )
    certificate = services.organisation_object_save(
        actor=None,
        obj=EnforcementCertificate(
            person=person,
            number="WALK-0001",
            issuing_authority="郑州市人民政府",
            valid_from=datetime.date(2024, 1, 1),
            valid_until=datetime.date(2029, 12, 31),
        ),
    )
    notification_of = {}
    for role, user in org.users.items():
        (sent,) = services.notification_send(
            recipients=[user],
            kind=NotificationKind.DEADLINE_REMINDER,
            subject="示例提醒",
            url="/",
            dedupe_key=f"walk-{role}",
        )
        notification_of[role] = sent.pk
    # An item published in 2024 and corrected since (two versions), citing a law.
    with time_machine.travel(datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)):
        entry = registry_builders.publish(salt)
    registry_builders.republish(entry, promised_limit_days=5)
    draft = registry_services.draft_create(
        actor=org.users[Role.CLERK],
        list_kind="power",
        payload=registry_builders.entry_payload(name="示例草稿", basic_code="0700002000"),
    )
    request, attachment = _published_request(org, entry)
    filed = complaint_builders.file(
        org, files=[SimpleUploadedFile("证据.pdf", b"%PDF-1.4\n%%EOF\n")]
    )
    ids = {
        "entry": entry.pk,
        "draft": draft.pk,
        "request": request.pk,
        "attachment": attachment.pk,
        "import_job": import_jobs.import_job_create(
            actor=org.users[Role.CLERK],
            upload=SimpleUploadedFile("清单.xlsx", registry_builders.import_workbook()),
        ).pk,
        "policy": adjustment_services.policy_save(
            actor=None, jurisdiction=org.city, values={"basis": "示例"}
        ).pk,
        "complaint": filed.complaint.pk,
        "evidence": Evidence.objects.get(complaint=filed.complaint).pk,
        "complaint_policy": complaint_services.complaint_policy_save(
            actor=org.users[Role.OFFICE], jurisdiction=org.city, values={"accept_days": 15}
        ).pk,
        "law": registry_builders.law().pk,
        "category": registry_builders.category().pk,
        "jurisdiction": org.district.pk,
        "department": salt.pk,
        "unit": unit.pk,
        "person": person.pk,
        "certificate": certificate.pk,
        "user": org.users[Role.CLERK].pk,
        **_axes_samples(),
    }
    inspection_ids, inspector = _inspection_samples(built)
    ids.update(inspection_ids)
    ids.update(_decision_samples(org))
    return Samples(
        org=org,
        ids=ids,
        notification_of=notification_of,
        complaint_secret=filed.secret,
        extra_users={CLERK_ELSEWHERE: org.district_users[Role.CLERK], INSPECTOR: inspector},
    )


# A people's congress deputy who reported a problem (六位一体): staff record their name, the public
# never sees it.
DEPUTY_NAME = "王建国代表"


def _inspection_samples(built: InspectionOrg) -> tuple[dict[str, int], object]:
    """The city's random check drawn over all four departments, the salt bureau's inspection
    notified with a meeting's file and a finding, a notice to the bureau issued, another one
    closed not fixed (an assessment ledger entry), and a published report with its PDF."""
    supervisor, unit_clerk = built.supervisor, built.clerks["salt"]
    today = timezone.localdate()
    plan = plan_drawn(built, ratio=100)
    inspection = plan.inspections.exclude(state=InspectionState.REPLACED).get(
        department=built.units["salt"]
    )
    inspector = inspection.members.select_related("user").first().user
    inspection_services.inspection_notify(actor=inspector, inspection=inspection, meet_on=today)
    record = inspection_services.inspection_record(
        actor=inspector,
        inspection=inspection,
        kind=RecordKind.MEETING,
        held_on=today,
        text="座谈会。",
        files=[
            SimpleUploadedFile("记录.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        ],
    )
    finding = problem_open(built, inspection=inspection, source="inspection", reported_how="")
    notices = []
    for problem in (finding, problem_open(built, title="权力清单未及时调整")):
        draft = inspection_services.notice_draft(
            actor=supervisor, problems=[problem], title="整改通知", requirements="限期整改。"
        )
        notices.append(inspection_services.notice_issue(actor=supervisor, notice=draft))
    inspection_services.rectification_report(actor=unit_clerk, notice=notices[1], text="已调整。")
    inspection_services.notice_close_not_fixed(
        actor=supervisor, notice=notices[1], reasons="未按要求调整。"
    )
    problem_open(
        built,
        title="办事指南与清单不一致",
        source="social",
        reporter="deputy",
        reporter_name=DEPUTY_NAME,
        reported_how="代表来信",
    )
    report = report_publish(
        actor=supervisor,
        jurisdiction=built.org.city,
        title="本季度监督检查通报",
        period_start=today - datetime.timedelta(days=90),
        period_end=today - datetime.timedelta(days=1),
        summary="本季度对各部门清单运行情况进行了随机抽查。",
    )
    report_pdf_render(report_id=report.pk)
    draw = Draw.objects.get(plan=plan)
    policy = services.jurisdiction_policy_save(
        actor=None, model=InspectionPolicy, jurisdiction=built.org.city, values={"veto": True}
    )
    ids = {
        "plan": plan.pk,
        "draw": draw.pk,
        "inspection": inspection.pk,
        "inspection_file": InspectionAttachment.objects.get(record=record).pk,
        "problem": finding.pk,
        "notice": notices[0].pk,
        "report": report.pk,
        "inspection_policy": policy.pk,
        "admin_inspectioncontent": InspectionContent.objects.get(code="R1").pk,
        "admin_plan": plan.pk,
        "admin_draw": draw.pk,
        "admin_inspection": inspection.pk,
        "admin_problem": finding.pk,
        "admin_rectificationnotice": notices[0].pk,
        "admin_report": report.pk,
        "admin_assessmentrecord": AssessmentRecord.objects.get(notice=notices[1]).pk,
        "admin_event": Event.objects.filter(plan=plan).first().pk,
    }
    return ids, inspector


def _decision_samples(org: Org) -> dict[str, int]:
    """The salt bureau's decisions and what surrounds them (see DECISION_EXPECTED)."""
    built = build_decision_org(org)
    clerk = built.clerk
    today = timezone.localdate()
    decision = decision_builders.published(built, published_on=today - datetime.timedelta(days=1))
    record = decision_services.case_record_upload(
        actor=clerk,
        decision=decision,
        title="询问笔录",
        made_at=timezone.now() - datetime.timedelta(hours=1),
        upload=SimpleUploadedFile("笔录.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    entrusted = decision_services.body_save(
        actor=clerk,
        department=built.department,
        values={
            "name": "市盐业稽查队",
            "kind": "entrusted",
            "basis": "《食盐专营办法》第四条",
            "entrustment_number": "郑盐委〔2026〕1号",
            "entrusted_from": datetime.date(2026, 1, 1),
            "entrusted_until": datetime.date(2027, 12, 31),
        },
        entrustment_file=SimpleUploadedFile("委托书.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    decision_services.body_confirm(actor=org.users[Role.OFFICE], body=entrusted)
    token, _secret = decision_services.api_token_create(
        actor=clerk, department=built.department, name="盐业办案系统"
    )
    job = decision_services.import_job_create(
        actor=clerk,
        upload=SimpleUploadedFile("决定.xlsx", decision_services.workbook_template(user=clerk)),
    )
    review = decision_services.case_review_create(
        actor=org.users[Role.SUPERVISOR],
        jurisdiction=org.city,
        title="卷宗评查",
        period_start=datetime.date(2026, 9, 1),
        period_end=today - datetime.timedelta(days=1),
        sample_size=1,
    )
    review = decision_services.case_review_commit(actor=org.users[Role.SUPERVISOR], review=review)
    review = decision_services.case_review_draw(actor=org.users[Role.SUPERVISOR], review=review)
    policy = services.jurisdiction_policy_save(
        actor=None, model=DecisionPolicy, jurisdiction=org.city, values={"publish_days": 10}
    )
    return {
        "decision": decision.pk,
        "decision_record": record.pk,
        "body": entrusted.pk,
        "officer": built.officers[0].pk,
        "token": token.pk,
        "decision_import": job.pk,
        "review": review.pk,
        "reviewed_file": review.files.get().pk,
        "decision_policy": policy.pk,
        "admin_enforcementbody": entrusted.pk,
        "admin_decision": decision.pk,
        "admin_event": DecisionEvent.objects.filter(decision=decision).first().pk,
        "admin_apitoken": token.pk,
        "admin_importjob": job.pk,
        "admin_casereview": review.pk,
    }


def _published_request(org: Org, entry: Entry) -> tuple[AdjustmentRequest, Attachment]:
    """A request of the city's salt bureau walked to publication by the city's people, with
    a document: every staff role of the city has seen it."""
    request = adjustment_builders.request_for(
        org, event_date=timezone.localdate() - datetime.timedelta(days=3), entry=entry
    )
    document = SimpleUploadedFile("依据.pdf", b"%PDF-1.4\n")
    request = adjustment_services.adjustment_submit(
        actor=org.users[Role.CLERK], request=request, files=[document]
    )
    request = adjustment_services.adjustment_forward(
        actor=org.users[Role.OFFICE], request=request, reviewers=[org.departments["legal"]]
    )
    request = adjustment_builders.walk_to_publication(org, request)
    return request, Attachment.objects.get(request=request)


def _login_paths() -> set[str]:
    return {reverse("core:login"), reverse("admin:login")}


def _outcome(client: Client, expect: Expect, path: str, data: dict) -> str:
    if expect.method != "post":
        response = client.get(path)
    elif expect.json:
        response = client.post(path, data, content_type="application/json")
    else:
        response = client.post(path, data)
    login_paths = _login_paths()
    for _hop in range(6):
        status = response.status_code
        if expect.answered is not None and status == expect.answered:
            return ALLOWED
        if status in (401, 403):
            return DENIED
        if status in (301, 302, 303, 307, 308):
            target = urlsplit(response["Location"])
            if target.path in login_paths and "next" in parse_qs(target.query):
                return DENIED
            response = client.get(response["Location"])
            continue
        if 200 <= status < 300:
            return ALLOWED
        return f"HTTP {status}"
    return "redirect loop"


def _url(key: str, expect: Expect, samples: Samples, identity: str) -> str:
    if expect.path is not None:
        path = expect.path(samples, identity)
    else:
        kwargs = expect.kwargs(samples, identity) if callable(expect.kwargs) else expect.kwargs
        path = reverse(key, kwargs=kwargs)
    return f"{path}?{expect.query}" if expect.query else path


def test_every_url_pattern_is_classified():
    keys = {key for key, _route in _patterns(get_resolver())}
    unclassified = sorted(keys - EXPECTED.keys())
    stale = sorted(EXPECTED.keys() - keys)
    assert unclassified == [], f"URL patterns with no row in EXPECTED: {unclassified}"
    assert stale == [], f"rows in EXPECTED that match no URL pattern: {stale}"


def test_every_url_as_every_role(samples):
    users = {role: samples.org.users[role] for role in ROLES} | samples.extra_users
    mismatches = []
    walked = 0
    for key, route in sorted(set(_patterns(get_resolver()))):
        expect = EXPECTED.get(key)
        if expect is None:
            mismatches.append(f"{route}: no row in EXPECTED")
            continue
        identities = INSPECTION_IDENTITIES if key.startswith(INSPECTION_PREFIXES) else IDENTITIES
        for identity in identities:
            client = Client()
            if identity != ANONYMOUS:
                client.force_login(users[identity])
            path = _url(key, expect, samples, identity)
            data = expect.data(samples, identity) if callable(expect.data) else expect.data
            got = _outcome(client, expect, path, data)
            if identity in expect.not_found:
                wanted = "HTTP 404"
            else:
                wanted = ALLOWED if identity in expect.allowed else DENIED
            walked += 1
            if got != wanted:
                mismatches.append(
                    f"{expect.method.upper()} {path} as {identity}: {got}, expected {wanted}"
                )
    assert walked >= len(EXPECTED) * len(IDENTITIES) - len(IDENTITIES)
    assert mismatches == [], "\n".join(mismatches)


def test_public_inspection_pages_feeds_and_pdfs_carry_nothing_personal(samples):
    """Issue 13, Done when: nothing personal in public pages, feeds and PDFs: not the name of
    who reported a problem, not a user's e-mail address or phone."""
    users = [*samples.org.users.values(), *samples.extra_users.values()]
    personal = {DEPUTY_NAME, *(user.email for user in users if user.email)}
    personal |= {user.phone for user in users if getattr(user, "phone", "")}
    client = Client()
    texts = {}
    for key, expect in INSPECTION_EXPECTED.items():
        if expect.allowed != INSPECTION_EVERYONE:
            continue
        path = _url(key, expect, samples, ANONYMOUS)
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if body.startswith(b"%PDF"):
            texts[path] = subprocess.run(
                ["pdftotext", "-", "-"], input=body, capture_output=True, check=True
            ).stdout.decode()
        else:
            texts[path] = body.decode()
    pdfs = [text for path, text in texts.items() if path.endswith(".pdf")]
    assert pdfs and all("本季度对各部门清单运行情况进行了随机抽查" in text for text in pdfs)
    leaks = [(path, word) for path, text in texts.items() for word in personal if word in text]
    assert leaks == []

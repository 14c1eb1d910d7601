"""SPEC §4 "variants that must be expressible as policy per jurisdiction": a jurisdiction follows
its own AdjustmentPolicy, else the nearest one above it, else seed 004's numbers; the office of
a jurisdiction sets its own, an administrator those in their scope, nobody else."""

import pytest
from django.utils import translation

from adjustments import services
from adjustments.choices import AdjustmentPath, TriggerKind
from adjustments.models import AdjustmentPolicy
from core.choices import DeadlineUnit, Role
from core.services import DomainError

SEED_004 = {
    "apply_days": 10,
    "apply_unit": DeadlineUnit.WORKING_DAYS,
    "apply_extension_max_days": 30,
    "forward_days": 2,
    "review_days": 5,
    "joint_notice_days": 1,
    "approve_days": 2,
    "confirm_days": 1,
    "objection_days": 2,
    "digital_forward_days": 2,
    "publish_days": 1,
    "site_update_days": 3,
    "site_update_start": "digital_forward",
}
# SPEC §4: the periods no seed fixes are this product's defaults.
PRODUCT_DEFAULTS = {
    "joint_review_days": 5,
    "objection_forward_days": 2,
    "rereview_days": 5,
    "parent_forward_days": 2,
    "parent_review_days": 5,
    "meeting_days": 20,
    "filing_days": 5,
}


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def numbers(policy: AdjustmentPolicy) -> dict:
    return {name: getattr(policy, name) for name in SEED_004}


def test_without_any_row_every_jurisdiction_follows_seed_004(org):
    for jurisdiction in (org.city, org.district, org.town):
        policy = services.policy_for(jurisdiction)
        assert policy.pk is None
        assert numbers(policy) == SEED_004
        assert {name: getattr(policy, name) for name in PRODUCT_DEFAULTS} == PRODUCT_DEFAULTS
        assert {policy.path_for(trigger) for trigger in TriggerKind.values} == {
            AdjustmentPath.STANDARD
        }


def test_each_period_says_whether_a_seed_or_this_product_sets_it():
    """Issue 9 §8: nothing calls a product default a seed's number."""
    for name in [*SEED_004, *PRODUCT_DEFAULTS]:
        if not name.endswith("_days"):
            continue
        help_text = str(AdjustmentPolicy._meta.get_field(name).help_text)
        if name in PRODUCT_DEFAULTS:
            assert help_text == "This product's default: no seed fixes this period.", name
        else:
            assert help_text.startswith("Seed 00"), name


def test_the_objection_period_is_no_shorter_than_the_confirmation(org):
    with pytest.raises(DomainError, match="objection period"):
        services.policy_save(
            actor=None, jurisdiction=org.city, values={"confirm_days": 3, "objection_days": 2}
        )


def test_the_nearest_policy_above_applies(org):
    city = services.policy_save(actor=None, jurisdiction=org.city, values={"apply_days": 15})
    # The district and the town have no row: the city's applies to both.
    assert services.policy_for(org.district) == city
    assert services.policy_for(org.town) == city
    assert services.policy_for(org.town).apply_days == 15

    district = services.policy_save(
        actor=None,
        jurisdiction=org.district,
        values={"apply_days": 7, "apply_unit": DeadlineUnit.CALENDAR_DAYS},
    )
    assert services.policy_for(org.district) == district
    assert services.policy_for(org.town) == district
    assert services.policy_for(org.city) == city
    # A row holds all numbers: what the district did not set is seed 004's, not the city's.
    assert (district.apply_days, district.forward_days) == (7, 2)


def test_the_district_office_saves_its_own_policy_not_the_citys(org):
    office = org.district_users[Role.OFFICE]
    saved = services.policy_save(
        actor=office,
        jurisdiction=org.district,
        values={"institutional_path": AdjustmentPath.FILING},
    )
    assert saved.jurisdiction == org.district
    assert services.policy_for(org.district).institutional_path == AdjustmentPath.FILING
    # Changing it again is fine too.
    services.policy_save(actor=office, jurisdiction=org.district, values={"forward_days": 3})
    assert services.policy_for(org.district).forward_days == 3

    with pytest.raises(DomainError, match="outside your responsibility"):
        services.policy_save(actor=office, jurisdiction=org.city, values={"apply_days": 20})
    assert not AdjustmentPolicy.objects.filter(jurisdiction=org.city).exists()

    city = services.policy_save(actor=None, jurisdiction=org.city, values={"apply_days": 12})
    with pytest.raises(DomainError, match="outside your responsibility"):
        services.policy_save(actor=office, jurisdiction=org.city, values={"apply_days": 20})
    city.refresh_from_db()
    assert city.apply_days == 12


def test_administrators_save_policies_in_their_scope(org):
    city_admin = org.users[Role.ADMINISTRATOR]
    district_admin = org.district_users[Role.ADMINISTRATOR]
    services.policy_save(actor=city_admin, jurisdiction=org.district, values={"review_days": 4})
    services.policy_save(actor=district_admin, jurisdiction=org.town, values={"review_days": 3})
    assert services.policy_for(org.district).review_days == 4
    assert services.policy_for(org.town).review_days == 3
    with pytest.raises(DomainError, match="outside your responsibility"):
        services.policy_save(actor=district_admin, jurisdiction=org.city, values={"review_days": 3})
    assert services.policy_for(org.city).pk is None


@pytest.mark.parametrize("role", [Role.CLERK, Role.REVIEWER, Role.DIGITAL, Role.SUPERVISOR])
def test_other_roles_may_not_save_a_policy(org, role):
    with pytest.raises(DomainError, match="outside your responsibility"):
        services.policy_save(
            actor=org.users[role], jurisdiction=org.city, values={"apply_days": 20}
        )
    services.policy_save(actor=None, jurisdiction=org.city, values={"apply_days": 12})
    with pytest.raises(DomainError, match="outside your responsibility"):
        services.policy_save(
            actor=org.users[role], jurisdiction=org.city, values={"apply_days": 20}
        )
    assert services.policy_for(org.city).apply_days == 12


@pytest.mark.parametrize("field", [f"{trigger}_path" for trigger in TriggerKind.values])
@pytest.mark.parametrize("path", [AdjustmentPath.FILING, AdjustmentPath.PARENT_REVIEW])
def test_a_jurisdiction_with_no_office_above_follows_the_five_steps(org, field, path):
    with pytest.raises(DomainError, match="no office above"):
        services.policy_save(
            actor=org.users[Role.OFFICE], jurisdiction=org.city, values={field: path}
        )
    assert not AdjustmentPolicy.objects.filter(jurisdiction=org.city).exists()
    # The district has the city above it.
    saved = services.policy_save(actor=None, jurisdiction=org.district, values={field: path})
    assert getattr(saved, field) == path


def test_invalid_numbers_are_refused(org):
    office = org.users[Role.OFFICE]
    cases = [
        ({"apply_days": 20, "apply_extension_max_days": 15}, "cannot be shorter"),
        ({"apply_days": 0}, "greater than or equal to 1"),
        ({"review_days": 61}, "less than or equal to 60"),
        ({"apply_unit": "fortnights"}, "not a valid choice"),
        ({"deadline": 3}, "Unknown fields: deadline"),
    ]
    for values, message in cases:
        with pytest.raises(DomainError, match=message):
            services.policy_save(actor=office, jurisdiction=org.city, values=values)
    assert not AdjustmentPolicy.objects.filter(jurisdiction=org.city).exists()
    # Seven calendar days with the default longest extension is valid (seed 002).
    services.policy_save(
        actor=office,
        jurisdiction=org.city,
        values={"apply_days": 7, "apply_unit": DeadlineUnit.CALENDAR_DAYS},
    )
    assert services.policy_for(org.city).apply_days == 7


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_trigger_the_path_it_followed():
    """Issue 9 §7: migration 0003 maps the old law path and other path to every trigger they
    covered, and files an internal change where a change of institutions is filed (seed 003
    三(二)5 "机构改革和职能调整")."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("adjustments", "0002_events_append_only")]
    after = [("adjustments", "0003_procedure_fidelity")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    jurisdiction = old.get_model("core", "Jurisdiction").objects.create(
        code="410106", name="上街区", level="district", path="/410106/"
    )
    old.get_model("adjustments", "AdjustmentPolicy").objects.create(
        jurisdiction=jurisdiction,
        law_path=AdjustmentPath.PARENT_REVIEW,
        institutional_path=AdjustmentPath.FILING,
        other_path=AdjustmentPath.STANDARD,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    policy = new.get_model("adjustments", "AdjustmentPolicy").objects.get()
    assert {trigger: getattr(policy, f"{trigger}_path") for trigger in TriggerKind.values} == {
        TriggerKind.NEW_LAW: AdjustmentPath.PARENT_REVIEW,
        TriggerKind.LAW_CHANGED: AdjustmentPath.PARENT_REVIEW,
        TriggerKind.INSTITUTIONAL: AdjustmentPath.FILING,
        TriggerKind.SIMPLIFICATION: AdjustmentPath.STANDARD,
        TriggerKind.INTERNAL: AdjustmentPath.FILING,
    }
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

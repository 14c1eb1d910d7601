"""The counts of entries in force that /browse/ and the front page read (issue 11) stay equal
to counting the entries, through every kind of publication."""

from django.db.models import Count

from core.models import Jurisdiction
from registry.choices import EntryStatus, ListKind
from registry.models import Entry, InForceCount, InForceTotal
from tests import registry_builders as rb
from tests.test_registry_public import publish_many


def counted() -> tuple[dict, dict]:
    in_force = Entry.objects.filter(status=EntryStatus.IN_FORCE).order_by()
    by_department = {
        (row["department_id"], row["category_id"]): row["n"]
        for row in in_force.values("department_id", "category_id").annotate(n=Count("pk"))
    }
    by_jurisdiction = {
        (row["jurisdiction_id"], row["list_kind"]): row["n"]
        for row in in_force.values("jurisdiction_id", "list_kind").annotate(n=Count("pk"))
    }
    return by_department, by_jurisdiction


def kept() -> tuple[dict, dict]:
    return (
        {
            (row.department_id, row.category_id): row.count
            for row in InForceCount.objects.exclude(count=0)
        },
        {
            (row.jurisdiction_id, row.list_kind): row.count
            for row in InForceTotal.objects.exclude(count=0)
        },
    )


def subtrees() -> tuple[dict, dict]:
    """(kept, counted): entries in force in each jurisdiction and every one below it."""
    kept = {
        (row.jurisdiction_id, row.list_kind): row.subtree
        for row in InForceTotal.objects.exclude(subtree=0)
    }
    counted = {}
    for jurisdiction in Jurisdiction.objects.all():
        rows = (
            Entry.objects.filter(
                status=EntryStatus.IN_FORCE, jurisdiction__path__startswith=jurisdiction.path
            )
            .values("list_kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counted.update({(jurisdiction.pk, row["list_kind"]): row["n"] for row in rows})
    return kept, counted


def test_the_counts_follow_every_publication(org):
    salt = org.departments["salt"]
    district = org.district_departments["salt"]
    assert kept() == counted() == ({}, {})
    first = publish_many(salt, 3)
    publish_many(district, 2, prefix="区许可")
    publish_many(salt, 2, start=40, list_kind=ListKind.FEE)
    assert kept() == counted()
    rb.republish(first[0], status=EntryStatus.CANCELLED)
    rb.republish(first[1], name="改名不改状态")
    assert kept() == counted()
    rb.republish(first[0], status=EntryStatus.IN_FORCE)
    rb.republish(first[2], status=EntryStatus.SUSPENDED)
    assert kept() == counted()
    kept_subtrees, counted_subtrees = subtrees()
    assert kept_subtrees == counted_subtrees
    # The district's entries count in the city's subtree, not in its own count.
    assert counted_subtrees[(org.city.pk, "power")] == 4
    assert sum(kept()[1].values()) == Entry.objects.filter(status=EntryStatus.IN_FORCE).count()


def test_a_renamed_department_reorders_and_finds_its_entries_by_the_new_name(client, org):
    from core import services as core_services

    salt = org.departments["salt"]
    publish_many(salt, 2)
    salt.name = "市盐务局"
    core_services.organisation_object_save(actor=None, obj=salt, changed_fields=["name"])
    entry = Entry.objects.filter(department=salt).first()
    assert " 市盐务局 " in entry.sort_key
    response = client.get("/lists/", {"q": "盐务局"})
    assert len(response.context["entries"]) == 2
    assert not client.get("/lists/", {"q": "盐业管理"}).context["entries"]

"""Serializers of the read API (issue 3 §6).

Entries and their history rows have the same field names, so one serializer writes both: the
register now and the register as it stood on a date. An entry carries the fields its list
declares (registry.models.FIELDS_BY_KIND) and no others. Provisions of the basis and the codes
of sub-items come in the serializer's context, fetched once for a whole page
(registry.api.views.entries_data)."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import ISO_8601

from core.checkers import CheckedSerializer
from core.choices import DepartmentFunction, JurisdictionLevel
from registry.choices import (
    ChangeSource,
    EntryStatus,
    LawLevel,
    LawStatus,
    ListKind,
    ResponsibilityStage,
    RiskLevel,
    StarLevel,
)
from registry.display import field_label
from registry.models import EDITABLE_FIELDS, FIELDS_BY_KIND


class JurisdictionSerializer(CheckedSerializer):
    code = serializers.CharField(help_text=_("Administrative division code."))
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=JurisdictionLevel.choices)
    level_label = serializers.CharField(source="get_level_display")
    parent = serializers.CharField(
        source="parent.code",
        allow_null=True,
        help_text=_("Division code of the jurisdiction above, null for the city."),
    )
    entry_count = serializers.IntegerField(help_text=_("Published entries in force."))


class JurisdictionRefSerializer(CheckedSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DepartmentSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    code = serializers.CharField(help_text=_("Organisation code, part of implementation codes."))
    function = serializers.ChoiceField(choices=DepartmentFunction.choices)
    function_label = serializers.CharField(source="get_function_display")
    jurisdiction = JurisdictionRefSerializer()
    address = serializers.CharField()
    phone = serializers.CharField()
    website = serializers.CharField()


class DepartmentRefSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CategorySerializer(CheckedSerializer):
    id = serializers.IntegerField()
    list = serializers.ChoiceField(source="list_kind", choices=ListKind.choices)
    list_label = serializers.CharField(source="get_list_kind_display")
    code = serializers.CharField(help_text=_("Two digits, the start of its entries' basic codes."))
    name = serializers.CharField()


class CategoryRefSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class LawSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=LawLevel.choices)
    level_label = serializers.CharField(source="get_level_display")
    issuing_body = serializers.CharField()
    document_number = serializers.CharField()
    effective_date = serializers.DateField()
    status = serializers.ChoiceField(choices=LawStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    status_date = serializers.DateField(
        allow_null=True, help_text=_("Date of amendment or repeal.")
    )
    entry_count = serializers.IntegerField(help_text=_("Published entries citing this law."))


class ProvisionTextSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    article = serializers.CharField()
    text = serializers.CharField()


class LawDetailSerializer(LawSerializer):
    provisions = serializers.SerializerMethodField()

    @extend_schema_field(ProvisionTextSerializer(many=True))
    def get_provisions(self, law) -> list:
        return ProvisionTextSerializer(self.context["provisions"], many=True).data


class LawRefSerializer(CheckedSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProvisionSerializer(CheckedSerializer):
    """A provision of an entry's legal basis, with its law."""

    id = serializers.IntegerField()
    law = LawRefSerializer()
    article = serializers.CharField()
    text = serializers.CharField()


class EntryRefSerializer(CheckedSerializer):
    code = serializers.CharField()
    name = serializers.CharField()


# JSON parts of an entry: rows are written as stored, with every key present.


class FlowStepSerializer(CheckedSerializer):
    step = serializers.CharField()
    post = serializers.CharField(default="", help_text=_("The post responsible for the step."))
    limit_days = serializers.IntegerField(
        allow_null=True,
        default=None,
        help_text=_("The step's time limit in working days (seed 004 一(二)3); null: none stated."),
    )
    description = serializers.CharField(default="")
    risk_point = serializers.CharField(default="", help_text=_("Integrity risk point."))
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, allow_blank=True, default="")
    control_measure = serializers.CharField(default="")


class DiscretionSerializer(CheckedSerializer):
    circumstance = serializers.CharField()
    range = serializers.CharField()


class ResponsibilitySerializer(CheckedSerializer):
    stage = serializers.ChoiceField(choices=ResponsibilityStage.choices)
    stage_label = serializers.SerializerMethodField()
    duty = serializers.CharField()
    circumstances = serializers.CharField(
        default="", help_text=_("Circumstances in which someone is held accountable.")
    )
    basis = serializers.CharField(default="")

    def get_stage_label(self, row) -> str:
        return str(ResponsibilityStage(row["stage"]).label)


class FieldLabelSerializer(CheckedSerializer):
    name = serializers.CharField()
    label = serializers.CharField()


@extend_schema_field(ProvisionSerializer(many=True))
class BasisField(serializers.Field):
    """The provision ids of an entry's basis, expanded from the provisions in the context."""

    def to_representation(self, value) -> list:
        provisions = self.context["provisions"]
        cited = [provisions[p] for p in value or [] if p in provisions]
        return ProvisionSerializer(cited, many=True).data


class EntrySerializer(CheckedSerializer):
    """A published entry (or, with as_of, the version in force on that date). The fields after
    `published_at` are those of the entry's list, in the order `field_labels` gives."""

    code = serializers.CharField(help_text=_("Implementation code, the entry's key."))
    list = serializers.ChoiceField(source="list_kind", choices=ListKind.choices)
    list_label = serializers.CharField(source="get_list_kind_display")
    jurisdiction = JurisdictionRefSerializer()
    department = DepartmentRefSerializer(help_text=_("The implementing body."))
    version = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    page_url = serializers.SerializerMethodField(help_text=_("The entry's public page."))
    sub_items = serializers.SerializerMethodField(help_text=_("Codes of the sub-items."))
    field_labels = serializers.SerializerMethodField(
        help_text=_("The fields of the entry's list in display order, with their labels.")
    )
    status_label = serializers.CharField(source="get_status_display")

    # The fields of the lists (FIELDS_BY_KIND): an entry carries those of its own list only,
    # so none of them is required.
    category = CategoryRefSerializer(required=False)
    name = serializers.CharField(required=False)
    parent = EntryRefSerializer(allow_null=True, help_text=_("The main item."), required=False)
    basic_code = serializers.CharField(required=False)
    status = serializers.ChoiceField(choices=EntryStatus.choices, required=False)
    delegated_to_level = serializers.ChoiceField(
        choices=JurisdictionLevel.choices, allow_blank=True, required=False
    )
    merged_into = EntryRefSerializer(allow_null=True, required=False)
    basis = BasisField(required=False)
    basis_note = serializers.CharField(required=False)
    entrusted_body = serializers.CharField(required=False)
    handling_unit = serializers.CharField(required=False)
    responsible_unit = serializers.CharField(required=False)
    responsible_person = serializers.CharField(required=False)
    responsible_phone = serializers.CharField(required=False)
    flow = FlowStepSerializer(many=True, required=False)
    discretion = DiscretionSerializer(many=True, required=False)
    statutory_limit_days = serializers.IntegerField(allow_null=True, required=False)
    promised_limit_days = serializers.IntegerField(allow_null=True, required=False)
    extension_conditions = serializers.CharField(required=False)
    star_level = serializers.ChoiceField(choices=StarLevel.choices, allow_null=True, required=False)
    four_level_linked = serializers.BooleanField(required=False)
    guide = serializers.CharField(required=False)
    materials = serializers.ListField(child=serializers.CharField(), required=False)
    window = serializers.CharField(required=False)
    fee_note = serializers.CharField(required=False)
    responsibilities = ResponsibilitySerializer(many=True, required=False)
    approving_body = serializers.CharField(required=False)
    standard = serializers.CharField(required=False)
    payers = serializers.CharField(required=False)
    scope = serializers.CharField(required=False)
    period = serializers.CharField(required=False)
    use = serializers.CharField(required=False)
    remarks = serializers.CharField(required=False)

    def get_page_url(self, entry) -> str:
        return reverse("registry:entry", kwargs={"code": entry.code})

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_sub_items(self, entry):
        return self.context["sub_items"].get(entry.id, [])

    # No return annotations here: `list` is a field of this class.
    @extend_schema_field(FieldLabelSerializer(many=True))
    def get_field_labels(self, entry):
        return [
            {"name": name, "label": field_label(name)} for name in FIELDS_BY_KIND[entry.list_kind]
        ]

    def to_representation(self, entry) -> dict:
        data = super().to_representation(entry)
        unused = set(EDITABLE_FIELDS) - set(FIELDS_BY_KIND[entry.list_kind])
        return {name: value for name, value in data.items() if name not in unused}


class VersionSerializer(CheckedSerializer):
    """One published version of an entry (a history row)."""

    version = serializers.IntegerField()
    published_at = serializers.DateTimeField(source="history_date")
    change_source = serializers.ChoiceField(choices=ChangeSource.choices, allow_blank=True)
    change_source_label = serializers.CharField(source="get_change_source_display")
    change_reference = serializers.CharField(
        help_text=_("The adjustment request or import batch that caused this version.")
    )
    reason = serializers.CharField(source="history_change_reason", allow_null=True)


class FieldDiffSerializer(CheckedSerializer):
    name = serializers.CharField()
    label = serializers.CharField()
    old = serializers.ListField(child=serializers.CharField(), help_text=_("Lines of text."))
    new = serializers.ListField(child=serializers.CharField(), help_text=_("Lines of text."))
    changed = serializers.BooleanField()


class DiffSerializer(CheckedSerializer):
    code = serializers.CharField()
    a = VersionSerializer(allow_null=True, help_text=_("The older side; null before version 1."))
    b = VersionSerializer()
    fields = FieldDiffSerializer(many=True)


class DiffQuerySerializer(CheckedSerializer):
    a = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text=_("A version number; 0 compares with nothing. Default: the version before b."),
    )
    b = serializers.IntegerField(
        min_value=1, required=False, help_text=_("A version number. Default: the latest.")
    )


class AsOfQuerySerializer(CheckedSerializer):
    # ISO 8601 only: a date like 3/1/2024 must not mean March or January depending on the
    # reader's language, as a form field's localised formats would have it.
    as_of = serializers.DateField(required=False, input_formats=[ISO_8601])

    def validate_as_of(self, day: datetime.date) -> datetime.date:
        if day > timezone.localdate():
            raise serializers.ValidationError(_("Give a date no later than today."))
        return day

"""The parameters of a workflow's actions as its API lists them (GET …/transitions/): each
field of the action's serializer with its type, whether it is required, its help text and, for
a choice, the values it takes. The apps add the values a user may send for the fields that
name rows (departments, drafts, complaints)."""

from rest_framework import serializers

# The first kind a field is an instance of names its type; a field of the apps' own
# (a department's id, a list of drafts) says its type in `parameter_type`.
_TYPES = (
    (serializers.BooleanField, "boolean"),
    (serializers.ChoiceField, "choice"),
    (serializers.DateTimeField, "datetime"),
    (serializers.DateField, "date"),
    (serializers.IntegerField, "integer"),
)


def parameter_type(given: serializers.Field) -> str:
    if hasattr(given, "parameter_type"):
        return given.parameter_type
    return next((name for kind, name in _TYPES if isinstance(given, kind)), "string")


def parameter_row(name: str, given: serializers.Field) -> dict:
    """One parameter; `choices` only for a choice field (its values and labels)."""
    row = {
        "name": name,
        "type": parameter_type(given),
        "required": given.required,
        "help": str(given.help_text or ""),
    }
    if isinstance(given, serializers.ChoiceField):
        row["choices"] = [
            {"value": value, "label": str(label)} for value, label in given.choices.items()
        ]
    return row

"""One checker per kind of input (the project rule; issue 9 §11, §14).

Free text: no C0 control character (U+0000–U+001F) is stored, except tab, line feed and
carriage return in a multi-line field. XML 1.0 cannot carry them (one ESC in a published
summary took the Atom feed down for every reader) and no person types them. Every project form
gets the check from `CheckedFormMixin` (the bases `CheckedForm`, `CheckedModelForm`), every API
serializer from `CheckedSerializerMixin` (`CheckedSerializer`), and the Excel import calls
`text_problem` per cell; tests/test_input_checkers.py walks every form and serializer class of
the project and fails on one that does not use them.

Writers: `writer_text` strips what XML and spreadsheets cannot hold at write time, so text
stored before the check (or written by a service directly) cannot break a feed or an export;
`ControlFreeAtom1Feed` applies it to every string of a feed.

Uploads: `upload_problem` decides a file's type by its content (magic bytes, and for the
zip-based formats the members that make the format), never by its name alone, and the suffix
must name the type the content has. Pure Python, no package: the types accepted are few and
their signatures fixed.
"""

import hashlib
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

# --- free text --------------------------------------------------------------------------------

_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f]")
_CONTROL_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What XML 1.0 cannot hold at all: C0 except tab, LF and CR; lone surrogates; U+FFFE/U+FFFF.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text_problem(value: str, *, multiline: bool) -> str | None:
    """Why `value` cannot be stored as free text (a translated message), or None."""
    pattern = _CONTROL_MULTI_LINE if multiline else _CONTROL_SINGLE_LINE
    found = pattern.search(value)
    if found is None:
        return None
    character = found.group()
    if character in "\n\r\t":
        return _(
            "This field is one line: remove the line break or tab (position %(position)s)."
        ) % {"position": found.start() + 1}
    return _(
        "Remove the control character U+%(code)04X (position %(position)s): it is invisible "
        "and cannot be published."
    ) % {"code": ord(character), "position": found.start() + 1}


class TextValidator:
    """A field validator around `text_problem`; equal validators are not added twice."""

    def __init__(self, *, multiline: bool):
        self.multiline = multiline

    def __call__(self, value) -> None:
        # A field may clean to a list of lines (the draft form's materials).
        for text in value if isinstance(value, list | tuple) else [value]:
            if isinstance(text, str):
                problem = text_problem(text, multiline=self.multiline)
                if problem:
                    raise ValidationError(problem, code="control_character")

    def __eq__(self, other) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((TextValidator, self.multiline))


def _attach(validators: list, multiline: bool) -> None:
    if not any(isinstance(validator, TextValidator) for validator in validators):
        validators.append(TextValidator(multiline=multiline))


def form_field_check(field: forms.Field) -> None:
    """Gives a form field the free-text check: every CharField (and subclass), multi-line
    when its widget is a textarea."""
    if isinstance(field, forms.CharField):
        _attach(field.validators, isinstance(field.widget, forms.Textarea))


class CheckedFormMixin:
    """Every project form: the check is attached when the form validates, so fields added in
    `__init__` or later (a form built for one request) get it too."""

    def full_clean(self):
        for field in self.fields.values():
            form_field_check(field)
        super().full_clean()


class CheckedForm(CheckedFormMixin, forms.Form):
    pass


class CheckedModelForm(CheckedFormMixin, forms.ModelForm):
    pass


def serializer_field_check(field: serializers.Field) -> None:
    """Gives a DRF field the free-text check: every writable CharField, also as the child of
    a list or dict field. Multi-line when the field is styled as a textarea (DRF's own
    marker, which the browsable API uses too)."""
    if field.read_only:
        return
    if isinstance(field, serializers.ListField | serializers.DictField):
        serializer_field_check(field.child)
    elif isinstance(field, serializers.CharField):
        multiline = field.style.get("base_template") == "textarea.html"
        _attach(field.validators, multiline)


class CheckedSerializerMixin:
    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            serializer_field_check(field)
        return fields


class CheckedSerializer(CheckedSerializerMixin, serializers.Serializer):
    pass


MULTILINE_STYLE = {"base_template": "textarea.html"}


# --- writers ----------------------------------------------------------------------------------


def writer_text(value):
    """`value` without the characters XML and spreadsheets cannot hold (strings only; other
    values are returned as they are)."""
    if isinstance(value, str):
        return _NOT_XML.sub("", value)
    return value


def _writer_values(value):
    if isinstance(value, str):
        return writer_text(value)
    if isinstance(value, list | tuple):
        return type(value)(_writer_values(part) for part in value)
    if isinstance(value, dict):
        return {key: _writer_values(part) for key, part in value.items()}
    return value


class ControlFreeAtom1Feed(Atom1Feed):
    """An Atom feed whose every string passes `writer_text`: Django's XML writer raises on a
    control character, and the feed must keep serving every reader."""

    def __init__(self, *args, **kwargs):
        super().__init__(*_writer_values(args), **_writer_values(kwargs))

    def add_item(self, *args, **kwargs):
        super().add_item(*_writer_values(args), **_writer_values(kwargs))


# --- uploads ----------------------------------------------------------------------------------

_HEAD_BYTES = 4096
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_MARKUP = re.compile(rb"^\s*<(!doctype|html|head|body|script|svg|\?xml|iframe)", re.IGNORECASE)


@dataclass(frozen=True)
class UploadType:
    label: object  # a string or a lazy translation
    matches: Callable[[object, bytes], bool]


def _zip_members(upload) -> set[str] | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)


def _is_zip(upload, head: bytes) -> bool:
    return head.startswith(_ZIP) and _zip_members(upload) is not None


def _ooxml(folder: str) -> Callable[[object, bytes], bool]:
    def matches(upload, head: bytes) -> bool:
        if not head.startswith(_ZIP):
            return False
        members = _zip_members(upload) or set()
        return "[Content_Types].xml" in members and any(m.startswith(folder) for m in members)

    return matches


def _ofd(upload, head: bytes) -> bool:
    return head.startswith(_ZIP) and "OFD.xml" in (_zip_members(upload) or set())


def _text_file(upload, head: bytes) -> bool:
    """Plain text in UTF-8 or GB18030, not markup a browser would run, no control character
    but tab, line breaks and form feed."""
    body = head.removeprefix(b"\xef\xbb\xbf")
    if _MARKUP.match(body):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            text = _decode_head(body, encoding)
        except UnicodeDecodeError:
            continue
        return _CONTROL_MULTI_LINE.search(text.replace("\x0c", "")) is None
    return False


def _decode_head(head: bytes, encoding: str) -> str:
    # The head may end inside a multi-byte character.
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError(encoding, head, 0, len(head), "not text")


def _starts(*signatures: bytes) -> Callable[[object, bytes], bool]:
    return lambda upload, head: head.startswith(signatures)


_PDF = UploadType("PDF", _starts(b"%PDF-"))
_WORD_2007 = UploadType("Word (.docx)", _ooxml("word/"))
_EXCEL_2007 = UploadType("Excel (.xlsx)", _ooxml("xl/"))
_OLE_DOCUMENT = UploadType(gettext_lazy("Office 97–2003 or WPS"), _starts(_OLE2))
_JPEG = UploadType("JPEG", _starts(b"\xff\xd8\xff"))

# Suffix → the content a file so named must have. OFD (the national fixed-layout format) is a
# zip with OFD.xml; the legacy Office and WPS formats are OLE2 compound files.
UPLOAD_TYPES: dict[str, UploadType] = {
    "pdf": _PDF,
    "ofd": UploadType("OFD", _ofd),
    "doc": _OLE_DOCUMENT,
    "wps": _OLE_DOCUMENT,
    "xls": _OLE_DOCUMENT,
    "et": _OLE_DOCUMENT,
    "docx": _WORD_2007,
    "xlsx": _EXCEL_2007,
    "txt": UploadType(gettext_lazy("plain text"), _text_file),
    "jpg": _JPEG,
    "jpeg": _JPEG,
    "png": UploadType("PNG", _starts(b"\x89PNG\r\n\x1a\n")),
    "tif": UploadType("TIFF", _starts(b"II*\x00", b"MM\x00*")),
    "tiff": UploadType("TIFF", _starts(b"II*\x00", b"MM\x00*")),
    "zip": UploadType("ZIP", _is_zip),
}


def suffix_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def upload_problem(upload, *, suffixes: Iterable[str]) -> str | None:
    """Why `upload` is not accepted as one of `suffixes` (a translated message), or None:
    its suffix must be allowed and its content must be of the type the suffix names."""
    allowed = sorted(suffixes)
    name = upload.name or ""
    suffix = suffix_of(name)
    if suffix not in allowed or suffix not in UPLOAD_TYPES:
        return _("“%(name)s”: files of this type cannot be attached (allowed: %(types)s).") % {
            "name": name,
            "types": ", ".join(allowed),
        }
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    if not head:
        return _("“%(name)s” is empty.") % {"name": name}
    kind = UPLOAD_TYPES[suffix]
    if not kind.matches(upload, head):
        return _(
            "“%(name)s”: the content is not a %(type)s file, although the name ends in "
            ".%(suffix)s. Upload the document itself, saved in that format."
        ) % {"name": name, "type": kind.label, "suffix": suffix}
    return None


def uploads_problems(
    files: Sequence,
    *,
    suffixes: Iterable[str],
    max_files: int,
    max_bytes: int,
    max_total: int | None = None,
) -> list[str]:
    """Why these files cannot be attached together (translated messages; forms, the API and
    the services show the same): at most `max_files`, each of an allowed type by its content
    (upload_problem), each within `max_bytes` and, where given, all within `max_total`."""
    problems = []
    if len(files) > max_files:
        problems.append(_("Attach at most %(count)s files.") % {"count": max_files})
    for upload in files:
        problem = upload_problem(upload, suffixes=suffixes)
        if problem:
            problems.append(problem)
        elif upload.size > max_bytes:
            problems.append(
                _("“%(name)s” is larger than %(size)s MB.")
                % {"name": upload.name, "size": max_bytes // (1024 * 1024)}
            )
    if max_total is not None and sum(upload.size for upload in files) > max_total:
        problems.append(
            _("The files together are larger than %(size)s MB.")
            % {"size": max_total // (1024 * 1024)}
        )
    return problems


def upload_sha256(upload) -> str:
    """The SHA-256 of an uploaded file's content, read in chunks; the file is left at its
    start, ready to be saved."""
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


# --- codes ------------------------------------------------------------------------------------

_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")
# GB 11643-1999 §6: the weights of the first seventeen digits (2^(18-i) mod 11) and the check
# character of each remainder of their weighted sum mod 11.
_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_ID_CHECK = "10X98765432"


def resident_id_problem(value: str) -> str | None:
    """Why `value` is not a citizen identity number (公民身份号码, GB 11643-1999: 18 characters,
    the last a check character over the first seventeen), or None."""
    number = value.strip().upper()
    if not _RESIDENT_ID.match(number):
        return _("A resident identity card number has 18 characters: 17 digits, then a digit or X.")
    total = sum(
        int(digit) * weight for digit, weight in zip(number, _RESIDENT_ID_WEIGHTS, strict=False)
    )
    if _RESIDENT_ID_CHECK[total % 11] != number[-1]:
        return _("This resident identity card number's check character is wrong: check the number.")
    return None


# GB 32100-2015 (法人和其他组织统一社会信用代码编码规则) §4: 18 characters from 31 (digits and
# capital letters but I, O, Z, S, V); the registering body (1), the kind of organisation (1),
# the administrative division (6 digits), the organisation's own code (9) and a check
# character over the first seventeen, weighted by 3^(i-1) mod 31 (§5, appendix A).
CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE = re.compile(
    rf"^[{CREDIT_CODE_CHARACTERS}]{{2}}\d{{6}}[{CREDIT_CODE_CHARACTERS}]{{10}}$"
)
_CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def credit_code_normalise(value: str) -> str:
    """The code as stored and compared: without surrounding spaces, in capitals (a code typed
    in small letters is the same code)."""
    return value.strip().upper()


def credit_code_check_character(first_seventeen: str) -> str:
    total = sum(
        CREDIT_CODE_CHARACTERS.index(character) * weight
        for character, weight in zip(first_seventeen, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARACTERS[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    """Why `value` is not a unified social credit code (统一社会信用代码, GB 32100-2015), or
    None. Small letters are accepted as their capitals (credit_code_normalise)."""
    code = credit_code_normalise(value)
    if len(code) != 18:
        return _("A unified social credit code has 18 characters; this one has %(count)d.") % {
            "count": len(code)
        }
    if not _CREDIT_CODE.match(code):
        return _(
            "A unified social credit code uses digits and capital letters except I, O, Z, S "
            "and V, with the administrative division code (6 digits) in places 3 to 8."
        )
    if credit_code_check_character(code[:17]) != code[17]:
        return _("This unified social credit code's check character is wrong: check the code.")
    return None


@deconstructible
class CreditCodeValidator:
    """credit_code_problem as a Django validator (forms, serializers, model fields)."""

    def __call__(self, value) -> None:
        problem = credit_code_problem(str(value or ""))
        if problem:
            raise ValidationError(problem, code="credit_code")

    def __eq__(self, other) -> bool:
        return isinstance(other, CreditCodeValidator)

"""Path converters for string parameters (issue 9 §12).

Django's `str` converter matches any character but "/", NUL included, and PostgreSQL raises on
a NUL in a text parameter: `/items/a%00b/` answered 500. Every string path parameter of the
project uses `key` instead: no code, number or name the product issues contains a control
character, so such a URL cannot match and answers 404 before any view or query runs."""

from django.urls import register_converter


class KeyConverter:
    # No "/" (as `str`), no C0 control character and no DEL.
    regex = r"[^/\x00-\x1f\x7f]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KeyConverter, "key")

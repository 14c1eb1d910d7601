"""A captcha served by the site itself (issue 12 §10: flood protection without any external
service; government intranets reach none).

A challenge is a signed token (django.core.signing, so it carries its own expiry) holding a
random nonce. Its answer, five digits, is an HMAC of the nonce under SECRET_KEY, so nothing is
stored while a challenge is open and a token cannot be forged or its answer read from it. The
picture draws the digits as jittered strokes (SVG paths: no <text> a script could read back)
on a tilted baseline, crossed by noise lines; each request of the picture draws it anew. A
nonce is answered once, right or wrong: it is remembered in the cache until its token expires,
so an answer cannot be replayed and a wrong one cannot be tried again.

`Gate` decides when to ask: after `after` submissions from one client (its account, else its
address: core.throttle.client_key) within a fixed window of `seconds`."""

import hmac
import random
import secrets
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from .throttle import client_key

DIGITS = 5
_SALT = "core.captcha"

# Each digit as strokes (polylines) in a box 10 wide and 16 high, y downwards: the shapes of
# handwriting rather than of a font, so that jitter leaves them readable.
_GLYPHS: dict[str, tuple[str, ...]] = {
    "0": ("5,0 8.5,2.5 9.5,8 8.5,13.5 5,16 1.5,13.5 0.5,8 1.5,2.5 5,0",),
    "1": ("2.5,3.5 6,0 6,16", "3,16 9,16"),
    "2": ("0.5,3.5 3,0.3 7,0.3 9.3,3.5 8.5,7 0.5,16 9.5,16",),
    "3": ("0.5,1.5 4,0 8,1 8.7,4.5 4,7.5 8.5,9.5 9.3,13 6,16 2,16 0.3,13.5",),
    "4": ("7,16 7,0 0.3,11 9.7,11",),
    "5": ("9,0.3 1.8,0.3 1,7.3 5.5,6 9,8.5 9.3,12.5 6,16 1.5,15 0.3,13",),
    "6": ("8.5,1 5,0 1.8,3 0.7,9 1.5,14 5,16 8.5,14 9.3,10.5 6.5,7.5 3,8 0.8,10.5",),
    "7": ("0.3,0.3 9.7,0.3 3.5,16", "2.5,8 8,8"),
    "8": ("5,7.7 1.3,5 2,1 5,0 8,1 8.7,5 5,7.7 1,11 2,15 5,16 8,15 9,11 5,7.7",),
    "9": ("9.2,6 6.5,8.5 2.5,8 0.7,4.5 2.5,0.7 6.5,0.2 9.2,3 9.2,9 6.5,16 1.5,15.5",),
}


def _stroke(text: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (pair.split(",") for pair in text.split())]


WIDTH = 200
HEIGHT = 64
_INK = ("#1f2933", "#3b2f6b", "#5a1f1f", "#1d4a3a", "#24407a")


def _max_age() -> int:
    return int(settings.CAPTCHA_MAX_AGE)


def challenge() -> str:
    """A new challenge: the token the form carries and the picture's URL names."""
    return signing.dumps({"n": secrets.token_hex(12)}, salt=_SALT, compress=False)


def _nonce(token: str) -> str | None:
    try:
        value = signing.loads(token, salt=_SALT, max_age=_max_age())
    except signing.BadSignature:
        # Also SignatureExpired: an old token is as good as a forged one.
        return None
    nonce = value.get("n") if isinstance(value, dict) else None
    return nonce if isinstance(nonce, str) else None


def _answer_of(nonce: str) -> str:
    number = int.from_bytes(salted_hmac(_SALT, nonce).digest()[:8], "big")
    return f"{number % 10**DIGITS:0{DIGITS}d}"


def answer(token: str) -> str | None:
    """The digits of a valid, unexpired challenge (the picture draws them; tests read them)."""
    nonce = _nonce(token)
    return None if nonce is None else _answer_of(nonce)


def _digits(typed: str) -> str:
    # Full-width digits (a Chinese input method's) count as the digits they are.
    return "".join(c for c in unicodedata.normalize("NFKC", typed or "") if c in "0123456789")


def check(token: str, typed: str) -> bool:
    """Whether `typed` answers the challenge `token`. The challenge is used up either way."""
    nonce = _nonce(token or "")
    if nonce is None:
        return False
    if not cache.add(f"captcha:used:{nonce}", 1, timeout=_max_age() + 1):
        return False
    return hmac.compare_digest(_digits(typed), _answer_of(nonce))


def _point(x: float, y: float) -> str:
    return f"{x:.1f} {y:.1f}"


def svg(token: str) -> str | None:
    """The picture of a valid challenge's digits, or None."""
    digits = answer(token)
    if digits is None:
        return None
    rng = random.Random(secrets.randbits(64))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f6f3ec"/>',
    ]
    for _dot in range(40):
        parts.append(
            f'<circle cx="{rng.uniform(0, WIDTH):.1f}" cy="{rng.uniform(0, HEIGHT):.1f}" '
            f'r="{rng.uniform(0.5, 1.6):.1f}" fill="{rng.choice(_INK)}" fill-opacity="0.35"/>'
        )
    cell = (WIDTH - 20) / DIGITS
    for position, digit in enumerate(digits):
        scale_x = rng.uniform(2.2, 2.7)
        scale_y = rng.uniform(2.3, 2.7)
        left = 10 + position * cell + rng.uniform(2, cell - 10 * scale_x - 1)
        top = rng.uniform(4, HEIGHT - 16 * scale_y - 4)
        angle = rng.uniform(-14, 14)
        centre = _point(left + 5 * scale_x, top + 8 * scale_y)
        ink = rng.choice(_INK)
        width = rng.uniform(2.4, 3.4)
        for stroke in _GLYPHS[digit]:
            points = [
                _point(
                    left + (x + rng.uniform(-0.45, 0.45)) * scale_x,
                    top + (y + rng.uniform(-0.45, 0.45)) * scale_y,
                )
                for x, y in _stroke(stroke)
            ]
            parts.append(
                f'<path d="M{" L".join(points)}" fill="none" stroke="{ink}" '
                f'stroke-width="{width:.1f}" stroke-linecap="round" stroke-linejoin="round" '
                f'transform="rotate({angle:.1f} {centre})"/>'
            )
    for _line in range(6):
        y = [rng.uniform(6, HEIGHT - 6) for _ in range(4)]
        parts.append(
            f'<path d="M0 {y[0]:.1f} C{WIDTH / 3:.1f} {y[1]:.1f} {2 * WIDTH / 3:.1f} {y[2]:.1f} '
            f'{WIDTH} {y[3]:.1f}" fill="none" stroke="{rng.choice(_INK)}" '
            f'stroke-width="{rng.uniform(0.8, 1.6):.1f}" stroke-opacity="0.7"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Gate:
    """Ask for the captcha once a client has made `after` submissions within `seconds`."""

    scope: str
    after: int
    seconds: int

    def _key(self, request) -> str:
        window = int(time.time() // self.seconds)
        return f"captcha:gate:{self.scope}:{client_key(request)}:{window}"

    def required(self, request) -> bool:
        return (cache.get(self._key(request)) or 0) >= self.after

    def count(self, request) -> None:
        """One more submission of this client."""
        key = self._key(request)
        cache.add(key, 0, timeout=self.seconds + 1)
        try:
            cache.incr(key)
        except ValueError:
            # The counter expired between add() and incr(): this submission starts a new one.
            cache.add(key, 1, timeout=self.seconds + 1)

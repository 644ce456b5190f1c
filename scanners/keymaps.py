"""Key events of a USB-HID scanner into characters, for US and German keyboard layouts.

A HID scanner sends key codes as if a person typed on a keyboard of the layout it is set to; evdev
gives us those codes (linux/input-event-codes.h names, e.g. KEY_A). This module turns a sequence of
(code, value) events into codes: shift and AltGr are tracked, Ctrl+] (and Ctrl+5 on German keyboards)
is GS (ASCII 29), Alt + numpad digits is the character with that number (as Windows scanners send GS:
Alt+0029), Enter/keypad Enter/Tab end a code. No evdev import here: it works on recorded events too.
"""
from __future__ import annotations

from dataclasses import dataclass, field

GS = "\x1d"
DOWN, UP, REPEAT = 1, 0, 2

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_DIGITS = "1234567890"

# key name -> (plain, shifted) for the US layout
US: dict[str, tuple[str, str]] = {f"KEY_{c.upper()}": (c, c.upper()) for c in _LETTERS}
US.update({f"KEY_{d}": (d, s) for d, s in zip(_DIGITS, "!@#$%^&*()")})
US.update({
    "KEY_MINUS": ("-", "_"), "KEY_EQUAL": ("=", "+"), "KEY_LEFTBRACE": ("[", "{"), "KEY_RIGHTBRACE": ("]", "}"),
    "KEY_BACKSLASH": ("\\", "|"), "KEY_SEMICOLON": (";", ":"), "KEY_APOSTROPHE": ("'", '"'),
    "KEY_GRAVE": ("`", "~"), "KEY_COMMA": (",", "<"), "KEY_DOT": (".", ">"), "KEY_SLASH": ("/", "?"),
    "KEY_SPACE": (" ", " "), "KEY_102ND": ("\\", "|"),
})

# German (QWERTZ): Y and Z swapped, other symbols, AltGr for @ { [ ] } \ ~ | and the euro sign.
DE: dict[str, tuple[str, str]] = {f"KEY_{c.upper()}": (c, c.upper()) for c in _LETTERS}
DE["KEY_Y"], DE["KEY_Z"] = ("z", "Z"), ("y", "Y")
DE.update({f"KEY_{d}": (d, s) for d, s in zip(_DIGITS, '!"§$%&/()=')})
DE.update({
    "KEY_MINUS": ("ß", "?"), "KEY_EQUAL": ("´", "`"), "KEY_LEFTBRACE": ("ü", "Ü"), "KEY_RIGHTBRACE": ("+", "*"),
    "KEY_BACKSLASH": ("#", "'"), "KEY_SEMICOLON": ("ö", "Ö"), "KEY_APOSTROPHE": ("ä", "Ä"),
    "KEY_GRAVE": ("^", "°"), "KEY_COMMA": (",", ";"), "KEY_DOT": (".", ":"), "KEY_SLASH": ("-", "_"),
    "KEY_SPACE": (" ", " "), "KEY_102ND": ("<", ">"),
})
DE_ALTGR = {"KEY_Q": "@", "KEY_7": "{", "KEY_8": "[", "KEY_9": "]", "KEY_0": "}", "KEY_MINUS": "\\",
            "KEY_RIGHTBRACE": "~", "KEY_102ND": "|", "KEY_E": "€", "KEY_2": "²", "KEY_3": "³"}

LAYOUTS = {"us": (US, {}), "de": (DE, DE_ALTGR)}
# Ctrl + this key is GS: the key where "]" is on US keyboards; on German ones scanners send Ctrl + "+" or Ctrl+5.
GS_KEYS = {"us": {"KEY_RIGHTBRACE"}, "de": {"KEY_RIGHTBRACE", "KEY_5"}}

KEYPAD = {f"KEY_KP{d}": d for d in "0123456789"}
KEYPAD.update({"KEY_KPMINUS": "-", "KEY_KPPLUS": "+", "KEY_KPASTERISK": "*", "KEY_KPSLASH": "/", "KEY_KPDOT": "."})
TERMINATORS = {"KEY_ENTER", "KEY_KPENTER", "KEY_TAB"}
SHIFT = {"KEY_LEFTSHIFT", "KEY_RIGHTSHIFT"}
CTRL = {"KEY_LEFTCTRL", "KEY_RIGHTCTRL"}
ALT = {"KEY_LEFTALT"}
ALTGR = {"KEY_RIGHTALT"}


@dataclass
class KeyDecoder:
    """Feed key events in; get each finished code out (without its terminator)."""
    layout: str = "us"
    buffer: list[str] = field(default_factory=list)
    held: set[str] = field(default_factory=set)
    alt_digits: str = ""
    caps: bool = False

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"unknown keyboard layout {self.layout!r}; use one of {', '.join(LAYOUTS)}")
        self.keys, self.altgr_keys = LAYOUTS[self.layout]

    def feed(self, key: str, value: int) -> str | None:
        """One event: key name (KEY_A) and value (1 down, 0 up, 2 autorepeat). A finished code, or None."""
        if key in SHIFT | CTRL | ALT | ALTGR:
            if value == DOWN:
                self.held.add(key)
            elif value == UP:
                self.held.discard(key)
                if key in ALT and self.alt_digits:  # Alt released after Alt+numpad digits: that character
                    self.buffer.append(chr(int(self.alt_digits) % 0x110000))
                    self.alt_digits = ""
            return None
        if value != DOWN:
            return None  # key up, and autorepeat (a scanner never holds a key)
        if key == "KEY_CAPSLOCK":
            self.caps = not self.caps
            return None
        if key in TERMINATORS:
            code, self.buffer = "".join(self.buffer), []
            return code or None
        shift = bool(self.held & SHIFT)
        if self.held & ALT and key in KEYPAD and KEYPAD[key].isdigit():
            self.alt_digits += KEYPAD[key]
            return None
        if self.held & ALTGR or (self.held & CTRL and self.held & ALT):
            char = self.altgr_keys.get(key)
            if char:
                self.buffer.append(char)
            return None
        if self.held & CTRL:
            if key in GS_KEYS[self.layout]:
                self.buffer.append(GS)
            return None
        if key in KEYPAD:
            self.buffer.append(KEYPAD[key])
            return None
        pair = self.keys.get(key)
        if pair is None:
            return None
        plain, shifted = pair
        upper = shift != (self.caps and plain.isalpha())
        self.buffer.append(shifted if upper else plain)
        return None

    def feed_all(self, events) -> list[str]:
        return [code for key, value in events if (code := self.feed(key, value)) is not None]


def events_for(text: str, layout: str = "us", terminator: str = "KEY_ENTER") -> list[tuple[str, int]]:
    """The key events a scanner set to `layout` sends for `text` (for tests and the uinput check)."""
    keys, altgr = LAYOUTS[layout]
    reverse: dict[str, tuple[str, bool, bool]] = {}
    for name, (plain, shifted) in keys.items():
        reverse.setdefault(plain, (name, False, False))
        reverse.setdefault(shifted, (name, True, False))
    for name, char in altgr.items():
        reverse.setdefault(char, (name, False, True))
    out: list[tuple[str, int]] = []
    for ch in text:
        if ch == GS:
            out += [("KEY_LEFTCTRL", DOWN), ("KEY_RIGHTBRACE", DOWN), ("KEY_RIGHTBRACE", UP), ("KEY_LEFTCTRL", UP)]
            continue
        name, shift, alt = reverse[ch]
        mod = "KEY_LEFTSHIFT" if shift else "KEY_RIGHTALT" if alt else None
        if mod:
            out.append((mod, DOWN))
        out += [(name, DOWN), (name, UP)]
        if mod:
            out.append((mod, UP))
    return out + [(terminator, DOWN), (terminator, UP)]

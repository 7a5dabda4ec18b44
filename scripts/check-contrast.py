#!/usr/bin/env python3
"""Check the WCAG 2.1 contrast of the colour pairs in a stylesheet.

Usage: check-contrast.py [STYLE.css]   (default: static/style.css)

Pairs checked:
  - every rule that sets both `color` and `background`/`background-color`
    (text: at least 4.5:1, WCAG 1.4.3 AA);
  - every comment `/* contrast: FG on BG */` (text whose background comes
    from an enclosing element: 4.5:1);
  - every comment `/* contrast-ui: FG on BG */` (borders, focus indicators,
    form controls: 3:1, WCAG 1.4.11).
Colours may be #rgb, #rrggbb, a few names (white, black, transparent is
refused) or var(--name) defined in :root. A colour the script cannot read
is an error, not a pass: a check that silently skips is no check.

Exit status 0 when every pair passes, 1 otherwise; one line per pair.
"""

import os
import re
import sys

TEXT_MIN = 4.5
UI_MIN = 3.0
NAMES = {"white": "#ffffff", "black": "#000000"}


def parse_colour(value, props):
    value = value.strip().lower()
    for _ in range(8):
        m = re.fullmatch(r"var\(\s*(--[a-z0-9-]+)\s*\)", value)
        if not m:
            break
        if m.group(1) not in props:
            raise ValueError("undefined custom property %s" % m.group(1))
        value = props[m.group(1)].strip().lower()
    value = NAMES.get(value, value)
    m = re.fullmatch(r"#([0-9a-f]{3}|[0-9a-f]{6})", value)
    if not m:
        raise ValueError("cannot read colour '%s'" % value)
    h = m.group(1)
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


def luminance(rgb):
    def channel(c):
        c = c / 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(fg, bg):
    a, b = luminance(fg), luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def background_colour(value):
    """The colour of a `background` shorthand: its last token that looks
    like a colour (our stylesheet never uses images or gradients)."""
    tokens = re.findall(r"var\([^)]*\)|#[0-9a-fA-F]+|[a-z]+", value)
    colours = [t for t in tokens
               if t.startswith(("var(", "#")) or t in NAMES]
    if len(colours) != 1:
        raise ValueError("cannot read background '%s'" % value.strip())
    return colours[0]


def check(path):
    with open(path, encoding="utf-8") as f:
        css = f.read()
    notes = re.findall(r"/\*\s*(contrast(?:-ui)?):\s*(.*?)\s+on\s+(.*?)\s*\*/",
                       css)
    code = re.sub(r"/\*.*?\*/", "", css, flags=re.S)

    props = {}
    for m in re.finditer(r":root\s*\{([^}]*)\}", code):
        for name, value in re.findall(r"(--[a-z0-9-]+)\s*:\s*([^;]+);",
                                      m.group(1)):
            props[name] = value

    pairs = []
    for kind, fg, bg in notes:
        pairs.append(("note", fg, bg, UI_MIN if kind == "contrast-ui"
                      else TEXT_MIN))
    # Rules inside @media blocks are found too: the pattern matches the
    # innermost selector { declarations } pairs.
    for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", code):
        decls = dict((k.strip().lower(), v.strip()) for k, v in
                     re.findall(r"([a-z-]+)\s*:\s*([^;]+)", body))
        fg = decls.get("color")
        bg = decls.get("background-color")
        if bg is None and "background" in decls:
            bg = background_colour(decls["background"])
        if fg is None or bg is None:
            continue
        if fg.lower() in ("inherit", "currentcolor"):
            continue
        pairs.append((" ".join(sel.split()), fg, bg, TEXT_MIN))

    if not pairs:
        print("%s: no colour pairs found" % path)
        return False
    ok = True
    for where, fg, bg, need in pairs:
        try:
            r = ratio(parse_colour(fg, props), parse_colour(bg, props))
        except ValueError as e:
            print("FAIL %s: %s" % (where, e))
            ok = False
            continue
        verdict = "ok  " if r >= need else "FAIL"
        if r < need:
            ok = False
        print("%s %5.2f:1 (need %.1f) %s on %s  [%s]"
              % (verdict, r, need, fg, bg, where))
    return ok


def main(argv):
    path = argv[1] if len(argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "static",
        "style.css")
    sys.exit(0 if check(path) else 1)


if __name__ == "__main__":
    main(sys.argv)

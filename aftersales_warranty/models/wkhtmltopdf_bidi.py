"""Right-to-left text that wkhtmltopdf 0.12.6 (unpatched Qt, an old WebKit) prints where it belongs.

Its bidi layout misplaces a line that mixes directions: in "گارانتی آن تا 24 ماه" or
"24 ماه پوشش کامل" or "کولر گازی BTU 12000", and in a Persian word followed by punctuation
("است."), the Persian runs are drawn over their neighbours or past the line's end. It lays out
single-direction boxes correctly, so the text of a right-to-left document is printed as a sequence
of inline boxes: each Persian word and each punctuation mark its own box, each left-to-right
stretch (Latin words with the numbers around them, "BTU 12000", "WAR/000001") one box, and each
number one box; the boxes follow each other right to left, and the spaces between them still break
lines.
"""

import html
import re
import unicodedata

from markupsafe import Markup, escape

SPACES = re.compile(r"(\s+)")
# A Persian word (letters, digits, zero-width non-joiners) or a run of punctuation.
PIECES = re.compile(r"[\w\u200c\u200d]+|[^\w\s\u200c\u200d]+")
TEXT_NODES = re.compile(r">([^<]+)<")
BOX = '<span style="display: inline-block;">{}</span>'
WORD = '<span style="white-space: nowrap;">{}</span>'
LTR_BOX = '<span dir="ltr" style="display: inline-block;">{}</span>'


def _direction(token):
    """'ltr' or 'rtl' by the token's first strong character, 'number' for a token with digits and
    no letter, else 'neutral' (punctuation)."""
    for char in token:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "number" if any(char.isdigit() for char in token) else "neutral"


def rtl_text_boxes(text):
    """``text`` (plain) as the markup of right-to-left boxes that wkhtmltopdf lays out correctly."""
    tokens = [token for token in SPACES.split(text or "") if token]
    kinds = [None if token.isspace() else _direction(token) for token in tokens]
    out = []
    index = 0
    while index < len(tokens):
        token, kind = tokens[index], kinds[index]
        if kind is None:
            out.append(escape(token))
            index += 1
            continue
        if kind in ("ltr", "number"):
            end = index + 1
            while end + 1 < len(tokens) and kinds[end] is None and kinds[end + 1] in ("ltr", "number"):
                end += 2
            if "ltr" in kinds[index:end]:
                # A left-to-right stretch: its Latin words with the numbers and spaces between them
                # ("BTU 12000", "12000 BTU", "Model X-200 (new)"), in one box.
                out.append(Markup(LTR_BOX).format("".join(tokens[index:end])))
                index = end
            else:
                out.append(Markup(LTR_BOX).format(token))  # a number of the Persian text
                index += 1
            continue
        # A word and its punctuation stay on one line.
        boxes = Markup("").join(
            Markup(LTR_BOX if _direction(piece) == "number" else BOX).format(piece)
            for piece in PIECES.findall(token)
        )
        out.append(Markup(WORD).format(boxes))
        index += 1
    return Markup("").join(out)


def rtl_html_boxes(value):
    """The text nodes of sanitized HTML (a policy's terms) as right-to-left boxes, tags kept."""
    source = str(value or "")
    boxed = TEXT_NODES.sub(
        lambda match: f">{rtl_text_boxes(html.unescape(match.group(1)))}<", f"<div>{source}</div>"
    )
    return Markup(boxed)

"""Text helpers shared by the readers, the formats and the parser (one copy each).

Labels are compared without their "soft" characters (whitespace and punctuation that
renderings add, drop or change); Chinese numerals are read as numbers.
"""

from __future__ import annotations

import re
from .lazyre import later

CN_NUM = "一二三四五六七八九十"
_CN_VALUE = {c: i + 1 for i, c in enumerate(CN_NUM)}

# characters ignored when comparing labels (whitespace and "soft" punctuation)
SOFT = set(" \t\n\r\u3000,，、.．:：;；\"'“”‘’()（）〔〕[]【】<>《》·-—_~")
VALUE_PUNCT = set("—–-/／")


def cn_to_int(s: str) -> int | None:
    if not s:
        return None
    if s == "十":
        return 10
    if len(s) == 1:
        return _CN_VALUE.get(s)
    if s[0] == "十":
        return 10 + (_CN_VALUE.get(s[1], 0))
    if len(s) == 2 and s[1] == "十":
        return _CN_VALUE.get(s[0], 0) * 10
    if len(s) == 3 and s[1] == "十":
        return _CN_VALUE.get(s[0], 0) * 10 + _CN_VALUE.get(s[2], 0)
    return None


# the soft characters as one regex (deleting them with it is 2–5× faster than str.translate,
# which looks every character up in a mapping)
SOFT_RUNS = later("[%s]+" % "".join(re.escape(c) for c in sorted(SOFT)))


def compact(s: str) -> str:
    return SOFT_RUNS.sub("", s)


def sentences(text: str) -> list[str]:
    """The non-empty pieces of text between 。；; and line breaks.  The other stops made 。
    and the text split at 。: the same pieces as a split at the class [。；;\n], in scans of
    the text for one character each (a replace that finds none copies nothing) instead of
    the regex engine testing the class at every character, several times slower."""
    return list(filter(None, text.replace("；", "。").replace(";", "。").replace("\n", "。").split("。")))

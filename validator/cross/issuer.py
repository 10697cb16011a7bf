"""Who issued a report, as a key that different spellings of one issuer share.

"淮安市洪泽区人民政府", "洪泽区人民政府" and "洪泽区" are one issuer; "淮安市人民政府" is another.
A name is split into its chain of administrative units (淮安市 › 洪泽区) and what follows
them (a department: 地方税务局, 科学技术委员会); the words that name the government itself
(人民政府, 管委会 …) are dropped.  Two names are the same issuer when the last unit and the
department agree and one chain ends the other (洪泽区 ends 淮安市›洪泽区).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# the words that end an administrative unit's name (a unit name has at least two characters)
_SUFFIX = re.compile(r"特别行政区|自治区|自治州|自治县|自治旗|综合实验区|经济技术开发区|高新技术产业开发区|"
                     r"经济开发区|开发区|高新区|新区|地区|街道|省|市|州|盟|县|区|旗|镇|乡")
_SUFFIX_CHARS = set("省市州盟县区旗镇乡")
# the government itself, not a department of it
_GOVERNMENT = re.compile(r"(?:人民政府|政府|管理委员会|管委会|行政公署)$")
_NOISE = re.compile(r"[\s\u3000·•()（）【】\[\]《》“”\"']")


@dataclass(frozen=True)
class Issuer:
    name: str                     # as the report writes it
    units: tuple[str, ...]        # 淮安市, 洪泽区
    department: str               # "" for the government itself

    @property
    def key(self) -> str:
        """What spellings of one issuer share: the last unit and the department."""
        return (self.units[-1] if self.units else "") + ("/" + self.department if self.department else "")

    def same_as(self, other: "Issuer") -> bool:
        if self.key != other.key or not self.key:
            return False
        a, b = self.units, other.units
        short, long_ = (a, b) if len(a) <= len(b) else (b, a)
        return long_[len(long_) - len(short):] == short

    @property
    def display(self) -> str:
        return "".join(self.units) + self.department


def parse_issuer(name: str | None) -> Issuer | None:
    """The issuer of a name as the report writes it; None when there is no usable name."""
    if not name:
        return None
    s = _NOISE.sub("", name)
    s = _GOVERNMENT.sub("", s)
    if not s:
        return None
    units: list[str] = []
    pos = 0
    while pos < len(s):
        end = None
        for m in _SUFFIX.finditer(s, pos + 1):
            e = m.end()
            # 秦州区: not 秦州 + 区 — a unit is never followed by a lone suffix character
            if e < len(s) and s[e] in _SUFFIX_CHARS and (e + 1 == len(s) or not _SUFFIX.match(s, e + 1)
                                                          and s[e] in "区县市"):
                continue
            end = e
            break
        if end is None:
            break
        units.append(s[pos:end])
        pos = end
    dept = s[pos:]
    dept = _GOVERNMENT.sub("", dept)
    if not units and not dept:
        return None
    return Issuer(name, tuple(units), dept)


def mentions(text: str, issuer: Issuer) -> int:
    """How often a report's own prose names an issuer (by its last unit, or its department
    with the unit before it)."""
    if issuer.department:
        needle = (issuer.units[-1] if issuer.units else "") + issuer.department
    else:
        needle = issuer.units[-1] if issuer.units else ""
    if len(needle) < 2:
        return 0
    return text.count(needle)

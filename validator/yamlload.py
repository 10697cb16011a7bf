"""Safe YAML loading that remembers line numbers, so rule and config errors can say
file:line and what is wrong (as Vale and yamllint do).

Rule and configuration files are untrusted input (issue 16.3):

* only the safe loader (no Python tags);
* aliases are bounded: the node graph is measured as it would be expanded (each alias
  counted as a copy of what it names, memoised, so the measure itself is linear) and a file
  whose aliases expand to more than ``MAX_ALIAS_EXPANSION`` nodes — a "billion laughs" —
  is refused before anything is built; an alias that contains itself is refused too;
* a key given twice in one mapping is refused with both lines (the last one would silently
  win otherwise); keys brought in by a ``<<`` merge may be overridden, as YAML intends;
* messages quote at most one short line of any value (:func:`quote`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

yaml = None   # PyYAML, imported on the first load (a check with cached rules needs none)

from .i18n import Msg, msg, of


class YamlError(Exception):
    """A rule, format or config file that cannot be used; the message names file and line."""


class LineDict(dict):
    """A mapping that knows the line it started on (1-based)."""

    line: int = 0
    key_lines: dict


class LineList(list):
    """A sequence that knows the line it started on and the line of each item (1-based)."""

    line: int = 0
    item_lines: list


# Nodes an alias may add by expansion (beyond the nodes written in the file).  The shipped
# rules use none; a rule file that shares a list of templates between rules adds a few
# hundred.  A 300-byte billion-laughs file adds 387 million.
MAX_ALIAS_EXPANSION = 100_000
QUOTE_CHARS = 60


def quote(value, limit: int = QUOTE_CHARS) -> str:
    """At most one short line of a value, for an error message: a value in a hostile file
    may be megabytes long or span thousands of lines."""
    if isinstance(value, (list, tuple, dict, set)):
        kind = ("列表", "list") if isinstance(value, (list, tuple)) else \
            ("映射", "mapping") if isinstance(value, dict) else ("集合", "set")
        return Msg(f"（{kind[0]}，{len(value)}项）", f"({kind[1]} of {len(value)} items)")
    s = value if isinstance(value, str) else _short_repr(value, limit)
    first, nl, _rest = s.partition("\n")
    if isinstance(s, Msg):
        return s
    if len(first) > limit:
        return first[:limit] + "…"
    return first + ("…" if nl else "")


def _short_repr(value, limit: int) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        n = value.bit_length() * 3 // 10
        return Msg(f"（{n}位左右的数）", f"(a number of about {n} digits)")
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a value that cannot even be shown
        return f"（{type(value).__name__}）"


def one_line(message: str, limit: int = 300) -> str:
    """An error message on one line of reasonable length (in both languages of a Msg)."""
    if isinstance(message, Msg):
        return message.map(lambda t: one_line(t, limit))
    s = " ".join(str(message).split("\n"))
    return s if len(s) <= limit else s[:limit] + "…"


@lru_cache(maxsize=1)
def _loader_class():
    """The loader class; imports PyYAML the first time a file is loaded."""
    global yaml
    import yaml as _yaml
    yaml = _yaml

    # The safe loader (no Python tags), with libyaml's C parser when PyYAML has it: 8× faster on
    # the shipped rules (YAML parsing was the largest part of start-up); same data, same marks.
    class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        def construct_object(self, node, deep=False):
            """A value the safe constructors cannot build (``!!int abc``, a 5,000-digit number,
            ``!!timestamp 2001-99-99``) is an error at its line, not a traceback."""
            try:
                return super().construct_object(node, deep)
            except (YamlError, yaml.YAMLError):
                raise
            except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
                value = node.value if isinstance(node, yaml.ScalarNode) else ""
                raise YamlError(msg("{n}: 值“{v}”无法读取（{e}）", '{n}: the value "{v}" cannot be read ({e})',
                                    n=node.start_mark.line + 1, v=quote(value),
                                    e=one_line(str(exc).split(chr(10), 1)[0], 120))) from None

    _MAX_NUMBER_CHARS = 100

    def _construct_int(loader, node):
        if len(str(node.value)) > _MAX_NUMBER_CHARS:
            raise YamlError(msg("{n}: 数字太长（{d:,} 位，上限 {m} 位）", "{n}: number too long ({d:,} digits, at most {m})",
                                n=node.start_mark.line + 1, d=len(node.value), m=_MAX_NUMBER_CHARS))
        return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)

    _Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)

    _MERGE_TAG = "tag:yaml.org,2002:merge"

    def _construct_mapping(loader: _Loader, node: yaml.MappingNode):
        # duplicates among the keys written in this mapping (not those a << merge brings in)
        seen: dict = {}
        for knode, _vnode in node.value:
            if knode.tag == _MERGE_TAG:
                continue
            if isinstance(knode, yaml.ScalarNode):
                key = loader.construct_object(knode, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue
                if first is not None:
                    raise YamlError(msg("{n}: 键“{k}”重复（第{f}行已有）；同一映射中的键只能出现一次",
                                        '{n}: key "{k}" repeated (already on line {f}); a key may appear only once '
                                        'in a mapping', n=knode.start_mark.line + 1, k=quote(key), f=first))
                seen[key] = knode.start_mark.line + 1
        loader.flatten_mapping(node)
        d = LineDict()
        d.line = node.start_mark.line + 1
        d.key_lines = {}
        for knode, vnode in node.value:
            key = loader.construct_object(knode, deep=True)
            try:
                hash(key)
            except TypeError:
                raise YamlError(msg("{n}: 键不能是列表或映射", "{n}: a key cannot be a list or a mapping",
                                    n=knode.start_mark.line + 1)) from None
            d[key] = loader.construct_object(vnode, deep=True)
            d.key_lines[key] = knode.start_mark.line + 1
        return d

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

    def _construct_sequence(loader: _Loader, node: yaml.SequenceNode):
        out = LineList(loader.construct_object(child, deep=True) for child in node.value)
        out.line = node.start_mark.line + 1
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        return out

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    return _Loader


def _check_expansion(root) -> None:
    """Refuse a node graph whose aliases expand beyond the bound, or contain themselves.

    The composer gives an alias the very node it names, so a node reached twice is an
    alias.  The expanded size is computed bottom-up once per distinct node (iteratively:
    no recursion limit, whatever the nesting)."""
    if root is None:
        return
    size: dict[int, int] = {}
    distinct = 0
    state: dict[int, int] = {}          # 1: on the current path, 2: done
    stack = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        nid = id(node)
        if leaving:
            total = 1
            for child in _children(node):
                total += size[id(child)]
                if total > 1 << 62:
                    total = 1 << 62
            size[nid] = total
            state[nid] = 2
            continue
        st = state.get(nid)
        if st == 2:
            continue
        if st == 1:
            raise YamlError(_loop(node))
        state[nid] = 1
        distinct += 1
        stack.append((node, True))
        for child in _children(node):
            cst = state.get(id(child))
            if cst == 1:
                raise YamlError(_loop(child))
            if cst is None:
                stack.append((child, False))
    expanded = size.get(id(root), 0)
    if expanded - distinct > MAX_ALIAS_EXPANSION:
        line = _first_alias_line(root)
        raise YamlError(msg("{l}: 锚点（&）经别名（*）引用展开后约有 {x} 个节点，超过上限 {m:,}（疑为别名炸弹），已拒绝",
                            "{l}: anchors (&) expanded through aliases (*) make about {x} nodes, over the limit of "
                            "{m:,} (an alias bomb?); refused", l=line, x=_approx(expanded), m=MAX_ALIAS_EXPANSION + distinct))


def _loop(node) -> Msg:
    return msg("{n}: 别名引用了包含它自身的内容（循环引用），无法展开",
               "{n}: an alias refers to something that contains it (a loop) and cannot be expanded",
               n=node.start_mark.line + 1)


def _approx(n: int) -> str:
    return f"{n:,}" if n < 10 ** 12 else f"10^{len(str(n)) - 1}"


def _children(node):
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        out = []
        for k, v in node.value:
            out.append(k)
            out.append(v)
        return out
    return ()


def _first_alias_line(root) -> int:
    """The line of the first node that is reached twice (an alias use)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return node.start_mark.line + 1
        seen.add(id(node))
        stack.extend(reversed(list(_children(node))))
    return 1


def load_yaml_text(text: str, name: str = "<string>"):
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        _check_expansion(node)
        return loader.construct_document(node) if node is not None else None
    except YamlError as exc:
        raise YamlError(name + ":" + of(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlError(one_line(msg("{w}: YAML 语法错误：{p}", "{w}: YAML syntax error: {p}", w=where, p=problem))) from None
    except RecursionError:
        raise YamlError(msg("{n}: 嵌套层次太深，无法读取", "{n}: nested too deeply to be read", n=name)) from None
    finally:
        loader.dispose()


def load_yaml(path: Path):
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise YamlError(one_line(msg("{p}: 无法读取：{e}", "{p}: cannot be read: {e}", p=path, e=exc.strerror or exc))) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise YamlError(msg("{p}:{l}: 无法读取：不是 UTF-8 编码的文本（第{l}行有字节 0x{b:02x}），规则和配置文件须存为 UTF-8",
                            "{p}:{l}: cannot be read: not UTF-8 text (byte 0x{b:02x} on line {l}); rule and "
                            "configuration files must be saved as UTF-8", p=path, l=line, b=data[exc.start])) from None
    return load_yaml_text(text, str(path)), text.count("\n") + 1


def __getattr__(name: str):
    if name == "_Loader":   # the loader class, built (and PyYAML imported) on first use
        return _loader_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

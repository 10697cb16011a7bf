"""Safe YAML loading that remembers line numbers, so rule and config errors can say
file:line and what is wrong (as Vale and yamllint do)."""

from __future__ import annotations

from pathlib import Path

import yaml


class YamlError(Exception):
    """A rule, format or config file that cannot be used; the message names file and line."""


class LineDict(dict):
    """A mapping that knows the line it started on (1-based)."""

    line: int = 0
    key_lines: dict


# The safe loader (no Python tags), with libyaml's C parser when PyYAML has it: 8× faster on
# the shipped rules (YAML parsing was the largest part of start-up); same data, same marks.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode):
    loader.flatten_mapping(node)
    d = LineDict()
    d.line = node.start_mark.line + 1
    d.key_lines = {}
    for knode, vnode in node.value:
        key = loader.construct_object(knode, deep=True)
        try:
            hash(key)
        except TypeError:
            raise YamlError(f"{knode.start_mark.line + 1}: 键不能是列表或映射") from None
        d[key] = loader.construct_object(vnode, deep=True)
        d.key_lines[key] = knode.start_mark.line + 1
    return d


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml_text(text: str, name: str = "<string>"):
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except YamlError as exc:
        raise YamlError(f"{name}:{exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlError(f"{where}: YAML 语法错误：{problem}") from None


def load_yaml(path: Path):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlError(f"{path}: 无法读取：{exc}") from None
    return load_yaml_text(text, str(path)), text.count("\n") + 1

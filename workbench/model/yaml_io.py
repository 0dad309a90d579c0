"""Bounded, safe YAML reading: the one door every scenario file and text comes through.

PyYAML's safe loader never runs code, but on its own it will expand a 1 KB alias bomb
into billions of nodes, recurse until the interpreter's stack runs out on deeply nested
input, and let a repeated key silently replace the first. :func:`load_yaml` composes the
document itself (on top of libyaml's C parser when it is installed) and refuses, with an
error naming the line and column:

- more than :data:`MAX_ALIASES` aliases, an alias to a node still being read (a cycle),
  or a document that would expand to more than :data:`MAX_NODES` nodes or
  :data:`MAX_EXPANDED_CHARS` characters of scalars once aliases are followed;
- nesting deeper than :data:`MAX_DEPTH`;
- a key repeated in one mapping (merge keys ``<<`` may still be overridden);
- values the safe constructor cannot build (integers of thousands of digits,
  impossible dates).

:func:`read_text` reads a file as UTF-8, naming the byte offset (and line) of the first
byte that is not, and refuses files larger than :data:`MAX_FILE_BYTES`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import (AliasEvent, MappingEndEvent, MappingStartEvent, ScalarEvent,
                         SequenceEndEvent, SequenceStartEvent, StreamEndEvent)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import ModelError, Problem

MAX_ALIASES = 100
"""Aliases (``*name``) one document may use."""
MAX_DEPTH = 64
"""Deepest nesting of sequences and mappings (scenarios nest about 6 deep)."""
MAX_NODES = 200_000
"""Nodes in the document once every alias is expanded."""
MAX_EXPANDED_CHARS = 16 * 2**20
"""Scalar characters beyond the text's own length that aliases may add when expanded."""
MAX_FILE_BYTES = 64 * 2**20
"""Largest input file or text (a 10,000-satellite TLE set inline is about 1.5 MB)."""

IS_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
"""Whether libyaml's C parser reads the text (else PyYAML's pure-Python parser)."""

_BaseLoader: type = yaml.CSafeLoader if IS_LIBYAML else yaml.SafeLoader
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _LimitError(ComposerError):
    """A document beyond one of this module's bounds."""


class _BoundedLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader whose composer counts aliases, depth and expanded size, and whose
    constructor refuses duplicate keys."""

    def __init__(self, stream: str, *, extra_chars: int) -> None:
        super().__init__(stream)
        self.anchors: dict[str, Any] = {}
        self._n_aliases = 0
        self._depth = 0
        self._sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (nodes, scalar chars)
        self._max_chars = extra_chars

    # --- composing (PyYAML's Composer, with the bounds) ----------------------------
    def get_single_node(self) -> Any:
        self.get_event()  # stream start
        document = None
        if not self.check_event(StreamEndEvent):
            self.get_event()  # document start
            document = self._compose(None, None)
            self.get_event()  # document end
        if not self.check_event(StreamEndEvent):
            event = self.get_event()
            raise ComposerError("expected a single document in the stream",
                                document.start_mark if document is not None else None,
                                "but found another document", event.start_mark)
        self.get_event()  # stream end
        return document

    def _compose(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            event = self.get_event()
            if event.anchor not in self.anchors:
                raise ComposerError(None, None, f"found undefined alias {event.anchor!r}",
                                    event.start_mark)
            self._n_aliases += 1
            if self._n_aliases > MAX_ALIASES:
                raise _LimitError(None, None, f"more than {MAX_ALIASES} aliases (*name) in "
                                  "one document", event.start_mark)
            node = self.anchors[event.anchor]
            if id(node) not in self._sizes:
                raise _LimitError(None, None, f"alias *{event.anchor} refers to a node that "
                                  "contains it (a cycle)", event.start_mark)
            return node
        event = self.peek_event()
        anchor = event.anchor
        if anchor is not None and anchor in self.anchors:
            raise ComposerError(f"found duplicate anchor {anchor!r}; first occurrence",
                                self.anchors[anchor].start_mark, "second occurrence",
                                event.start_mark)
        self.descend_resolver(parent, index)
        if self.check_event(ScalarEvent):
            event = self.get_event()
            tag = event.tag
            if tag is None or tag == "!":
                tag = self.resolve(ScalarNode, event.value, event.implicit)
            node = ScalarNode(tag, event.value, event.start_mark, event.end_mark,
                              style=event.style)
            if anchor is not None:
                self.anchors[anchor] = node
            self._sizes[id(node)] = (1, len(event.value))
        else:
            is_sequence = self.check_event(SequenceStartEvent)
            if not is_sequence and not self.check_event(MappingStartEvent):
                event = self.get_event()
                raise ComposerError(None, None, f"unexpected {type(event).__name__}",
                                    event.start_mark)
            start = self.get_event()
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _LimitError(None, None, f"nesting deeper than {MAX_DEPTH} levels",
                                  start.start_mark)
            tag = start.tag
            kind = SequenceNode if is_sequence else MappingNode
            if tag is None or tag == "!":
                tag = self.resolve(kind, None, start.implicit)
            node = kind(tag, [], start.start_mark, None, flow_style=start.flow_style)
            if anchor is not None:
                self.anchors[anchor] = node
            nodes, chars = 1, 0
            end = SequenceEndEvent if is_sequence else MappingEndEvent
            index = 0
            while not self.check_event(end):
                if is_sequence:
                    children = (self._compose(node, index),)
                    node.value.append(children[0])
                    index += 1
                else:
                    key = self._compose(node, None)
                    children = (key, self._compose(node, key))
                    node.value.append(children)
                for child in children:
                    n, c = self._sizes[id(child)]
                    nodes, chars = nodes + n, chars + c
                if nodes > MAX_NODES:
                    raise _LimitError(None, None, f"the document expands to more than "
                                      f"{MAX_NODES:,} nodes once its aliases are followed",
                                      start.start_mark)
                if chars > self._max_chars:
                    raise _LimitError(None, None, "the document's aliases expand to more than "
                                      f"{self._max_chars:,} characters", start.start_mark)
            node.end_mark = self.get_event().end_mark
            self._depth -= 1
            self._sizes[id(node)] = (nodes, chars)
        self.ascend_resolver()
        return node

    # --- constructing (duplicate keys, values Python refuses) -----------------------
    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    is_repeat = key in seen
                except TypeError:
                    continue  # unhashable: the base constructor names it
                if is_repeat:
                    raise ConstructorError("while constructing a mapping", node.start_mark,
                                           f"found duplicate key {_short(key)}",
                                           key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            raise ConstructorError(None, None, f"cannot read this value ({exc})",
                                   node.start_mark) from None


def _short(value: object, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) or len(value) < 4 * limit else \
        repr(value[:limit])
    return text if len(text) <= limit else text[:limit - 3] + "..."


def load_yaml(text: str, *, source: str = "YAML", what: str = "scenario YAML") -> Any:
    """The value of one YAML document, read safely and within bounds.

    Parameters
    ----------
    text : str
        The YAML text (at most :data:`MAX_FILE_BYTES` characters).
    source : str
        Where the text came from (a path or ``"YAML"``), for the error message.
    what : str
        What the text is, for the error message.

    Returns
    -------
    The document as plain Python values (dict, list, str, int, float, bool, None,
    datetime, date, bytes); ``None`` for an empty document.

    Raises
    ------
    ModelError
        The text is not valid YAML, uses tags outside the safe set, or is beyond one of
        the bounds; the problem names the line and column.

    Examples
    --------
    >>> load_yaml("a: [1, 2]")
    {'a': [1, 2]}
    >>> load_yaml("a: 1\\na: 2")
    Traceback (most recent call last):
    ...
    workbench.model.errors.ModelError: invalid scenario YAML (YAML) (1 problem):
      line 2, column 1='a: 2': is not valid YAML: found duplicate key 'a'
    """
    label = f"{what} ({source})"
    if not isinstance(text, str):
        raise ModelError(label, [Problem("text", type(text).__name__, "must be text (str)")])
    if len(text) > MAX_FILE_BYTES:
        raise ModelError(label, [Problem("text", f"{len(text):,} characters",
                                         f"is larger than {MAX_FILE_BYTES:,}")])
    try:
        loader = _BoundedLoader(text, extra_chars=len(text) + MAX_EXPANDED_CHARS)
    except UnicodeEncodeError as exc:  # libyaml reads UTF-8: lone surrogates cannot be
        raise ModelError(label, [Problem(f"character {exc.start:,}", text[exc.start],
                                         "is not a Unicode character (a lone surrogate)")]
                         ) from None
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "document"
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        if context and context.startswith("expected"):
            problem = f"{context}, {problem}"
        raise ModelError(label, [Problem(where, _Line(_line(text, mark)),
                                         f"is not valid YAML: {problem}")]) from None
    finally:
        loader.dispose()


class _Line(str):
    """A line of the input, shown as written in the error."""

    def __repr__(self) -> str:
        return "'" + self + "'"


class _Bare(str):
    """A value shown without quotes."""

    def __repr__(self) -> str:
        return str(self)


def _line(text: str, mark: Any, limit: int = 60) -> str:
    """The (stripped, shortened) line a mark points at."""
    if mark is None:
        line = text[:4 * limit]
    else:
        start = text.rfind("\n", 0, mark.index) + 1
        end = text.find("\n", start, start + 4 * limit)
        line = text[start:end if end >= 0 else start + 4 * limit]
    line = line.split("\n", 1)[0].strip()
    return line if len(line) <= limit else line[:limit - 3] + "..."


def read_text(path: str | Path, *, what: str = "file") -> str:
    """A file's text, decoded as UTF-8 (a leading byte-order mark is dropped).

    Raises
    ------
    ModelError
        The file is larger than :data:`MAX_FILE_BYTES`, or a byte is not UTF-8 (the
        problem names its offset, line and column).
    OSError
        The file cannot be read.
    """
    path = Path(path)
    with path.open("rb") as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ModelError(f"{what} ({path})", [Problem(
            "file", str(path), f"is larger than {MAX_FILE_BYTES:,} bytes")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        raise ModelError(f"{what} ({path})", [Problem(
            f"byte {offset:,}", _Bare(f"0x{data[offset]:02x}"),
            f"is not UTF-8 text (line {line}, byte {column} of the line: {exc.reason}); "
            "save the file as UTF-8")]) from None


__all__ = ["load_yaml", "read_text", "MAX_ALIASES", "MAX_DEPTH", "MAX_NODES",
           "MAX_EXPANDED_CHARS", "MAX_FILE_BYTES", "IS_LIBYAML"]

"""Bounded YAML: the inputs that once took minutes or gigabytes, or were silently misread.

Issue 10: a 1 KB alias bomb (nine levels of lists of nine aliases) took ``load_scenario``
154 s and 3 GB; 500 nested ``[`` and non-UTF-8 files gave tracebacks; a repeated key
silently won. Each case must now give one of the workbench's own errors, naming where.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import yaml

from workbench.scenarios import load_scenario
from workbench.model.errors import ModelError, Problem, WorkbenchError, bounded_repr
from workbench.model.yaml_io import (IS_LIBYAML, MAX_ALIASES, MAX_DEPTH, MAX_NODES, load_yaml,
                                     read_text)


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The 'billion laughs' YAML: level k is a list of ``width`` aliases of level k-1, so
    the last level expands to width**levels scalars (9**9 = 387 million)."""
    lines = ['a0: &a0 [' + ", ".join(['"lol"'] * width) + "]"]
    for k in range(1, levels):
        lines.append(f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * width) + "]")
    return "\n".join(lines) + "\nname: bomb\n"


def test_the_bomb_is_small_and_would_expand_enormously():
    text = alias_bomb()
    assert len(text) < 1200
    assert 9**9 > 1000 * MAX_NODES  # what a loader without a cap would build


def test_alias_bomb_is_refused_in_a_fresh_interpreter_without_hanging():
    # Expanding 387 million nodes takes minutes and gigabytes; refusing it takes
    # milliseconds. The subprocess timeout makes a slow path fail the test outright.
    source = textwrap.dedent(f"""
        from workbench.scenarios import load_scenario
        from workbench.model.errors import ModelError
        try:
            load_scenario({alias_bomb()!r})
        except ModelError as exc:
            print("REFUSED", exc)
        else:
            print("LOADED")
    """)
    proc = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("REFUSED")
    assert "once its aliases are followed" in proc.stdout
    assert "line " in proc.stdout  # names where


def test_too_many_aliases_are_refused():
    text = "base: &b 1\nitems: [" + ", ".join(["*b"] * (MAX_ALIASES + 1)) + "]\n"
    with pytest.raises(ModelError, match="more than 100 aliases"):
        load_yaml(text)
    assert load_yaml("base: &b 1\nitems: [" + ", ".join(["*b"] * 5) + "]\n")["items"] == [1] * 5


def test_a_self_referencing_alias_is_refused():
    with pytest.raises(ModelError, match="cycle"):
        load_yaml("a: &a [1, *a]\n")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 5000])
def test_deep_nesting_is_refused_naming_the_limit(depth):
    text = "[" * depth + "]" * depth
    with pytest.raises(ModelError, match=f"nesting deeper than {MAX_DEPTH}|nesting depth"):
        load_scenario(text + "\n")


def test_nesting_within_the_limit_is_read():
    depth = MAX_DEPTH - 1
    value = load_yaml("[" * depth + "1" + "]" * depth)
    for _ in range(depth):
        (value,) = value
    assert value == 1


def test_duplicate_keys_are_refused_with_the_line():
    with pytest.raises(ModelError) as info:
        load_yaml("name: a\nstep_s: 60\nstep_s: 30\n", source="s.yaml")
    (problem,) = info.value.problems
    assert problem.field == "line 3, column 1"
    assert "found duplicate key 'step_s'" in problem.message


def test_merge_keys_may_still_be_overridden():
    assert load_yaml("base: &b {x: 1, y: 2}\nthing:\n  <<: *b\n  y: 3\n")["thing"] == {
        "x": 1, "y": 3}


@pytest.mark.parametrize("text, words", [
    ("!!python/object/apply:os.system ['echo hacked']\n", "could not determine a constructor"),
    ("a: !!python/name:os.system\n", "could not determine a constructor"),
    ("a: 1" + "0" * 5000 + "\n", "cannot read this value"),
    ("a: 2024-13-45\n", "cannot read this value"),
    ("a: [1, 2\n", "is not valid YAML"),
    ("a: 1\n---\nb: 2\n", "expected a single document"),
])
def test_unsafe_or_unreadable_values_are_model_errors(text, words):
    with pytest.raises(ModelError, match=words):
        load_yaml(text)


def test_libyaml_reads_when_available():
    assert IS_LIBYAML == bool(getattr(yaml, "__with_libyaml__", False))


def test_non_utf8_file_names_the_byte_offset(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ModelError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.field == "byte 9"
    assert "is not UTF-8 text (line 1" in problem.message
    assert "0xe9" in str(problem)
    with pytest.raises(ModelError, match="byte 9"):
        read_text(path)


def test_utf8_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: x\n")
    assert load_yaml(read_text(path)) == {"name": "x"}


def test_error_messages_render_huge_values_in_bounded_time_and_size():
    huge = [list(range(1000))] * 10**6  # a billion items reachable, one list object
    problem = Problem("field", huge, "is wrong")
    assert len(str(problem)) < 120
    assert len(bounded_repr("x" * 10**7)) <= 60
    nested: list = []
    for _ in range(5000):  # deeper than the interpreter's recursion limit
        nested = [nested]
    assert len(bounded_repr(nested)) <= 60


def test_problem_with_a_value_whose_repr_raises():
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert "Hostile" in str(Problem("f", Hostile(), "bad"))


def test_every_refusal_is_a_workbench_error():
    for text in (alias_bomb(), "a: 1\na: 2\n", "[" * 100 + "]" * 100):
        with pytest.raises(WorkbenchError):
            load_scenario(text)

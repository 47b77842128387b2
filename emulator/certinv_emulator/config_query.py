"""The subset of AWS Config's advanced-query SQL that certinv sends, parsed properly.

moto 5.2.5 has no SelectAggregateResourceConfig, so nothing parses these expressions.
This is a tokenizer plus a recursive-descent parser for:

    SELECT field [, field ...] [WHERE cond [AND cond ...]]
    SELECT COUNT(*)           [WHERE cond [AND cond ...]]
    cond  := field = 'text' | field IN ('text' [, 'text' ...])
    field := name[.name ...]            (configuration.renewalSummary.renewalStatus)

Keywords are case-insensitive, field names are not (as in Config). String literals are
single-quoted with ``''`` for a quote. There is no FROM (Config has none). Anything else
(OR, NOT, LIKE, comparisons, ORDER BY, GROUP BY, numbers, ``*`` as a field, ...) is an
``InvalidExpressionException``, so a client that pastes text into a query finds out here
rather than in production.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

KEYWORDS = {"SELECT", "WHERE", "AND", "IN", "COUNT"}
# Config's own top-level properties of a configuration item; configuration.* is free-form.
TOP_LEVEL_FIELDS = (
    "resourceId", "arn", "accountId", "awsRegion", "resourceType", "resourceName", "tags",
    "configuration", "configurationItemCaptureTime", "configurationItemStatus",
    "resourceCreationTime", "availabilityZone", "version", "relationships",
    "supplementaryConfiguration",
)
COUNT_STAR = "COUNT(*)"


class InvalidExpression(ValueError):
    """The expression is outside the supported subset; the message says where."""


@dataclass(frozen=True)
class Token:
    kind: str  # IDENT, STRING, PUNCT, END
    text: str
    pos: int


def tokenize(expression: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(expression)
    while i < n:
        ch = expression[i]
        if ch.isspace():
            i += 1
        elif ch.isalpha() or ch == "_":
            start = i
            while i < n and (expression[i].isalnum() or expression[i] in "_."):
                i += 1
            tokens.append(Token("IDENT", expression[start:i], start))
        elif ch == "'":
            start, i, chars = i, i + 1, []
            while True:
                if i >= n:
                    raise InvalidExpression(f"unterminated string literal at position {start}")
                if expression[i] == "'":
                    if i + 1 < n and expression[i + 1] == "'":  # '' is a quote
                        chars.append("'")
                        i += 2
                        continue
                    i += 1
                    break
                chars.append(expression[i])
                i += 1
            tokens.append(Token("STRING", "".join(chars), start))
        elif ch in ",()=*":
            tokens.append(Token("PUNCT", ch, i))
            i += 1
        else:
            raise InvalidExpression(f"unsupported character {ch!r} at position {i}")
    tokens.append(Token("END", "", n))
    return tokens


@dataclass(frozen=True)
class Condition:
    field: tuple[str, ...]
    values: tuple[str, ...]  # = 'v' is IN ('v')


@dataclass(frozen=True)
class Query:
    fields: tuple[tuple[str, ...], ...]  # empty for COUNT(*)
    count: bool
    conditions: tuple[Condition, ...]

    @property
    def select_fields(self) -> list[str]:
        return [COUNT_STAR] if self.count else [".".join(f) for f in self.fields]


class _Parser:
    def __init__(self, expression: str) -> None:
        self.tokens = tokenize(expression)
        self.at = 0

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, wanted: str) -> InvalidExpression:
        token = self.peek()
        found = "end of expression" if token.kind == "END" else repr(token.text)
        return InvalidExpression(f"expected {wanted} at position {token.pos}, found {found}")

    def is_keyword(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "IDENT" and token.text.upper() == word

    def keyword(self, word: str) -> None:
        if not self.is_keyword(word):
            raise self.fail(word)
        self.take()

    def punct(self, ch: str) -> None:
        token = self.peek()
        if token.kind != "PUNCT" or token.text != ch:
            raise self.fail(repr(ch))
        self.take()

    def field(self) -> tuple[str, ...]:
        token = self.peek()
        if token.kind != "IDENT" or token.text.upper() in KEYWORDS:
            raise self.fail("a field name")
        self.take()
        parts = tuple(token.text.split("."))
        if any(not p for p in parts):
            raise InvalidExpression(f"malformed field name {token.text!r} at position {token.pos}")
        if parts[0] not in TOP_LEVEL_FIELDS:
            raise InvalidExpression(f"unknown field {token.text!r} at position {token.pos}")
        return parts

    def string(self) -> str:
        token = self.peek()
        if token.kind != "STRING":
            raise self.fail("a quoted string")
        self.take()
        return token.text

    def condition(self) -> Condition:
        field = self.field()
        if self.is_keyword("IN"):
            self.take()
            self.punct("(")
            values = [self.string()]
            while self.peek().kind == "PUNCT" and self.peek().text == ",":
                self.take()
                values.append(self.string())
            self.punct(")")
            return Condition(field, tuple(values))
        self.punct("=")
        return Condition(field, (self.string(),))

    def query(self) -> Query:
        self.keyword("SELECT")
        count = False
        fields: list[tuple[str, ...]] = []
        if self.is_keyword("COUNT"):
            self.take()
            self.punct("(")
            self.punct("*")
            self.punct(")")
            count = True
        else:
            fields.append(self.field())
            while self.peek().kind == "PUNCT" and self.peek().text == ",":
                self.take()
                fields.append(self.field())
        conditions: list[Condition] = []
        if self.is_keyword("WHERE"):
            self.take()
            conditions.append(self.condition())
            while self.is_keyword("AND"):
                self.take()
                conditions.append(self.condition())
        if self.peek().kind != "END":
            raise self.fail("AND or the end of the expression" if conditions else
                            "WHERE or the end of the expression")
        return Query(tuple(fields), count, tuple(conditions))


def parse(expression: str) -> Query:
    return _Parser(expression).query()


# --- evaluation over configuration items (plain dicts) -----------------------------------


def leaf_values(value: Any, path: tuple[str, ...]) -> list[Any]:
    """Every value at ``path``, looking through lists (``tags.key``: each tag's key)."""
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaf_values(item, path)]
    if not path:
        return [value]
    if isinstance(value, dict) and path[0] in value:
        return leaf_values(value[path[0]], path[1:])
    return []


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def matches(item: dict[str, Any], conditions: tuple[Condition, ...]) -> bool:
    for cond in conditions:
        found = {_as_text(v) for v in leaf_values(item, cond.field) if not isinstance(v, (dict, list))}
        if not found.intersection(cond.values):
            return False
    return True


_MISSING = object()


def _project(value: Any, path: tuple[str, ...]) -> Any:
    """``value`` cut down to ``path``, keeping its nesting; _MISSING when absent."""
    if not path:
        return copy.deepcopy(value)  # rows must never alias a stored item
    if isinstance(value, list):
        projected = [p for p in (_project(v, path) for v in value) if p is not _MISSING]
        return projected if projected else _MISSING
    if isinstance(value, dict) and path[0] in value and value[path[0]] is not None:
        inner = _project(value[path[0]], path[1:])
        return _MISSING if inner is _MISSING else {path[0]: inner}
    return _MISSING


def _merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif (isinstance(value, list) and isinstance(into.get(key), list)
              and len(value) == len(into[key])):
            # Two paths through the same list: merge element by element.
            for mine, theirs in zip(into[key], value):
                if isinstance(mine, dict) and isinstance(theirs, dict):
                    _merge(mine, theirs)
        elif key not in into:
            into[key] = value


def row(item: dict[str, Any], query: Query) -> dict[str, Any]:
    """One result row: each selected field, nested as in the item; absent ones omitted."""
    result: dict[str, Any] = {}
    for field in query.fields:
        projected = _project(item, field)
        if projected is not _MISSING:
            _merge(result, projected)
    return result

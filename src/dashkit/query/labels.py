"""Which labels a PromQL expression's result carries: what an alert built on it has when it
fires, so routes and inhibit rules can be checked against the alerts they are meant for."""
from __future__ import annotations

import functools
from collections.abc import Callable

import promql_parser as pp

from dashkit.query.analyse import parse_promql
from dashkit.query.catalog import Catalog

#: Functions whose result has no labels at all.
_NO_LABELS = frozenset({"time", "vector", "scalar", "pi"})

Labels = frozenset[str] | None  # None: cannot tell


def _union(left: Labels, right: Labels) -> Labels:
    return None if left is None or right is None else left | right


def _result(node: object, of_metric: Callable[[str], Labels]) -> Labels:
    if isinstance(node, pp.VectorSelector):
        return of_metric(str(node.name))
    if isinstance(node, pp.MatrixSelector):
        return _result(node.vector_selector, of_metric)
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        return _result(node.expr, of_metric)
    if isinstance(node, (pp.NumberLiteral, pp.StringLiteral)):
        return frozenset()
    if isinstance(node, pp.AggregateExpr):
        inner = _result(node.expr, of_metric)
        modifier = node.modifier
        if modifier is None:
            return frozenset()
        if modifier.type == pp.AggModifierType.Without:
            return None if inner is None else inner - frozenset(modifier.labels)
        return frozenset(modifier.labels)
    if isinstance(node, pp.Call):
        name = node.func.name
        if name in _NO_LABELS:
            return frozenset()
        vectors = [a for a in node.args if not isinstance(a, (pp.NumberLiteral, pp.StringLiteral))]
        inner = _result(vectors[0], of_metric) if vectors else frozenset()
        if name == "histogram_quantile":
            return None if inner is None else inner - {"le"}
        if name in ("label_replace", "label_join") and len(node.args) > 1:
            target = node.args[1]
            added = {str(target.val)} if isinstance(target, pp.StringLiteral) else set()
            return None if inner is None else inner | added
        return inner
    if isinstance(node, pp.BinaryExpr):
        left, right = _result(node.lhs, of_metric), _result(node.rhs, of_metric)
        scalar_left = isinstance(node.lhs, pp.NumberLiteral)
        if scalar_left:
            return right
        if node.modifier is not None and node.modifier.card == pp.VectorMatchCardinality.OneToMany:
            extra = frozenset(node.modifier.group_labels or ())
            return _union(right, extra)  # group_right: the many side's labels, and the included
        if node.modifier is not None and node.modifier.card == pp.VectorMatchCardinality.ManyToOne:
            return _union(left, frozenset(node.modifier.group_labels or ()))
        return left
    return None


def output_labels(text: str, catalog: Catalog | None) -> Labels:
    """The label names of ``text``'s result, or None where they depend on something the catalog
    does not know (an unknown metric) or the expression is not understood."""
    return _cached(text, catalog)


@functools.lru_cache(maxsize=1024)
def _cached(text: str, catalog: Catalog | None) -> Labels:
    def of_metric(name: str) -> Labels:
        if catalog is None or name not in catalog:
            return None
        return catalog.labels(name)

    tree, error = parse_promql(text)
    return None if error is not None else _result(tree, of_metric)

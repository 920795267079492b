"""The points of a sweep: a grid (cartesian product) or an explicit list of overrides.

    expand_points({"a": [1, 2], "b": ["x", "y"]})
        -> [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}, {"a": 2, "b": "y"}]
    expand_points([{"a": 1}, {"a": 2, "b": "x"}])  -> the same list, copied

The grid varies the last key fastest, like nested loops written in the dict's order.
"""
import itertools
from collections.abc import Mapping


def _values(key, values):
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"grid key {key!r} maps to {values!r}; expected a list of values to try")
    values = list(values)
    if not values:
        raise ValueError(f"grid key {key!r} has no values; expected at least one value to try")
    return values


def expand_points(grid_or_list):
    """A list of override dicts (dotted key -> value), one per point, in sweep order."""
    if isinstance(grid_or_list, Mapping):
        keys = list(grid_or_list)
        columns = [_values(key, grid_or_list[key]) for key in keys]
        return [dict(zip(keys, combination)) for combination in itertools.product(*columns)]
    points = []
    for position, point in enumerate(grid_or_list):
        if not isinstance(point, Mapping):
            raise TypeError(f"point {position} is {type(point).__name__}; expected a dict of overrides "
                            "(dotted key -> value)")
        points.append(dict(point))
    return points


def override_columns(points):
    """Every override key, in order of first appearance: the sweep's leading columns."""
    return list(dict.fromkeys(key for point in points for key in point))

"""dlt 1.31's resource members that scripts use: `add_step`, `parallelize`, `set_incremental`,
`pipe_data_from` and the read-only properties (checked side by side against 1.31)."""

from __future__ import annotations

import dlt
import pytest
from dlt.extract.exceptions import ResourceNotATransformer


@dlt.resource
def plain():
    yield [1]


@dlt.resource
def with_arg(x):
    yield [x]


@dlt.resource(table_name=lambda item: "t")
def dynamic():
    yield [{"x": 1}]


@dlt.transformer
def passed(item):
    yield item


def test_argument_and_hint_properties_read_as_in_1_31():
    assert (plain.requires_args, plain.args_bound) == (False, False)
    assert (with_arg.requires_args, with_arg.args_bound) == (True, False)
    assert (with_arg(1).requires_args, with_arg(1).args_bound, plain().args_bound) == (False, True, True)
    assert dynamic.has_dynamic_table_name and not plain.has_dynamic_table_name
    assert (plain.table_format, plain.parent_table_name, plain.validator, plain.custom_metrics) == (
        None, None, None, {})


def test_add_step_sees_what_the_resource_yields_as_a_whole():
    # the page [1] is one value: the step doubles the list, not its item
    assert list(plain().add_step(lambda item: item * 2)) == [1, 1]
    seen = []
    assert list(plain().add_step(lambda item, meta: seen.append(meta) or item)) == [1]
    assert seen == [None]


def test_parallelize_pipe_data_from_and_set_incremental():
    assert plain().parallelize().parallelized is True
    assert list(passed.pipe_data_from(plain)) == [1]
    with pytest.raises(ResourceNotATransformer):
        plain().pipe_data_from(with_arg(2))
    incremental = dlt.sources.incremental("x")
    resource = with_arg(1)
    assert resource.set_incremental(incremental) is incremental
    assert resource.incremental is incremental

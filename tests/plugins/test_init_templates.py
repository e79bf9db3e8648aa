"""`register_init_templates`: a plugin ships the project `dlt init` writes for its source."""

from __future__ import annotations

import pytest

from dlt import hookimpl
from dlt.plugins import InitTemplate, PluginManager, TemplateSetting

TEMPLATE = InitTemplate(
    script='pipeline = dlt.pipeline("$pipeline_name", destination="$destination",'
           ' dataset_name="$dataset_name")  # $script costs $$5\n',
    settings=(TemplateSetting("sources.shop.api_key", secret=True),),
    extras=("fast",),
)


class ShopPlugin:
    @hookimpl
    def register_init_templates(self, register):
        register("shop", TEMPLATE)


def test_a_registered_template_is_provided_under_the_source_name() -> None:
    manager = PluginManager(load_entry_points=False)

    record = manager.register_plugin(ShopPlugin(), "shop_plugin", distribution="dlt-shop")

    assert record.ok and record.provides == {"init_template": ["shop"]}
    assert manager.provided("init_template") == {"shop": TEMPLATE}


def test_render_script_fills_the_placeholders_and_keeps_escaped_dollars() -> None:
    text = TEMPLATE.render_script(destination="duckdb", pipeline_name="shop",
                                  dataset_name="shop_data", script="shop_pipeline.py")

    assert text == ('pipeline = dlt.pipeline("shop", destination="duckdb",'
                    ' dataset_name="shop_data")  # shop_pipeline.py costs $5\n')


def test_an_unknown_placeholder_is_an_error() -> None:
    with pytest.raises(KeyError, match="region"):
        InitTemplate(script="$region").render_script(
            destination="duckdb", pipeline_name="p", dataset_name="d", script="s.py")


def test_a_setting_splits_its_key_into_toml_table_and_name() -> None:
    setting = TemplateSetting("sources.sql_database.credentials")

    assert (setting.section, setting.name) == ("sources.sql_database", "credentials")

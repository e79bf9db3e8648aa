"""What `dlt init rest_api DESTINATION` writes: registered by `plugin.py` through the
`register_init_templates` hook. Plain data only; nothing here imports requests."""

from dlt.plugins import InitTemplate, TemplateSetting

SCRIPT = '''"""Load a REST API into $destination with the rest_api source.

Set the API's address in .dlt/config.toml ([sources.rest_api] base_url) and, when it needs
one, a bearer token in .dlt/secrets.toml ([sources.rest_api] token) or in the environment
(SOURCES__REST_API__BASE_URL, SOURCES__REST_API__TOKEN), then run `python $script`.

The resources below describe an API with `posts` (paged with Link headers, filtered by an
`updated_at` cursor) and the `comments` of each post: change them to the endpoints of your API.
"""

from typing import Any, Iterator, Optional

import dlt
from dlt.sources.rest_api import RESTAPIConfig, rest_api_resources


@dlt.source(section="rest_api")
def rest_api_example(
    base_url: str = dlt.config.value, token: Optional[str] = None, page_size: int = 100
) -> Iterator[Any]:
    """The resources of the API at `base_url`."""
    config: RESTAPIConfig = {
        "client": {
            "base_url": base_url,
            "auth": {"type": "bearer", "token": token} if token else None,
            "paginator": {"type": "header_link"},
        },
        "resource_defaults": {
            "primary_key": "id",
            "write_disposition": "merge",
            "endpoint": {"params": {"per_page": page_size}},
        },
        "resources": [
            {
                "name": "posts",
                "endpoint": {
                    "path": "posts",
                    # only posts updated since the last run: `since` carries the cursor
                    "params": {
                        "since": {
                            "type": "incremental",
                            "cursor_path": "updated_at",
                            "initial_value": "1970-01-01T00:00:00Z",
                        },
                    },
                },
            },
            {
                "name": "comments",
                "endpoint": {
                    "path": "posts/{post_id}/comments",
                    "params": {
                        "post_id": {"type": "resolve", "resource": "posts", "field": "id"},
                    },
                },
            },
        ],
    }
    yield from rest_api_resources(config)


def load_api() -> None:
    """Merge the API's resources into the dataset and print what was loaded."""
    pipeline = dlt.pipeline(
        pipeline_name="$pipeline_name", destination="$destination", dataset_name="$dataset_name"
    )
    info = pipeline.run(rest_api_example())
    print(info)


if __name__ == "__main__":
    load_api()
'''

TEMPLATE = InitTemplate(
    description="Any REST API, described declaratively: paging, auth, incremental cursors",
    script=SCRIPT,
    settings=(
        TemplateSetting(
            "sources.rest_api.base_url", '"https://api.example.com/v1/"',
            note="required: the address the endpoint paths are relative to",
        ),
        TemplateSetting(
            "sources.rest_api.token", '""', required=False, secret=True,
            note="optional, secret: sent as `Authorization: Bearer <token>`",
        ),
        TemplateSetting(
            "sources.rest_api.page_size", value="100", required=False,
            note="items asked for per page (the per_page parameter)",
        ),
    ),
)

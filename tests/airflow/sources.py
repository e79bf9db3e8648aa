"""The sources the Airflow tests decompose: 4 resources, one of them a transformer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dlt

USERS, ORDERS, PRODUCTS = 40, 120, 25


@dlt.source(name="shop")
def shop(evaluations: str | None = None, fail_once_marker: str | None = None) -> Any:
    """users, user_details (a transformer of users), orders and products. Each evaluation of a
    resource appends its name to the file `evaluations`; with `fail_once_marker`, `orders`
    fails halfway the first time (when the marker file does not exist yet)."""

    def note(name: str) -> None:
        if evaluations:
            with open(evaluations, "a", encoding="utf-8") as log:
                log.write(name + "\n")

    @dlt.resource(primary_key="id")
    def users() -> Any:
        note("users")
        yield [{"id": i, "name": f"user {i}"} for i in range(USERS)]

    @dlt.transformer(data_from=users)
    def user_details(page: list[dict[str, Any]]) -> Any:
        note("user_details")
        yield [{"id": row["id"], "email": f"u{row['id']}@example.com"} for row in page]

    @dlt.resource(primary_key="id")
    def orders() -> Any:
        note("orders")
        for i in range(ORDERS):
            if fail_once_marker and i == ORDERS // 2 and not Path(fail_once_marker).exists():
                Path(fail_once_marker).write_text("failed once", encoding="utf-8")
                raise RuntimeError("orders: the upstream API dropped the connection (first try)")
            yield {"id": i, "user_id": i % USERS, "amount": i * 1.5}

    @dlt.resource(primary_key="id")
    def products() -> Any:
        note("products")
        yield [{"id": i, "title": f"product {i}"} for i in range(PRODUCTS)]

    return users, user_details, orders, products


EXPECTED = {"users": USERS, "user_details": USERS, "orders": ORDERS, "products": PRODUCTS}

"""Helpers for the picking browser tests: walk a task by the automation contract, find codes in the live demo."""
from __future__ import annotations

import re

from playwright.sync_api import Page
from sqlalchemy import create_engine, text

from .floor import feedback, scan, step


def barcode(server, sku: str) -> str:
    return server.query("SELECT b.code FROM barcodes b JOIN products p ON p.id = b.product_id "
                        "WHERE p.sku = :sku ORDER BY b.id LIMIT 1", sku=sku)[0][0]


def gtin(server, sku: str) -> str:
    return server.query("SELECT b.code FROM barcodes b JOIN products p ON p.id = b.product_id "
                        "WHERE p.sku = :sku AND b.kind = 'gtin13' ORDER BY b.id LIMIT 1", sku=sku)[0][0]


def free_tote(server) -> str:
    return server.query("SELECT code FROM totes WHERE order_id IS NULL AND id NOT IN "
                        "(SELECT tote_id FROM task_totes WHERE active AND order_id IS NULL AND tote_id IS NOT NULL) "
                        "ORDER BY code DESC LIMIT 1")[0][0]


def hand_out_next(server, where: str, **params) -> list[int]:
    """Arrange (as a supervisor would by assigning): the tasks matching `where` are handed out next by Get work."""
    engine = create_engine(server.database_url)
    try:
        with engine.begin() as conn:
            ids = [row[0] for row in conn.execute(text(f"SELECT id FROM pick_tasks WHERE {where} ORDER BY id"), params)]
            conn.execute(text("UPDATE pick_tasks SET priority = 9 WHERE id IN (" + ",".join(map(str, ids)) + ")"))
        return ids
    finally:
        engine.dispose()


def order_task(server, external_id: str) -> str:
    return f"order_id = (SELECT id FROM orders WHERE external_id = '{external_id}')"


def get_work(page: Page) -> dict[str, str]:
    page.get_by_role("button", name="Get work").click()
    page.wait_for_selector("#step[data-task]")
    return step(page)


def walk(page: Page, server, *, keypad: bool = False, until: str = "done") -> dict[str, str]:
    """Follow the screen to the end of the task (or to the first `until` step): data-expect says what to scan,
    data-code what it is when the screen shows it."""
    current = step(page)
    for _ in range(300):
        expecting = current["expect"]
        if expecting in (until, "done"):
            return current
        if expecting in ("location", "lot"):
            current = scan(page, current["code"])
        elif expecting == "product":
            current = scan(page, barcode(server, current["code"]))
        elif expecting == "qty":
            _, wanted = map(int, re.findall(r"\d+", page.locator("#step .instruction").inner_text()))
            if keypad:
                page.eval_on_selector("#step", "el => { el.dataset.stale = '1'; }")
                for digit in str(wanted) + "K":
                    page.locator(f"#step [data-key='{digit if digit != 'K' else 'OK'}']").click()
                page.wait_for_function("() => !document.getElementById('step').dataset.stale")
                current = step(page)
            else:
                current = scan(page, str(wanted))
        elif expecting == "tote":
            current = scan(page, current["code"] or free_tote(server))
        else:
            raise AssertionError(f"unexpected step {current}")
        assert current["result"] == "ok", feedback(page)
    raise AssertionError("the task did not end")


def order_status(server, external_id: str) -> dict:
    return server.api_get(f"/api/v1/orders/{external_id}").json()

"""Never lose a scan: a handheld that loses the network keeps picking, queues its scans, and sends them
once each, in order, when the network is back; the picking screen loads with no network.

Real Chromium at 360x640 (service worker, IndexedDB, `context.set_offline`), the demo served by gunicorn.
"""
from __future__ import annotations

from urllib.parse import parse_qs

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from floorapp.domain.models import PickTaskLine, Stock
from floorapp.domain.states import MoveReason
from floorapp.domain.stock import ledger_mismatches, move

from .floor import feedback, log_in, scan, step

SEND_TIMEOUT_MS = 45_000  # the queue is retried every few seconds; a shared, busy machine is slow

QUEUED = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("floorapp-offline");
  open.onsuccess = () => {
    const all = open.result.transaction("queue").objectStore("queue").getAll();
    all.onsuccess = () => resolve(all.result.map(e => ({scanId: e.scanId, code: e.code, url: e.url})));
    all.onerror = () => reject(all.error);
  };
  open.onerror = () => reject(open.error);
})"""

OFFLINE_READY = """async () => {
  if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return false;
  const pages = await caches.open("floor-pages");
  return !!(await pages.match("/__floor/last-pick-page"));
}"""


def _barcode(server, sku: str) -> str:
    return server.query("SELECT b.code FROM barcodes b JOIN products p ON p.id = b.product_id "
                        "WHERE p.sku = :sku ORDER BY b.id LIMIT 1", sku=sku)[0][0]


def _free_tote(server) -> str:
    return server.query("SELECT code FROM totes WHERE order_id IS NULL ORDER BY code LIMIT 1")[0][0]


def _user_id(server, badge: str) -> int:
    return server.query("SELECT id FROM users WHERE badge = :b", b=badge)[0][0]


def _get_work(page: Page, server, badge: str) -> int:
    """Log in, tap Get work, and wait until the device holds the task's route and the worker keeps the page."""
    log_in(page, server.url, badge)
    page.goto(server.url + "/pick/")  # a supervisor starts on the board
    page.get_by_role("button", name="Get work").click()
    page.wait_for_url("**/pick/tasks/*")
    task = int(step(page)["task"])
    page.wait_for_function("id => window.floorOffline && floorOffline.route() && floorOffline.route().task === id",
                           arg=task)
    page.wait_for_function(OFFLINE_READY, timeout=30_000)
    return task


def _right_code(page: Page, server, tote: str) -> str:
    """What the picker scans for the step on screen (the automation contract: data-expect / data-code)."""
    current = step(page)
    if current["expect"] == "location":
        return current["code"]
    if current["expect"] in ("product", "qty"):
        return _barcode(server, current["code"])
    assert current["expect"] == "tote", current
    return current["code"] or tote


def _device_view(page: Page) -> dict:
    return page.evaluate("""() => { const l = floorOffline.local(), r = floorOffline.route();
        const line = r.lines[l.line]; return {step: l.step, counted: l.counted, line: l.line,
        lineId: line ? line.line : null}; }""")


def _no_ledger_mismatch(server) -> None:
    engine = create_engine(server.database_url)
    try:
        with Session(engine) as session:
            assert ledger_mismatches(session) == []
    finally:
        engine.dispose()


def test_ten_scans_made_offline_reach_the_server_once_each_in_order(live_server, phone):
    page = phone.new_page()
    task = _get_work(page, live_server, "P-0001")
    user = _user_id(live_server, "P-0001")
    tote = _free_tote(live_server)
    needed = page.evaluate("() => floorOffline.route().lines.reduce((n, l) => n + l.qty + 2, 0)")

    # Two scans online while the route cannot be refreshed: the device follows the accepted scans itself,
    # so it is not behind when the network then drops.
    page.route("**/pick/task.json*", lambda route: route.abort("internetdisconnected"))
    for _ in range(2):
        answer = scan(page, _right_code(page, live_server, tote))
        assert answer["result"] == "ok" and "offline" not in answer, feedback(page)
    page.unroute("**/pick/task.json*")
    before = live_server.query("SELECT count(*) FROM scans WHERE user_id = :u", u=user)[0][0]

    # Ten scans: the task's own, and when it needs fewer, wrong locations first (refused on the device too).
    wrong_left = max(0, 10 - (needed - 2))
    phone.set_offline(True)
    sent, results = [], []
    for _ in range(10):
        current = step(page)
        if wrong_left and current["expect"] == "location":
            wrong_left -= 1
            code = live_server.query("SELECT code FROM locations WHERE kind = 'pick' AND code != :c ORDER BY code "
                                     "LIMIT 1", c=current["code"])[0][0]
            expected = "refused"
        else:
            code, expected = _right_code(page, live_server, tote), "ok"
        answer = scan(page, code)
        assert answer["result"] == expected and answer["offline"] == "1", feedback(page)
        sent.append(code)
        results.append(expected)
    status = page.locator("#offline-status")
    expect(status).to_have_attribute("data-waiting", "10")
    expect(status).to_contain_text("10 scans waiting to send")
    queued = page.evaluate(QUEUED)
    assert [q["code"] for q in queued] == sent
    assert len({q["scanId"] for q in queued}) == 10
    assert live_server.query("SELECT count(*) FROM scans WHERE user_id = :u", u=user)[0][0] == before
    device = _device_view(page)

    phone.set_offline(False)
    expect(status).to_have_attribute("data-waiting", "0", timeout=SEND_TIMEOUT_MS)
    expect(status).to_be_hidden()
    # The screen is the server's again, at the step the device had reached.
    expect(page.locator("#step:not([data-offline])")).to_have_attribute("data-expect", device["step"],
                                                                        timeout=SEND_TIMEOUT_MS)
    expect(page.locator("#offline-refused")).to_be_hidden()

    rows = live_server.query("SELECT client_id, raw, result FROM scans WHERE user_id = :u ORDER BY id", u=user)[before:]
    assert [r.client_id for r in rows] == [q["scanId"] for q in queued]  # each exactly once, in scan order
    assert [r.raw for r in rows] == sent
    assert [r.result for r in rows] == results  # the server judged each as the device did
    held = live_server.query("SELECT client_id, count(*) FROM scans WHERE client_id IN :ids GROUP BY client_id"
                             .replace(":ids", "(" + ",".join(f"'{q['scanId']}'" for q in queued) + ")"))
    assert sorted(count for _, count in held) == [1] * 10

    state = live_server.query("SELECT step, counted, current_line_id FROM pick_tasks WHERE id = :t", t=task)[0]
    assert (state.step, state.counted, state.current_line_id) == (device["step"], device["counted"], device["lineId"])
    lines = live_server.query("SELECT state, qty, picked FROM pick_task_lines WHERE task_id = :t ORDER BY seq", t=task)
    picked = [line for line in lines if line.state == "picked"]
    assert len(picked) == device["line"] >= 1
    if device["step"] == "done":
        assert live_server.query("SELECT state FROM pick_tasks WHERE id = :t", t=task)[0][0] == "done"
    assert all(line.picked == line.qty for line in picked)
    _no_ledger_mismatch(live_server)


def _take_stock_away(server, line_id: int) -> str:
    """Someone empties the bin of this line meanwhile (a proper stock move, so the ledger stays true)."""
    engine = create_engine(server.database_url)
    try:
        with Session(engine) as session:
            line = session.get(PickTaskLine, line_id)
            row = session.scalar(select(Stock).where(Stock.product_id == line.product_id,
                                                     Stock.location_id == line.location_id, Stock.lot == line.lot))
            move(session, product=line.product, qty=row.on_hand, reason=MoveReason.ADJUST, source=line.location,
                 reference="taken while the picker was offline")
            session.commit()
            return f"Only 0 of {line.product.sku} at {line.location.code}."
    finally:
        engine.dispose()


def test_a_scan_that_became_wrong_offline_is_shown_refused_and_a_reload_keeps_the_queue(live_server, phone):
    page = phone.new_page()
    task = _get_work(page, live_server, "P-0002")
    user = _user_id(live_server, "P-0002")
    tote = _free_tote(live_server)

    phone.set_offline(True)
    while step(page)["expect"] != "tote":
        assert scan(page, _right_code(page, live_server, tote))["result"] == "ok", feedback(page)
    line_id = _device_view(page)["lineId"]
    sentence = _take_stock_away(live_server, line_id)
    assert scan(page, tote)["result"] == "ok"  # the device cannot know: it takes the tote on trust
    queued = page.evaluate(QUEUED)
    waiting = str(len(queued))
    expect(page.locator("#offline-status")).to_have_attribute("data-waiting", waiting)

    # A reload with no network: the service worker's copy of the page, the queue and the device's view kept.
    page.reload()
    expect(page.locator("#offline-status")).to_have_attribute("data-waiting", waiting)
    expect(page.locator("#step")).to_have_attribute("data-offline", "1")
    assert page.evaluate(QUEUED) == queued
    # The scans are this picker's: no logging out while they wait.
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#offline-status")).to_contain_text(f"{waiting} scans still waiting to send")
    assert "/pick/tasks/" in page.url

    phone.set_offline(False)
    refused = page.locator("#offline-refused")
    expect(refused).to_be_visible(timeout=SEND_TIMEOUT_MS)
    expect(refused).to_have_attribute("data-refused", "1")
    expect(refused).to_contain_text("1 scan was refused when sent:")
    expect(refused.locator("li")).to_have_text(f"{tote}: {sentence}")
    expect(page.locator("#offline-status")).to_have_attribute("data-waiting", "0")
    # The screen re-syncs: the task is still at the tote step, the units not confirmed.
    expect(page.locator("#step:not([data-offline])")).to_have_attribute("data-expect", "tote", timeout=SEND_TIMEOUT_MS)

    rows = live_server.query("SELECT client_id, raw, result, message FROM scans WHERE user_id = :u ORDER BY id", u=user)
    by_id = {r.client_id: r for r in rows}
    assert len(rows) == len(by_id)
    assert [by_id[q["scanId"]].result for q in queued] == ["ok"] * (len(queued) - 1) + ["refused"]
    assert by_id[queued[-1]["scanId"]].message == sentence
    state = live_server.query("SELECT step, current_line_id FROM pick_tasks WHERE id = :t", t=task)[0]
    assert (state.step, state.current_line_id) == ("tote", line_id)
    assert live_server.query("SELECT state FROM pick_task_lines WHERE id = :l", l=line_id)[0][0] == "open"
    _no_ledger_mismatch(live_server)

    page.get_by_role("button", name="OK").click()
    expect(refused).to_be_hidden()


def test_the_pick_screen_loads_with_no_network_after_one_visit(live_server, phone):
    page = phone.new_page()
    task = _get_work(page, live_server, "S-0001")

    phone.set_offline(True)
    assert page.evaluate("() => fetch('/healthz').then(() => 'answered', () => 'no network')") == "no network"
    answer = page.goto(live_server.url + "/pick/")
    assert answer is not None and answer.headers.get("x-floorapp-offline") == "cache"
    expect(page.locator("#step")).to_have_attribute("data-task", str(task))
    page.wait_for_function("() => window.htmx && window.floorScanBox && window.floorOffline")
    # And the cached screen works: a scan is checked on the device and waits in the queue.
    current = step(page)
    assert current["expect"] == "location"
    assert scan(page, current["code"])["result"] == "ok"
    expect(page.locator("#offline-status")).to_have_attribute("data-waiting", "1")
    phone.set_offline(False)
    expect(page.locator("#offline-status")).to_have_attribute("data-waiting", "0", timeout=SEND_TIMEOUT_MS)
    expect(page.locator("#step:not([data-offline])")).to_have_attribute("data-expect", "product",
                                                                        timeout=SEND_TIMEOUT_MS)


def test_a_scan_whose_request_gets_no_answer_waits_with_its_own_scan_id(live_server, phone):
    page = phone.new_page()
    _get_work(page, live_server, "A-0001")
    tried: list[str] = []

    def no_answer(route):  # the Wi-Fi drops while the scan is on its way (the browser still thinks it is online)
        tried.append(parse_qs(route.request.post_data or "")["scan_id"][0])
        route.abort("internetdisconnected")

    page.route("**/pick/tasks/*/scan", no_answer)
    answer = scan(page, step(page)["code"])
    assert answer["offline"] == "1" and answer["result"] == "ok" and answer["expect"] == "product"
    expect(page.locator("#offline-status")).to_have_attribute("data-waiting", "1")
    [queued] = page.evaluate(QUEUED)
    assert queued["scanId"] == tried[0]  # the id it was first sent with: if it did arrive, never counted twice

    page.unroute("**/pick/tasks/*/scan")
    expect(page.locator("#offline-status")).to_have_attribute("data-waiting", "0", timeout=SEND_TIMEOUT_MS)
    assert set(tried) == {queued["scanId"]}  # every resend while it failed carried the same id
    rows = live_server.query("SELECT result FROM scans WHERE client_id = :c", c=queued["scanId"])
    assert [r.result for r in rows] == ["ok"]
    expect(page.locator("#step:not([data-offline])")).to_have_attribute("data-expect", "product",
                                                                        timeout=SEND_TIMEOUT_MS)

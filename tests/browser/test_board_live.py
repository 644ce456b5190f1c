"""The supervisor's board in a real browser: it follows the floor without a reload, and a reassignment
moves the task from one picker's handheld to the other's at once."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .floor import feedback, log_in, scan, step
from .test_order_end_to_end import _barcode, _free_tote


@pytest.fixture
def board_screen(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    yield context
    context.close()


@pytest.fixture
def second_phone(browser):
    from .conftest import PHONE
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    yield context
    context.close()


def _open_board(context, server):
    board = context.new_page()
    log_in(board, server.url, "S-0001")
    board.wait_for_url("**/board/")
    expect(board.locator("#board-figures .chart canvas, #board-figures .chart:has-text('No picks')")).to_have_count(1)
    board.evaluate("window.__sameBoard = 'yes'")  # a reload would forget this
    board.wait_for_function("() => window.floorSocket && window.floorSocket.connected")
    return board


def test_the_board_follows_a_picker_scanning_without_a_reload(live_server, phone, board_screen):
    board = _open_board(board_screen, live_server)
    picked_before = int(board.locator("[data-stage=picked]").get_attribute("data-count"))
    picker = phone.new_page()
    log_in(picker, live_server.url, "P-0001")
    picker.get_by_role("button", name="Get work").click()
    order = step(picker)["order"]
    # the picker's new task shows on the board at once
    expect(board.locator("#board-people [data-person=P-0001]")).to_contain_text(f"Picking {order}")
    current, tote = step(picker), None
    for _ in range(60):
        if current["expect"] == "done":
            break
        if current["expect"] == "location":
            current = scan(picker, current["code"])
        elif current["expect"] in ("product", "qty"):
            current = scan(picker, _barcode(live_server, current["code"]))
        else:
            tote = tote or _free_tote(live_server)
            current = scan(picker, tote)
        assert current["result"] == "ok", feedback(picker)
    expect(board.locator("[data-stage=picked]")).to_have_attribute("data-count", str(picked_before + 1))
    expect(board.locator("[data-stage=picked]")).to_contain_text(order)
    assert board.evaluate("window.__sameBoard") == "yes"


def test_a_reassignment_moves_the_task_to_the_other_pickers_handheld(live_server, phone, second_phone, board_screen):
    pat = phone.new_page()
    log_in(pat, live_server.url, "P-0001")
    pat.get_by_role("button", name="Get work").click()
    task = step(pat)["task"]
    robin = second_phone.new_page()
    log_in(robin, live_server.url, "P-0002")
    expect(robin.get_by_role("button", name="Get work")).to_be_visible()
    robin.wait_for_function("() => window.floorSocket && window.floorSocket.connected")
    pat.wait_for_function("() => window.floorSocket && window.floorSocket.connected")

    board = _open_board(board_screen, live_server)
    row = board.locator(f"#board-tasks tr[data-task='{task}']")
    row.locator("select[name=picker]").select_option(label="Robin Reyes")
    row.get_by_role("button", name="Give").click()
    expect(board.locator("#board-tasks .feedback")).to_contain_text(f"Task {task} given to Robin Reyes")

    # Robin's handheld goes to the task by itself; Pat's leaves it.
    expect(robin.locator(f"#step[data-task='{task}']")).to_be_visible(timeout=10_000)
    assert robin.url.endswith(f"/pick/tasks/{task}")
    expect(pat.get_by_role("button", name="Get work")).to_be_visible(timeout=10_000)
    # and Robin can carry on scanning where the task was
    assert step(robin)["expect"] == "location"
    assert scan(robin, step(robin)["code"])["result"] == "ok"


def test_the_release_form_chooses_orders_by_carrier(live_server, board_screen):
    """Preview only (the live server's demo is shared by the other browser tests): the choice lists the demo's
    carriers, and the orders shown are only those asking for the chosen one."""
    board = _open_board(board_screen, live_server)
    release = board.locator("#board-release")
    carrier = release.locator("select[name=carrier]")
    assert carrier.locator("option").all_inner_texts() == ["any", "DHL", "Local courier", "UPS"]
    carrier.select_option("DHL")
    release.get_by_role("button", name="Show orders").click()
    expect(release.locator(".chosen")).not_to_contain_text("(UPS)")  # the section came back, chosen by carrier
    expect(release.locator("select[name=carrier]")).to_have_value("DHL")
    chosen = release.locator(".chosen").inner_text()
    assert "(DHL)" in chosen and "(Local courier)" not in chosen
    assert chosen.count("SO-") == chosen.count("(DHL)")  # every order shown asks for DHL
    assert board.evaluate("window.__sameBoard") == "yes"  # htmx swapped the section, no reload

"""What a handheld needs to keep picking while the network is gone: the task's remaining route as JSON.

`GET /pick/task.json?task=<id>` (default: the picker's current task) lists, for every line still to
pick, the location code, every code that is the product (barcodes, SKU), the quantity and the tote
rule, plus the step the task is at and the sentences to show. static/offline.js fetches it after each
step swap, keeps it in IndexedDB, and runs the same steps locally while offline; every scan it takes
is queued and re-validated by the server when it is sent (the server always has the last word).

The steps are data: each line carries the steps it goes through, so a screen with more steps (lot,
serial, sort) marks the steps this device cannot check with `"check": false`, and offline.js then
only queues scans for them instead of judging.
"""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request, url_for
from sqlalchemy import select

from ...domain import messages, picking, picking_route
from ...domain.models import Barcode, PickTask
from ...domain.states import PickStep, TaskLineState, TaskState
from ..security import db, me, roles
from .routes import PICKERS

bp = Blueprint("pick_offline", __name__, url_prefix="/pick")

# The steps offline.js knows how to check: location -> product -> qty (each unit or a typed count) -> tote.
CHECKED_STEPS = ("location", "product", "qty", "tote")
SENTENCES = ("SCAN_LOCATION", "WRONG_LOCATION", "NOT_A_LOCATION", "SCAN_PRODUCT", "WRONG_PRODUCT", "NOT_FOUND",
             "COUNT_MORE", "OVER_PICK", "QTY_INVALID", "SCAN_TOTE", "SCAN_SAME_TOTE", "NOT_A_TOTE", "LINE_DONE",
             "TASK_DONE", "TASK_FINISHED")


def _codes_by_product(task: PickTask) -> dict[int, list[str]]:
    ids = {line.product_id for line in task.lines}
    codes: dict[int, list[str]] = {pid: [] for pid in ids}
    if ids:
        for product_id, code in db().execute(select(Barcode.product_id, Barcode.code)
                                             .where(Barcode.product_id.in_(ids)).order_by(Barcode.id)):
            codes[product_id].append(code)
    return codes


def _line_steps(line) -> list[dict]:
    """The scans one line takes. Lot and serial scans are taken on trust offline and checked when sent
    (the GS1 product scan usually carries them, and then the server skips the step)."""
    steps = [{"expect": "location", "check": True}, {"expect": "product", "check": True}]
    if picking_route.needs_lot(line):
        steps.append({"expect": "lot", "check": False})
    if picking_route.needs_serial(line):
        steps.append({"expect": "serial", "check": False})
    if line.qty > 1:
        steps.append({"expect": "qty", "check": True})
    steps.append({"expect": "tote", "check": True})
    return steps


def route_of(task: PickTask) -> dict:
    """The task as the device needs it offline; the current line first, then the rest in route order."""
    current = task.current_line
    remaining = [line for line in task.lines if line.state == TaskLineState.OPEN]
    if current is not None and current in remaining:
        remaining.remove(current)
        remaining.insert(0, current)
    codes = _codes_by_product(task)
    own_totes = picking.totes_of(task)
    lines = []
    for line in remaining:
        product = line.product
        lines.append({
            "line": line.id, "location": line.location.code, "sku": product.sku, "name": product.name,
            "qty": line.qty, "lot": line.lot,
            "codes": [*codes.get(product.id, []), product.sku],
            "steps": _line_steps(line),
            # Any tote that holds no other order; the one this task already fills is shown. The device
            # only knows the task's own totes: another code is taken on trust and checked when sent.
            "tote_rule": {"suggest": picking.target_tote(task, line) or (own_totes[-1] if own_totes else None),
                          "own": own_totes, "free_ok": True},
        })
    step = task.step.value if task.state != TaskState.DONE else PickStep.DONE.value
    return {
        "task": task.id,
        "order": task.order.external_id if task.order else None,
        "state": task.state.value,
        "step": step,
        "counted": task.counted,
        "checked": step in CHECKED_STEPS or step == PickStep.DONE.value,
        "totes": own_totes,
        "scan_url": url_for("pick.scan", task_id=task.id),
        "page_url": url_for("pick.task", task_id=task.id),
        "lines": lines,
        "max_typed_qty_digits": picking.MAX_TYPED_QTY_DIGITS,
        "messages": {name: getattr(messages, name) for name in SENTENCES if hasattr(messages, name)},
    }


@bp.get("/task.json")
@roles(*PICKERS)
def task_json():
    task_id = request.args.get("task", type=int)
    if task_id is None:
        current = picking.current_task(db(), me())
        if current is None:
            return jsonify(task=None, lines=[]), 200
        task_id = current.id
    task = picking.load_task(db(), task_id)
    if task is None:
        abort(404)
    if task.user_id != me().id:
        abort(403)
    response = jsonify(route_of(task))
    response.headers["Cache-Control"] = "no-store"
    return response

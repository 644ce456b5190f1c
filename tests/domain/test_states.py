"""An order only moves along the road of DOMAIN.md; anything else is an IllegalTransition."""
from __future__ import annotations

import pytest

from tests.factories import place_order, warehouse
from floorapp.domain import orders
from floorapp.domain.states import (
    OPEN_ORDER_STATES, ORDER_TRANSITIONS, IllegalTransition, OrderState, check_order_transition,
)

S = OrderState

ROAD = [S.RECEIVED, S.ALLOCATED, S.RELEASED, S.PICKING, S.PICKED, S.PACKING, S.PACKED, S.SHIPPED, S.DELIVERED]


@pytest.mark.parametrize(("current", "new"), list(zip(ROAD, ROAD[1:])))
def test_each_step_of_the_road_is_allowed(current, new):
    check_order_transition(current, new)


@pytest.mark.parametrize(("current", "new"), [
    (S.RECEIVED, S.PACKED),
    (S.RECEIVED, S.RELEASED),
    (S.ALLOCATED, S.PICKING),
    (S.BACKORDERED, S.RELEASED),
    (S.PACKED, S.PICKED),
    (S.SHIPPED, S.CANCELLED),
    (S.CANCELLED, S.ALLOCATED),
    (S.REJECTED, S.ALLOCATED),
    (S.DELIVERED, S.SHIPPED),
])
def test_illegal_transitions_are_refused(current, new):
    with pytest.raises(IllegalTransition) as caught:
        check_order_transition(current, new)
    assert caught.value.message == f"An order that is {current.value} cannot become {new.value}."
    assert caught.value.code == "illegal_transition"


def test_every_state_has_its_transitions():
    assert set(ORDER_TRANSITIONS) == set(OrderState)


@pytest.mark.parametrize("state", sorted(set(OrderState) - {S.SHIPPED, S.DELIVERED, S.RETURNED}, key=str))
def test_anything_not_yet_shipped_and_still_open_can_be_cancelled(state):
    if state in OPEN_ORDER_STATES:
        check_order_transition(state, S.CANCELLED)
    else:
        with pytest.raises(IllegalTransition):
            check_order_transition(state, S.CANCELLED)


def test_set_state_refuses_a_jump_and_leaves_the_order_as_it_was(session):
    warehouse(session)
    order = place_order(session, "SO-JUMP", [("MUG-350", 1)])
    assert order.status == S.ALLOCATED

    with pytest.raises(IllegalTransition, match="allocated cannot become packed"):
        orders.set_state(session, order, S.PACKED)
    assert order.status == S.ALLOCATED


def test_set_state_to_the_same_state_is_a_no_op(session):
    warehouse(session)
    order = place_order(session, "SO-SAME", [("MUG-350", 1)])
    orders.set_state(session, order, S.ALLOCATED)
    assert order.status == S.ALLOCATED

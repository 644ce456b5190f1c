"""The board fan-out writes one ready WebSocket frame to every board socket (floorapp.realtime): the frame
must be exactly what a WebSocket client reads back as one whole text message, whatever its length."""
from __future__ import annotations

import pytest
from wsproto.frame_protocol import FrameProtocol, Opcode

from floorapp.realtime import text_frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 70000])
def test_a_ready_frame_reads_back_as_one_whole_text_message(size):
    text = ("42[\"pick.confirmed\",{\"sku\":\"Crème brûlée\"}]" * (size // 40 + 1))[:size]
    reader = FrameProtocol(client=True, extensions=[])  # a client reads a server's (unmasked) frames
    reader.receive_bytes(text_frame(text))
    frames = list(reader.received_frames())
    assert len(frames) == 1
    assert frames[0].opcode == Opcode.TEXT and frames[0].frame_finished and frames[0].message_finished
    assert frames[0].payload == text

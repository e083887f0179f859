"""The read load test's Lua literals (bench/server/reads.py): wrk runs the script it
writes, so every address, token and header must come back byte for byte, and nothing in
them may end a Lua string early."""

from __future__ import annotations

import re

from tests.bench.bench_kit import bench_module


def unlua(literal: str) -> bytes:
    """The bytes of a Lua string literal made of plain characters and ``\\ddd``."""
    assert literal[0] == literal[-1] == '"'
    body = literal[1:-1]
    assert not re.search(r'["\n\r]', body)  # nothing that would end or break the string
    assert not re.search(r"\\(?!\d{3})", body)  # every backslash starts a \ddd
    out, i = bytearray(), 0
    while i < len(body):
        if body[i] == "\\":
            out.append(int(body[i + 1 : i + 4]))
            i += 4
        else:
            out += body[i].encode()
            i += 1
    return bytes(out)


def test_text_comes_back_byte_for_byte() -> None:
    lua = bench_module("server/reads").lua
    for text in (
        "/api/v1/runs/2/tables/stock?offset=500&limit=100",
        "Bearer mat_rsq9jjxsGtg44PZ51G-l4jINnB6k56WWpscMKadm62s",
        'session="a\\b"; x=\n\r]]--',
        "Ünïcode ✓ 155mm",
    ):
        assert unlua(lua(text)) == text.encode()


def test_tables_numbers_and_booleans() -> None:
    lua = bench_module("server/reads").lua
    assert lua({"ok": 304, "conditional": True, "roles": [[["/a"]]]}) == (
        '{["ok"] = 304, ["conditional"] = true, ["roles"] = {{{"/a"}}}}'
    )

"""A served tab: two keys in one websocket message in a dialog end nothing (issue 20: a served drill lost its answers)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from serve_client import open_tab, running_server

pytest.importorskip("textual_serve")


async def test_enter_enter_in_served_dialogs_keeps_the_tab(tmp_path):
    with running_server("notes-four-steps", "vanishing-gradients", cwd=tmp_path) as server:
        async with aiohttp.ClientSession() as http:
            tab = await open_tab(http, server.url, 120, 40)
            await tab.wait_for(lambda s: "step 1/" in s)
            for opener, shown, typed, after in ((":", "escape cancels", "5\r\r", "step 5/"),  # goto, as issue 20 typed it
                                                (":", "escape cancels", "3\r\x1b", "step 3/"),
                                                ("o", "Open a scenario", "\r\r", "opened"),  # the served pick list
                                                ("e", "Export the derivation", "\r\x1b", "step 1/")):
                await tab.press(opener)
                await tab.wait_for(lambda s, shown=shown: shown in s)
                await tab.press(typed)  # one message: the keys arrive together
                await tab.wait_for(lambda s, shown=shown, after=after: after in s and shown not in s)
                if typed.endswith("\x1b"):
                    await asyncio.sleep(0.5)  # a key right behind a lone escape would read as alt+key
            assert [kind for kind, *_ in tab.messages] == ["deliver_file_start"]  # the one export, once
            await tab.press("n")
            await tab.wait_for(lambda s: "step 2/" in s)
            assert not tab.closed.is_set()
            await tab.close()


async def test_a_served_drill_takes_enter_enter_as_one_answer_and_keeps_the_tab(tmp_path):
    """Issue 20: in a served drill, keys of one write ended the tab after three answers, every answer lost."""
    import json

    from rnnstep import notation as nt
    from rnnstep.drill.questions import questions
    from rnnstep.scenario import SCENARIO_DIR, load_scenario
    from rnnstep.build import build_tape

    first, second = questions(build_tape(load_scenario(SCENARIO_DIR / "notes-four-steps.toml")))[:2]
    with running_server("notes-four-steps", "--drill", cwd=tmp_path) as server:
        async with aiohttp.ClientSession() as http:
            tab = await open_tab(http, server.url, 120, 40)
            await tab.wait_for(lambda s: "question 1 of" in s)
            await tab.press(nt.fmt(first.value) + "\r\r")  # one message: the answer and two Enters
            await tab.wait_for(lambda s: "question 2 of" in s)
            await tab.press("\x10" + "keys\r\r")  # ctrl+p, a command, Enter-Enter in the palette
            await asyncio.sleep(0.5)
            await tab.press(nt.fmt(second.value) + "\r")
            await tab.wait_for(lambda s: "question 3 of" in s)
            await tab.press("quit\r")
            deadline = asyncio.get_running_loop().time() + 10
            while not tab.messages and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
            [[kind, key]] = tab.messages
            async with http.get(f"{server.url}/download/{key}") as response:
                records = [json.loads(line) for line in (await response.text()).splitlines()]
            assert [(r["id"], r["right"]) for r in records] == [(first.id, True), (second.id, True)]
            assert not tab.closed.is_set()
            await tab.close()

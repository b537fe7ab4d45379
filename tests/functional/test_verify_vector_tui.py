"""`verify --open` on a hidden vector: the wrong-claim keys visit the steps of wrong entries, each named."""

from __future__ import annotations

from rnnstep.scenario import SCENARIO_DIR, load_scenario
from rnnstep.tui.app import DebuggerApp
from rnnstep.tui.widgets import StepDetail, panel_text

WORKED = SCENARIO_DIR / "vector" / "worked-example-hidden-two.toml"


async def test_wrong_entry_keys_visit_the_slip_then_what_follows_at_80x24():
    app = DebuggerApp(load_scenario(WORKED))
    async with app.run_test(size=(80, 24)) as pilot:
        wrong = sorted(s for s, rs in app.claims.items() if any(r.wrong for r in rs))
        assert app.claims_wrong == 39 and len(wrong) >= 5
        await pilot.press("w")
        assert app.cursor == wrong[0] == app.tape.steps.index_of("forward.O[2]")
        await pilot.pause()
        text = panel_text(app.query_one(StepDetail))
        assert "O₂[1] = 0.1767" in text and "✗ slip" in text and "its stated inputs give 0.167506" in text
        assert "O₂[2] = -0.07142" in text and "✓ right" in text
        await pilot.press("w", "w")
        assert app.cursor == wrong[2]
        await pilot.press("W")
        assert app.cursor == wrong[1]
        await pilot.pause()
        assert "follows from O₂[1]" in " ".join(panel_text(app.query_one(StepDetail)).split())
        await pilot.press("end", "w")  # the last wrong entries are W′_new's, before the last step
        assert wrong[-1] == app.tape.steps.index_of("update.w_prime.new") < app.cursor == len(app.tape.steps) - 1
        assert "no wrong claim after" in str(app.query_one("#status").render())

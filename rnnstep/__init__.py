"""rnnstep: a step-through debugger for backpropagation through time.

The Python API for notebooks and scripts::

    import rnnstep
    scenario = rnnstep.load_scenario("scenarios/notes-four-steps.toml")  # or TOML text
    tape = rnnstep.build_tape(scenario)
    tape.gradients["w_prime"].total         # ∂L/∂w′
    tape.gradients["w"].running_sum         # the running partial sums, term by term
    tape.value("gradients.w.term[4,2]")     # any value by its SPEC §6 id
"""

from .build import build_tape
from .scenario import Scenario, ScenarioError, default_scenario, load_scenario
from .tape import Tape

__all__ = ["Scenario", "ScenarioError", "Tape", "build_tape", "default_scenario", "load_scenario"]
__version__ = "0.1.0"

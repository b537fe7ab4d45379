"""The one-unit, seven-step scenario that the ways-to-train tests (SPEC §9) add their [train] keys to."""

SCALAR = """
[weights]
w = 0.5
w_prime = -0.3
b = 0.1
[data]
x = [1.0, 0.5, -0.3, 0.8, 0.2, -0.6, 0.9]
y = [0.2, -0.1, 0.4, 0.0, 0.3, -0.2, 0.1]
[train]
learning_rate = 0.1
"""

"""`rnnstep new`: a commented scenario template, every key with its meaning and default.

The template loads as it is (the lecture notes' four steps); a teacher edits the
numbers and uncomments what they need. A test checks that it names every key the
loader accepts, so the two cannot drift apart.
"""

TEMPLATE = """\
# An rnnstep scenario (SPEC §4). Open it with `rnnstep FILE`, print it with
# `rnnstep trace FILE`, drill it with `rnnstep drill FILE`.
# Every key is optional except weights.w, weights.w_prime, weights.b, data.x, data.y.
# Lines starting with # are comments: remove the # to use a key.

title = "My scenario"                    # shown in the title bar; default: the file name
description = "What this scenario shows."  # shown to the student at the first step; default: none

[rnn]                      # the recurrent unit: a_t = w·x_t + w′·O_{t−1} + b, O_t = f(a_t)
activation = "tanh"        # f, the hidden unit: tanh, sigmoid, relu, leaky_relu, identity (default tanh)
h0 = 0.0                   # O₀, the state before step 1 (default 0)
# leaky_slope = 0.01       # α of leaky_relu: f(a) = α·a for a ≤ 0 (default 0.01)
# hidden_size = 2          # n, for a hidden vector (SPEC §7); only with array weights (default: from them)
# cell = "rnn"             # "rnn" (default), or a gated cell "lstm" / "gru" (SPEC §8): then no activation,
#                          # and w, w_prime, b, b_prime stack the gates' rows (i, f, g, o / r, u, n)
#   c0 = 0.0               # with cell = "lstm" only: the starting cell state c₀ (default 0)

[output]                   # the output and the loss: z_t = w_out·O_t + b_out, ŷ_t = g(z_t)
activation = "identity"    # g, the output unit ŷ = g(w_out·O + b_out): as for f (default identity)
loss = "half_squared"      # squared (ŷ − y)², half_squared ½(ŷ − y)², bce (needs a sigmoid g) (default half_squared)

[weights]                  # the same w, w′, b at every step
w = 0.5                    # required: the input weight, a_t = w·x_t + w′·O_{t−1} + b
w_prime = -0.3             # required: w′, the recurrent weight
b = 0.1                    # required: the bias
w_out = 1.2                # the output weight (default 1)
b_out = 0.0                # the output bias (default 0)
#   b_prime = [0.0, 0.0, 0.0, 0.0]  # with cell = "lstm" / "gru" only: the recurrent bias b′ (PyTorch's bias_hh), per gate row (default 0)

[data]                     # the sequence and its target(s)
x = [0.9, 0.4, -0.6, 0.8]  # required: the inputs x₁ … x_T; T = len(x) ≥ 1
y = 0.2                    # required: one target at the last step, or a list of T targets (a loss at every step)

[train]                    # the update after the backward pass
learning_rate = 0.05       # η in p_new = p − η·∂L/∂p (default 0.1)
# truncate = 2             # truncated BPTT: terms reaching K or more steps back are shown, not added (default: none)
# clip = 5.0               # clip each gradient to [−C, C] before the update (default: none)
# Ways to train through time (README; one at a time, so these are indented: uncomment a group, not all):
#   method = "tbptt"       # bptt (default), tbptt, randomized or rtrl
#   k1 = 4                 # tbptt: steps per chunk, one update at the end of each (required with tbptt)
#   k2 = 6                 # tbptt: steps back-propagated from a chunk's end, k2 ≥ k1 (default k1)
#   keep = 0.8             # randomized: the chance π that a step lets the gradient through, 0 < π ≤ 1
#   seed = 0               # randomized: which coins are drawn (default 0)
#   clip_norm = 1.0        # scale the whole gradient to norm ≤ C, as clip_grad_norm_ (instead of clip)
# breakpoints = ["backward.w_prime", "gradients.w.term[4,2]"]  # where `c` stops: a phase or a value id (default: none)
#   or a condition: "when |term| < 1e-6", "when running_sum changes sign in w", "when clip", "when overflow"
# watch = ["gradients.w.running_sum", "forward.O[2]"]  # values pinned to the debugger's watch line (default: none)

# Teaching notes, shown when the cursor reaches `at` (a phase or a value id; repeat the block for more):
# [[notes]]
# at = "gradients.w_prime.term[4,1]"
# text = "O₀ = 0, so the path that ends at O₁ adds nothing to ∂L/∂w′."

# The numbers a worked example states, for `rnnstep verify FILE` (value id = "number as printed"):
# [claims]
# "forward.O[2]" = "0.1487"
# "gradients.w.total" = "0.3644"
"""

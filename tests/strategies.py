"""Hypothesis strategies for random scenarios (as reference Nets)."""

from hypothesis import strategies as st

from reference import Net

ACTIVATIONS = ["tanh", "sigmoid", "relu", "leaky_relu", "identity"]
weight = st.floats(-1.5, 1.5, allow_nan=False).map(lambda v: round(v, 3))
value = st.floats(-2.0, 2.0, allow_nan=False).map(lambda v: round(v, 3))


@st.composite
def nets(draw, max_T: int = 7, loss: str | None = None) -> Net:
    T = draw(st.integers(1, max_T))
    loss_name = loss or draw(st.sampled_from(["squared", "half_squared", "bce"]))
    output_activation = "sigmoid" if loss_name == "bce" else draw(st.sampled_from(ACTIVATIONS))
    every_step = draw(st.booleans())
    if loss_name == "bce":
        target = st.floats(0.0, 1.0).map(lambda v: round(v, 2))
    else:
        target = value
    y = [draw(target) for _ in range(T)] if every_step else draw(target)
    return Net(
        w=draw(weight), w_prime=draw(weight), b=draw(weight), w_out=draw(weight), b_out=draw(weight),
        x=[draw(value) for _ in range(T)], y=y,
        activation=draw(st.sampled_from(ACTIVATIONS)), output_activation=output_activation, loss=loss_name,
        h0=draw(st.sampled_from([0.0, 0.0, 0.3, -0.5])), leaky_slope=draw(st.sampled_from([0.01, 0.1, 0.2])),
    )


def away_from_kinks(net: Net) -> bool:
    """relu/leaky_relu pre-activations not within reach of a finite-difference step of 0."""
    a_list, _, losses = net.run()
    pre = [a.v for a in a_list] if net.activation in ("relu", "leaky_relu") else []
    pre += [z.v for z, _, _ in losses.values()] if net.output_activation in ("relu", "leaky_relu") else []
    return all(abs(v) > 1e-3 for v in pre)

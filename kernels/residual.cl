// Residual blocks (train/ResidualOp): the sum of the block's two branches and the gradient copy its backward
// pass needs. One work-item per LANES neighbouring elements (prelude.cl's lanes_*: PoCL does not vectorize
// activate's switch across work-items); row-major float32 of count elements.
//   residual_add    out = f(x + y)                the block's output (f its activation), and with f = identity
//                                                 the input gradient: inner branch's (x) plus shortcut's (y)
//   residual_delta  g = g ⊙ f'(out); copy = g     the sum's gradient in place, and a copy for the inner branch
//                                                 (whose ops may overwrite their gradient)
// activate() and slope() come from prelude.cl (the codes as Activation.code).

// out(count) = f(x + y)
__kernel void residual_add(const int count, const int activation, __global const float* x,
                           __global const float* y, __global float* out) {
  const int i = get_global_id(0) * LANES;
  if (i < count) {
    const int valid = count - i;
    lanes_store(out, i, valid, lanes_activate(activation, lanes_load(x, i, valid) + lanes_load(y, i, valid)));
  }
}

__kernel void residual_delta(const int count, const int activation, __global const float* out,
                             __global float* g, __global float* copy) {
  const int i = get_global_id(0) * LANES;
  if (i < count) {
    const int valid = count - i;
    const lanesv d = lanes_load(g, i, valid) * lanes_slope(activation, lanes_load(out, i, valid));
    lanes_store(g, i, valid, d);
    lanes_store(copy, i, valid, d);
  }
}

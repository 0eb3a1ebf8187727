// Recurrent layers (LSTM, GRU: PyTorch's equations and gate order) and embeddings (train/RecurrentOp,
// train/EmbeddingOp). A sequence row is T steps of F features, step-major: x(n, t, f) at (n·T + t)·F + f.
// G gates per unit (LSTM 4: i, f, g, o; GRU 3: r, z, n), stacked as PyTorch stacks them: row g·H + j of
// W_ih (G·H × F) and W_hh (G·H × H). The host runs the input projection of every step as one matmul
// (x·W_ihᵀ into gates), then per step t = 0 … T − 1 the recurrent product h_{t−1}·W_hhᵀ as one matmul
// (matmul.cl's matmul_transpose_b on the contiguous state, rows × H) and one *_step launch for the gate work;
// backward, t = T − 1 … 0, one *_step_backward launch and then d(rec)_t·W_hh as one matmul (matmul.cl's
// matmul) for step t − 1. The step kernels do only elementwise work, as the Java twins in
// dev.cltrain.reference.RecurrentTwins do; both sides run the same matmul contract for the products.
// Buffers (per row n, step t, unit j):
//   gates   (n, t, G·H)  in: x·W_ihᵀ; step t leaves the activated gates; backward leaves d(gates' pre-activation)
//   cells   (n, t, H)    LSTM c_t
//   news    (n, t, H)    GRU W_hn·h_{t−1} + b_hn
//   states  (n, t, H)    h_{t−1}, the state step t reads (0 at t = 0): W_hh's gradient is statesᵀ·d(gates)
//   lengths (n)          steps before the first padding id (float): steps t ≥ length carry the state unchanged
//                        and give 0 in a :seq output (T for a sequence not after an embedding)
//   out                  (n, t, H) with sequence, else (n, H): the last step's state
//   product (n, G·H)     forward: h_{t−1}·W_hhᵀ (read at t > 0 only)
//   state   (n, H)       forward: receives h_t, the next step's matmul operand
//   stateGradient (n, H) backward: d(rec)_{t+1}·W_hh (read at t < T − 1 only)
//   stepGradients (n, G·H) backward: receives d(rec)_t (LSTM: d(gates); GRU: hgates), the next matmul's operand
// One work-item per (row, unit) in the step kernels, dimension 0 the unit, 1 the row (neighbouring work-items
// touch neighbouring floats, so the work-items vectorize on CPUs): it reads its own unit's elements of what earlier launches
// wrote and writes only its own unit's elements.
//   sequence_lengths     lengths(n) = the index of the first 0 id of row n, else steps        .sequenceLengths
//   lstm_step            a = gates + b_ih + product + b_hh; i, f, o = σ(a); g = tanh(a)      .lstmStep
//                        c = f·c_{t−1} + i·g; h = o·tanh(c)
//   lstm_step_backward   BPTT of one step; carry: the state's gradient passed by masked steps   .lstmStepBackward
//   gru_step             r, z = σ(a); n = tanh(gates_n + b_in + r·(product_n + b_hn));         .gruStep
//                        h = (1 − z)·n + z·h_{t−1}
//   gru_step_backward    BPTT of one step: d(input pre-activations) in gates, d(recurrent       .gruStepBackward
//                        pre-activations) in hgates; carry: dh·z (or all of dh on a masked step)
//   embedding_forward    out(n, t, d) = w(id, d), 0 for id 0 (padding)                          .embeddingForward
//   embedding_backward   dw(v, d) = scale·Σ dy(p, d) over the positions p (in order) with id v;  .embeddingBackward
//                        row 0 stays 0. One work-item per d: the order is fixed.
// activate(), slope(), tanh_cl() come from prelude.cl.

// One work-item per row.
__kernel void sequence_lengths(const int rows, const int steps, __global const float* ids,
                               __global float* lengths) {
  const int n = get_global_id(0);
  if (n >= rows) {
    return;
  }
  int length = steps;
  for (int t = steps - 1; t >= 0; t--) {
    if (ids[(long) n * steps + t] == 0.0f) {
      length = t;
    }
  }
  lengths[n] = (float) length;
}

// The writes both cells' steps share: h_{t−1} of step 0 (0), h for step t + 1, and the output.
inline void step_output(const int steps, const int hidden, const int t, const int sequence, const int n, const int j,
                        const long at, const bool valid, const float h, __global float* states,
                        __global float* state, __global float* out) {
  state[(long) n * hidden + j] = h;
  if (t == 0) {
    states[at * hidden + j] = 0.0f;
  }
  if (t + 1 < steps) {
    states[(at + 1) * hidden + j] = h;
  }
  if (sequence) {
    out[at * hidden + j] = valid ? h : 0.0f;
  } else if (t == steps - 1) {
    out[(long) n * hidden + j] = h;
  }
}

// dh of step t: step t + 1's d(rec)·W_hh (the matmul's), the carry, dy's part.
inline float state_gradient(const int steps, const int hidden, const int t, const int sequence,
                            __global const float* stateGradient, __global const float* dy,
                            __global const float* carry, const int n, const int j, const long at, const bool valid) {
  const bool last = t == steps - 1;
  const float rec = last ? 0.0f : stateGradient[(long) n * hidden + j];
  const float stepGradient = sequence ? dy[at * hidden + j] : 0.0f; // read on every row, then selected
  const float outGradient = sequence ? (valid ? stepGradient : 0.0f) : (last ? dy[(long) n * hidden + j] : 0.0f);
  return rec + (last ? 0.0f : carry[(long) n * hidden + j]) + outGradient;
}

// Gate g's pre-activation of unit j: x·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ (from step 1 on) + b_hh, added in that order.
inline float lstm_gate(const int g, const int hidden, const int j, const int t, const int n,
                       __global const float* gate, __global const float* inputBias, __global const float* product,
                       __global const float* recurrentBias) {
  const int row = g * hidden + j;
  return gate[row] + inputBias[row] + (t > 0 ? product[(long) n * 4 * hidden + row] : 0.0f) + recurrentBias[row];
}

// One work-item per (row, unit) of step t.
__kernel void lstm_step(const int rows, const int steps, const int hidden, const int t, const int sequence,
                        __global const float* inputBias, __global const float* recurrentBias,
                        __global const float* lengths, __global const float* product, __global float* gates,
                        __global float* cells, __global float* states, __global float* state,
                        __global float* out) {
  const int j = get_global_id(0);
  const int n = get_global_id(1);
  if (j >= hidden || n >= rows) {
    return;
  }
  const int id = n * hidden + j;
  const long at = (long) n * steps + t;
  __global float* gate = gates + at * 4 * hidden;
  const bool valid = t < (int) lengths[n];
  // computed for every step and selected (no branch on the row's length, no private array: the work-items vectorize)
  const float i = sigmoid_cl(lstm_gate(0, hidden, j, t, n, gate, inputBias, product, recurrentBias));
  const float f = sigmoid_cl(lstm_gate(1, hidden, j, t, n, gate, inputBias, product, recurrentBias));
  const float g = tanh_cl(lstm_gate(2, hidden, j, t, n, gate, inputBias, product, recurrentBias));
  const float o = sigmoid_cl(lstm_gate(3, hidden, j, t, n, gate, inputBias, product, recurrentBias));
  const float cp = t > 0 ? cells[(at - 1) * hidden + j] : 0.0f;
  const float hp = t > 0 ? states[at * hidden + j] : 0.0f;
  const float cv = f * cp + i * g;
  const float c = valid ? cv : cp;
  const float h = valid ? o * tanh_cl(cv) : hp;
  gate[j] = valid ? i : 0.0f;
  gate[hidden + j] = valid ? f : 0.0f;
  gate[2 * hidden + j] = valid ? g : 0.0f;
  gate[3 * hidden + j] = valid ? o : 0.0f;
  cells[at * hidden + j] = c;
  step_output(steps, hidden, t, sequence, n, j, at, valid, h, states, state, out);
}

// One work-item per (row, unit) of step t, from t = steps − 1 down to 0.
__kernel void lstm_step_backward(const int rows, const int steps, const int hidden, const int t,
                                 const int sequence, __global const float* lengths, __global const float* cells,
                                 __global const float* dy, __global const float* stateGradient,
                                 __global float* gates, __global float* dcell, __global float* carry,
                                 __global float* stepGradients) {
  const int j = get_global_id(0);
  const int n = get_global_id(1);
  if (j >= hidden || n >= rows) {
    return;
  }
  const int id = n * hidden + j;
  const long at = (long) n * steps + t;
  const int width = 4 * hidden;
  const bool valid = t < (int) lengths[n];
  const float dh = state_gradient(steps, hidden, t, sequence, stateGradient, dy, carry, n, j, at, valid);
  const float dc = t == steps - 1 ? 0.0f : dcell[id];
  __global float* gate = gates + at * width;
  __global float* next = stepGradients + (long) n * width;
  // computed on every row and selected (no branch on the row's length: the work-items vectorize)
  const float i = gate[j];
  const float f = gate[hidden + j];
  const float g = gate[2 * hidden + j];
  const float o = gate[3 * hidden + j];
  const float tc = tanh_cl(cells[at * hidden + j]);
  const float cp = t > 0 ? cells[(at - 1) * hidden + j] : 0.0f;
  const float dct = dc + dh * o * slope(ACT_TANH, tc);
  const float di = valid ? dct * g * slope(ACT_SIGMOID, i) : 0.0f;
  const float df = valid ? dct * cp * slope(ACT_SIGMOID, f) : 0.0f;
  const float dg = valid ? dct * i * slope(ACT_TANH, g) : 0.0f;
  const float dout = valid ? dh * tc * slope(ACT_SIGMOID, o) : 0.0f;
  gate[j] = di;
  gate[hidden + j] = df;
  gate[2 * hidden + j] = dg;
  gate[3 * hidden + j] = dout;
  next[j] = di;
  next[hidden + j] = df;
  next[2 * hidden + j] = dg;
  next[3 * hidden + j] = dout;
  dcell[id] = valid ? dct * f : dc;
  carry[id] = valid ? 0.0f : dh;
}

// One work-item per (row, unit) of step t.
__kernel void gru_step(const int rows, const int steps, const int hidden, const int t, const int sequence,
                       __global const float* inputBias, __global const float* recurrentBias,
                       __global const float* lengths, __global const float* product, __global float* gates,
                       __global float* news, __global float* states, __global float* state,
                       __global float* out) {
  const int j = get_global_id(0);
  const int n = get_global_id(1);
  if (j >= hidden || n >= rows) {
    return;
  }
  const int id = n * hidden + j;
  const long at = (long) n * steps + t;
  __global float* gate = gates + at * 3 * hidden;
  const bool valid = t < (int) lengths[n];
  const float hp = t > 0 ? states[at * hidden + j] : 0.0f;
  // computed on every row and selected (no branch on the row's length, no private array: the work-items vectorize)
  __global const float* rec = product + (long) n * 3 * hidden;
  const float rec0 = (t > 0 ? rec[j] : 0.0f) + recurrentBias[j];
  const float rec1 = (t > 0 ? rec[hidden + j] : 0.0f) + recurrentBias[hidden + j];
  const float rec2 = (t > 0 ? rec[2 * hidden + j] : 0.0f) + recurrentBias[2 * hidden + j];
  const float r = sigmoid_cl(gate[j] + inputBias[j] + rec0);
  const float z = sigmoid_cl(gate[hidden + j] + inputBias[hidden + j] + rec1);
  const float nn = tanh_cl(gate[2 * hidden + j] + inputBias[2 * hidden + j] + r * rec2);
  const float h = valid ? (1.0f - z) * nn + z * hp : hp;
  gate[j] = valid ? r : 0.0f;
  gate[hidden + j] = valid ? z : 0.0f;
  gate[2 * hidden + j] = valid ? nn : 0.0f;
  news[at * hidden + j] = valid ? rec2 : 0.0f;
  step_output(steps, hidden, t, sequence, n, j, at, valid, h, states, state, out);
}

// One work-item per (row, unit) of step t, from t = steps − 1 down to 0.
__kernel void gru_step_backward(const int rows, const int steps, const int hidden, const int t,
                                const int sequence, __global const float* lengths, __global const float* news,
                                __global const float* states, __global const float* dy,
                                __global const float* stateGradient, __global float* gates,
                                __global float* hgates, __global float* carry, __global float* stepGradients) {
  const int j = get_global_id(0);
  const int n = get_global_id(1);
  if (j >= hidden || n >= rows) {
    return;
  }
  const int id = n * hidden + j;
  const long at = (long) n * steps + t;
  const int width = 3 * hidden;
  const bool valid = t < (int) lengths[n];
  const float dh = state_gradient(steps, hidden, t, sequence, stateGradient, dy, carry, n, j, at, valid);
  __global float* gate = gates + at * width;
  __global float* hgate = hgates + at * width;
  __global float* next = stepGradients + (long) n * width;
  // computed on every row and selected (no branch on the row's length: the work-items vectorize)
  const float r = gate[j];
  const float z = gate[hidden + j];
  const float nn = gate[2 * hidden + j];
  const float hp = t > 0 ? states[at * hidden + j] : 0.0f;
  const float dan = valid ? dh * (1.0f - z) * slope(ACT_TANH, nn) : 0.0f;
  const float nw = news[at * hidden + j];
  const float dar = valid ? dan * nw * slope(ACT_SIGMOID, r) : 0.0f;
  const float daz = valid ? dh * (hp - nn) * slope(ACT_SIGMOID, z) : 0.0f;
  gate[j] = dar;
  gate[hidden + j] = daz;
  gate[2 * hidden + j] = dan;
  hgate[j] = dar;
  hgate[hidden + j] = daz;
  hgate[2 * hidden + j] = dan * r;
  next[j] = dar;
  next[hidden + j] = daz;
  next[2 * hidden + j] = dan * r;
  carry[id] = valid ? dh * z : dh;
}

// One work-item per element of out (rows·steps·dims).
__kernel void embedding_forward(const int rows, const int steps, const int vocabulary, const int dims,
                                __global const float* ids, __global const float* weights, __global float* out) {
  const long i = get_global_id(0);
  if (i >= (long) rows * steps * dims) {
    return;
  }
  const long position = i / dims;
  const int d = (int) (i - position * dims);
  const int v = (int) ids[position];
  out[i] = v > 0 && v < vocabulary ? weights[(long) v * dims + d] : 0.0f;
}

// One work-item per column d of dw: zero it, add the positions' gradients in order, scale; row 0 stays 0.
__kernel void embedding_backward(const int positions, const int vocabulary, const int dims, const float scale,
                                 __global const float* ids, __global const float* dy, __global float* dw) {
  const int d = get_global_id(0);
  if (d >= dims) {
    return;
  }
  for (int v = 0; v < vocabulary; v++) {
    dw[(long) v * dims + d] = 0.0f;
  }
  for (int p = 0; p < positions; p++) {
    const int v = (int) ids[p];
    if (v > 0 && v < vocabulary) {
      dw[(long) v * dims + d] += dy[(long) p * dims + d];
    }
  }
  for (int v = 1; v < vocabulary; v++) {
    dw[(long) v * dims + d] = scale * dw[(long) v * dims + d];
  }
}

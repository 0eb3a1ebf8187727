// Many epochs of full-batch training of a small network in ONE launch: for nets whose launches cost more
// than their arithmetic (the seed's XOR: six launches of a few hundred flops each per epoch).
//   train_small   for each of `epochs` epochs: forward, (loss and correct count at the last epoch when
//                 `stats`), backward, update: Backprop's iteration, every step the kernel of that name does
//
// One work-group does it all (the host launches exactly one, see OpenClKernels.smallNetGroup): the data,
// the parameters, their optimizer state, every layer's activations and two deltas live in local memory for
// the whole launch, loaded from the global buffers at the start, the parameters and state written back at
// the end. Each phase splits its elements over the work-items (element i, i + size, ...), and a
// barrier(CLK_LOCAL_MEM_FENCE) separates phases, as the end of one kernel and the start of the next do on
// the layer-by-layer path.
//
// Layout. shape: widths[0..layers] (inputs first), then the activation codes of layers 1..L (−1 softmax).
// params: per layer its weights (inputs × outputs, row-major), then its biases. state: the optimizer's
// buffers (0, 1 velocity, or 2 m and v), each laid out as params. corrections: Adam's (1 − β1ᵗ, 1 − β2ᵗ)
// for the launch's steps, two per epoch, computed by the host in double as the layer path's. x (rows ×
// inputs), y (rows × outputs). loss[0], correct[0]: the slots the loss kernels write for a full batch.
// Local memory: x, y, params, state, activations (rows × width per layer), two deltas (rows × widest),
// which must fit SMALL_NET_FLOATS floats (the host checks: OpenClKernels.smallNetFloats), plus the
// REDUCE_GROUP partial sums.
//
// Bit for bit the layer-by-layer path: each element is computed by the same float operations in the same
// order as the kernel that computes it there: products as fma chains in ascending p from 0 then scaled by
// alpha (matmul.cl), biases and activations as in its epilogues, softmax as bias_softmax, bias gradients as
// column_sum, the losses and counts as loss.cl's single-group reductions (REDUCE_GROUP lanes, each summing
// a strided slice, then halved in a tree: the same lanes and tree whatever the work-group size here), the
// updates as update.cl's (with its rule that a momentum velocity or an Adam moment whose magnitude falls
// below FLT_MIN becomes +0.0, so that devices that flush subnormals stay in step). Only where elements are
// computed and when they are stored differs, which changes no bits. The weight gradient is not stored: each element is computed just before its own update, after
// the delta passed down has read the old weights (a barrier between), as on the layer path, where every
// layer's backward pass ends before the first update.
// Tunables: SMALL_NET_FLOATS (local floats for the network, -D from the host), REDUCE_GROUP (as loss.cl).

#ifndef SMALL_NET_FLOATS
#define SMALL_NET_FLOATS 4096
#endif
#ifndef REDUCE_GROUP
#define REDUCE_GROUP 256
#endif

// Optimizer codes: Optimizer.Kind.code in Java (Sgd.CODE, Momentum.CODE, Adam.CODE, AdamW.CODE), one OPT_ name per rule;
// KernelCodesTest keeps the two in step and checks that update_one names each rule.
#define OPT_SGD 0
#define OPT_MOMENTUM 1
#define OPT_ADAM 2
#define OPT_ADAMW 3

// Copies n floats between global and local memory, the group's work-items sharing them.
inline void load_local(__local float* to, __global const float* from, const int n) {
  for (int i = get_local_id(0); i < n; i += get_local_size(0)) {
    to[i] = from[i];
  }
}

inline void store_global(__global float* to, __local const float* from, const int n) {
  for (int i = get_local_id(0); i < n; i += get_local_size(0)) {
    to[i] = from[i];
  }
}

// Halves partial[0 .. REDUCE_GROUP) into partial[0] as loss.cl's group_sum does (its lanes were filled).
inline float tree_sum(__local float* partial) {
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int stride = REDUCE_GROUP / 2; stride > 0; stride /= 2) {
    for (int lane = get_local_id(0); lane < stride; lane += get_local_size(0)) {
      partial[lane] += partial[lane + stride];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  const float total = partial[0];
  barrier(CLK_LOCAL_MEM_FENCE);
  return total;
}

// update.cl's step for one parameter p with gradient dw; s: its optimizer state, `stride` floats apart
inline void update_one(const int optimizer, const float learning_rate, const float momentum, const float beta1,
                       const float beta2, const float epsilon, const float weight_decay, const float correction1,
                       const float correction2, const float dw, __local float* p, __local float* s,
                       const int stride) {
  if (optimizer == OPT_ADAMW) { // decoupled: the weight decayed first, the Adam step from it without L2
    p[0] = p[0] * (1.0f - learning_rate * weight_decay);
  }
  const float g = optimizer == OPT_ADAMW ? dw : dw + weight_decay * p[0];
  if (optimizer == OPT_MOMENTUM) {
    const float v = flush_moment(momentum * s[0] + g);
    s[0] = v;
    p[0] = p[0] - learning_rate * v;
  } else if (optimizer == OPT_ADAM || optimizer == OPT_ADAMW) {
    const float m1 = flush_moment(beta1 * s[0] + (1.0f - beta1) * g);
    const float v1 = flush_moment(beta2 * s[stride] + (1.0f - beta2) * (g * g));
    s[0] = m1;
    s[stride] = v1;
    const float step = (m1 / correction1) / (sqrt(v1 / correction2) + epsilon);
    p[0] = p[0] - learning_rate * step;
  } else { // OPT_SGD
    p[0] = p[0] - learning_rate * g;
  }
}

// `epochs` full-batch iterations of a `layers`-layer network on rows × widths[0] inputs; scale = 1/rows as
// the host computes it (the gradients' alpha); stats: loss and correct count of the last epoch's forward pass
__kernel void train_small(const int layers, const int rows, const int epochs, const int cross_entropy,
                          const int stats, const float scale, const float learning_rate, const float weight_decay,
                          const int optimizer, const float momentum, const float beta1, const float beta2,
                          const float epsilon, __global const int* shape,
                          __global const float* corrections, __global const float* x, __global const float* y,
                          __global float* params, __global float* state, __global float* loss,
                          __global float* correct) {
  __local float mem[SMALL_NET_FLOATS];
  __local float partial[REDUCE_GROUP];
  const int lid = get_local_id(0);
  const int size = get_local_size(0);
  __global const int* widths = shape;
  __global const int* activations = shape + layers + 1;
  const int inputs = widths[0];
  const int outputs = widths[layers];
  int parameters = 0;
  int activation_floats = 0;
  int widest = 0;
  for (int l = 0; l < layers; l++) {
    parameters += widths[l] * widths[l + 1] + widths[l + 1];
    activation_floats += rows * widths[l + 1];
    widest = max(widest, widths[l + 1]);
  }
  const int states = optimizer == OPT_ADAM || optimizer == OPT_ADAMW ? 2 : optimizer == OPT_MOMENTUM ? 1 : 0;
  if (rows * (inputs + outputs) + parameters * (1 + states) + activation_floats + 2 * rows * widest
      > SMALL_NET_FLOATS) {
    return; // the host never launches a network that does not fit (OpenClKernels.smallNetFloats)
  }
  __local float* lx = mem;
  __local float* ly = lx + rows * inputs;
  __local float* lp = ly + rows * outputs;
  __local float* ls = lp + parameters;
  __local float* la = ls + states * parameters;
  __local float* delta = la + activation_floats;
  __local float* delta_other = delta + rows * widest;
  load_local(lx, x, rows * inputs);
  load_local(ly, y, rows * outputs);
  load_local(lp, params, parameters);
  load_local(ls, state, states * parameters);
  barrier(CLK_LOCAL_MEM_FENCE);
  __local float* output = la + activation_floats - rows * outputs;
  for (int e = 0; e < epochs; e++) {
    // forward: a_l = f(a_{l-1} · W_l + b_l)   (matmul_bias_activation; matmul then bias_softmax)
    __local float* in = lx;
    __local float* a = la;
    int at = 0;
    for (int l = 0; l < layers; l++) {
      const int k = widths[l];
      const int n = widths[l + 1];
      const int act = activations[l];
      __local const float* w = lp + at;
      __local const float* b = w + k * n;
      for (int i = lid; i < rows * n; i += size) {
        const int r = i / n;
        const int j = i - r * n;
        float sum = 0.0f;
        for (int p = 0; p < k; p++) {
          sum = fma(in[r * k + p], w[p * n + j], sum);
        }
        a[i] = act == ACT_SOFTMAX ? 1.0f * sum : activate(act, 1.0f * sum + b[j]);
      }
      barrier(CLK_LOCAL_MEM_FENCE);
      if (act == ACT_SOFTMAX) {
        for (int r = lid; r < rows; r += size) {
          __local float* pr = a + r * n;
          float top = -INFINITY;
          for (int c = 0; c < n; c++) {
            top = fmax(top, pr[c] + b[c]);
          }
          float sum = 0.0f;
          for (int c = 0; c < n; c++) {
            const float ex = exp_cl(pr[c] + b[c] - top);
            pr[c] = ex;
            sum += ex;
          }
          for (int c = 0; c < n; c++) {
            pr[c] = pr[c] / sum;
          }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
      }
      in = a;
      a += rows * n;
      at += k * n + n;
    }
    // loss and correct count of this forward pass   (mse_loss | xent_loss, count_correct; slot 0)
    if (stats && e == epochs - 1) {
      const int count = rows * outputs;
      for (int lane = lid; lane < REDUCE_GROUP; lane += size) {
        float sum = 0.0f;
        for (int i = lane; i < count; i += REDUCE_GROUP) {
          if (cross_entropy) {
            if (ly[i] != 0.0f) {
              sum -= ly[i] * log(fmax(output[i], FLT_MIN));
            }
          } else {
            const float error = output[i] - ly[i];
            sum += 0.5f * (error * error);
          }
        }
        partial[lane] = sum;
      }
      const float total = tree_sum(partial);
      if (lid == 0) {
        loss[0] = cross_entropy ? total / (float) rows : total / (float) count;
      }
      for (int lane = lid; lane < REDUCE_GROUP; lane += size) {
        float hits = 0.0f;
        for (int r = lane; r < rows; r += REDUCE_GROUP) {
          __local const float* ar = output + r * outputs;
          __local const float* yr = ly + r * outputs;
          if (outputs == 1) {
            hits += ((ar[0] >= 0.5f) == (yr[0] >= 0.5f)) ? 1.0f : 0.0f;
          } else {
            int best_a = 0;
            int best_y = 0;
            for (int c = 1; c < outputs; c++) {
              if (ar[c] > ar[best_a]) best_a = c;
              if (yr[c] > yr[best_y]) best_y = c;
            }
            hits += best_a == best_y ? 1.0f : 0.0f;
          }
        }
        partial[lane] = hits;
      }
      const float hit_total = tree_sum(partial);
      if (lid == 0) {
        correct[0] = hit_total;
      }
    }
    // the output layer's delta   (mse_delta | xent_delta)
    for (int i = lid; i < rows * outputs; i += size) {
      if (cross_entropy) {
        delta[i] = output[i] - ly[i];
      } else {
        const float error = output[i] - ly[i];
        delta[i] = error * slope(activations[layers - 1], output[i]);
      }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const float correction1 = optimizer == OPT_ADAM || optimizer == OPT_ADAMW ? corrections[2 * e] : 1.0f;
    const float correction2 = optimizer == OPT_ADAM || optimizer == OPT_ADAMW ? corrections[2 * e + 1] : 1.0f;
    a = la + activation_floats;
    for (int l = layers - 1; l >= 0; l--) {
      const int k = widths[l];
      const int n = widths[l + 1];
      at -= k * n + n;
      a -= rows * n;
      __local float* w = lp + at; // then its biases, at w + k * n
      __local const float* below = l == 0 ? lx : a - rows * k;
      // the delta passed down, from the weights before their update   (matmul_transpose_b_delta)
      if (l > 0) {
        const int act = activations[l - 1];
        for (int i = lid; i < rows * k; i += size) {
          const int r = i / k;
          const int j = i - r * k;
          float sum = 0.0f;
          for (int p = 0; p < n; p++) {
            sum = fma(delta[r * n + p], w[j * n + p], sum);
          }
          delta_other[i] = (1.0f * sum) * slope(act, below[i]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
      }
      // dW = scale · belowᵀ·delta, db = scale · Σ_rows delta, each element then updated   (matmul_transpose_a,
      // column_sum, sgd_update | momentum_update | adam_update; biases without weight decay)
      for (int i = lid; i < k * n + n; i += size) {
        float dw;
        float decay;
        if (i < k * n) {
          const int row = i / n;
          const int col = i - row * n;
          float sum = 0.0f;
          for (int r = 0; r < rows; r++) {
            sum = fma(below[r * k + row], delta[r * n + col], sum);
          }
          dw = scale * sum;
          decay = weight_decay;
        } else {
          const int col = i - k * n;
          float sum = 0.0f;
          for (int r = 0; r < rows; r++) {
            sum += delta[r * n + col];
          }
          dw = scale * sum;
          decay = 0.0f;
        }
        update_one(optimizer, learning_rate, momentum, beta1, beta2, epsilon, decay, correction1, correction2, dw,
                   w + i, ls + at + i, parameters);
      }
      barrier(CLK_LOCAL_MEM_FENCE);
      __local float* swap = delta;
      delta = delta_other;
      delta_other = swap;
    }
  }
  store_global(params, lp, parameters);
  store_global(state, ls, states * parameters);
}

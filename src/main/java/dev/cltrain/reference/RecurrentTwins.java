package dev.cltrain.reference;

/**
 * The twins of kernels/recurrent.cl (recurrent layers and embeddings): each the loop the kernel's work-items run,
 * in the same float operations in the same order, so the bits agree. Within one launch a work-item reads only
 * what earlier launches wrote (the state before the step, the next step's gradients) and writes its own
 * elements, so the loops' order changes no bits.
 */
abstract class RecurrentTwins extends SmallNetTwin {
  private static final int SIGMOID = 1;
  private static final int TANH = 2;

  RecurrentTwins(MatmulRows loops, UpdateLoops updates) {
    super(loops, updates);
  }

  @Override
  public void sequenceLengths(int rows, int steps, float[] ids, float[] lengths) {
    for (int n = 0; n < rows; n++) {
      int length = steps;
      for (int t = steps - 1; t >= 0; t--) {
        if (ids[n * steps + t] == 0.0f) {
          length = t;
        }
      }
      lengths[n] = (float) length;
    }
  }

  @Override
  public void lstmStep(int rows, int steps, int hidden, int t, int sequence, float[] inputBias,
      float[] recurrentBias, float[] lengths, float[] product, float[] gates, float[] cells, float[] states,
      float[] state, float[] out) {
    overUnits(rows, steps, hidden, t, 4, lengths, (n, j, at, gate, valid) -> {
      float c;
      float h;
      if (!valid) {
        c = t > 0 ? cells[(at - 1) * hidden + j] : 0.0f;
        h = t > 0 ? states[at * hidden + j] : 0.0f;
        zero(gates, gate, 4, hidden, j);
      } else {
        float[] a = new float[4];
        for (int g = 0; g < 4; g++) {
          int row = g * hidden + j;
          a[g] = gates[gate + row] + inputBias[row] + (t > 0 ? product[n * 4 * hidden + row] : 0.0f)
              + recurrentBias[row];
        }
        float i = activate(SIGMOID, a[0]);
        float f = activate(SIGMOID, a[1]);
        float g = tanhCl(a[2]);
        float o = activate(SIGMOID, a[3]);
        float cp = t > 0 ? cells[(at - 1) * hidden + j] : 0.0f;
        c = f * cp + i * g;
        h = o * tanhCl(c);
        gates[gate + j] = i;
        gates[gate + hidden + j] = f;
        gates[gate + 2 * hidden + j] = g;
        gates[gate + 3 * hidden + j] = o;
      }
      cells[at * hidden + j] = c;
      finish(steps, hidden, t, sequence, n, j, at, valid, h, states, state, out);
    });
  }

  /** One unit's work in a step: row n, unit j, its position {@code at} and its gates' first index {@code gate}. */
  @FunctionalInterface
  private interface Unit {
    void run(int n, int j, int at, int gate, boolean valid);
  }

  /**
   * The frame every step kernel shares: for each row n its position at = n·T + t, its gates' first index and
   * whether step t is within the row's length, then {@code unit} for each of its {@code hidden} units in order.
   */
  private void overUnits(int rows, int steps, int hidden, int t, int cellGates, float[] lengths, Unit unit) {
    overSamples(rows, (long) cellGates * hidden, n -> {
      int at = n * steps + t;
      int gate = at * cellGates * hidden;
      boolean valid = t < (int) lengths[n];
      for (int j = 0; j < hidden; j++) {
        unit.run(n, j, at, gate, valid);
      }
    });
  }

  /** A masked step's zeros: unit j of each of the {@code cellGates} gates from {@code gate} on. */
  private static void zero(float[] buffer, int gate, int cellGates, int hidden, int j) {
    for (int g = 0; g < cellGates; g++) {
      buffer[gate + g * hidden + j] = 0.0f;
    }
  }

  /** The step's writes both cells share: h_{t−1} of step 0 (0), h for step t + 1, and the output. */
  private static void finish(int steps, int hidden, int t, int sequence, int n, int j, int at, boolean valid,
      float h, float[] states, float[] state, float[] out) {
    state[n * hidden + j] = h;
    if (t == 0) {
      states[at * hidden + j] = 0.0f;
    }
    if (t + 1 < steps) {
      states[(at + 1) * hidden + j] = h;
    }
    if (sequence != 0) {
      out[at * hidden + j] = valid ? h : 0.0f;
    } else if (t == steps - 1) {
      out[n * hidden + j] = h;
    }
  }

  /** dh of step t: step t + 1's d(rec)·W_hh (the matmul's), the carry, the output's gradient. */
  private static float stateGradient(int steps, int hidden, int t, int sequence, float[] stateGradient, float[] dy,
      float[] carry, int n, int j, int at, boolean valid) {
    boolean last = t == steps - 1;
    float rec = last ? 0.0f : stateGradient[n * hidden + j];
    float outGradient = sequence != 0 ? (valid ? dy[at * hidden + j] : 0.0f) : (last ? dy[n * hidden + j] : 0.0f);
    return rec + (last ? 0.0f : carry[n * hidden + j]) + outGradient;
  }

  @Override
  public void lstmStepBackward(int rows, int steps, int hidden, int t, int sequence, float[] lengths,
      float[] cells, float[] dy, float[] stateGradient, float[] gates, float[] dcell, float[] carry,
      float[] stepGradients) {
    int width = 4 * hidden;
    overUnits(rows, steps, hidden, t, 4, lengths, (n, j, at, gate, valid) -> {
      int id = n * hidden + j;
      float dh = stateGradient(steps, hidden, t, sequence, stateGradient, dy, carry, n, j, at, valid);
      float dc = t == steps - 1 ? 0.0f : dcell[id];
      if (!valid) {
        zero(gates, gate, 4, hidden, j);
        zero(stepGradients, n * width, 4, hidden, j);
        carry[id] = dh;
        dcell[id] = dc;
        return;
      }
      float i = gates[gate + j];
      float f = gates[gate + hidden + j];
      float g = gates[gate + 2 * hidden + j];
      float o = gates[gate + 3 * hidden + j];
      float tc = tanhCl(cells[at * hidden + j]);
      float cp = t > 0 ? cells[(at - 1) * hidden + j] : 0.0f;
      float dct = dc + dh * o * slope(TANH, tc);
      float[] d = {dct * g * slope(SIGMOID, i), dct * cp * slope(SIGMOID, f), dct * i * slope(TANH, g),
          dh * tc * slope(SIGMOID, o)};
      for (int q = 0; q < 4; q++) {
        gates[gate + q * hidden + j] = d[q];
        stepGradients[n * width + q * hidden + j] = d[q];
      }
      dcell[id] = dct * f;
      carry[id] = 0.0f;
    });
  }

  @Override
  public void gruStep(int rows, int steps, int hidden, int t, int sequence, float[] inputBias,
      float[] recurrentBias, float[] lengths, float[] product, float[] gates, float[] news, float[] states,
      float[] state, float[] out) {
    overUnits(rows, steps, hidden, t, 3, lengths, (n, j, at, gate, valid) -> {
      float hp = t > 0 ? states[at * hidden + j] : 0.0f;
      float h;
      if (!valid) {
        h = hp;
        zero(gates, gate, 3, hidden, j);
        news[at * hidden + j] = 0.0f;
      } else {
        float[] rec = new float[3];
        for (int g = 0; g < 3; g++) {
          int row = g * hidden + j;
          rec[g] = (t > 0 ? product[n * 3 * hidden + row] : 0.0f) + recurrentBias[row];
        }
        float r = activate(SIGMOID, gates[gate + j] + inputBias[j] + rec[0]);
        float z = activate(SIGMOID, gates[gate + hidden + j] + inputBias[hidden + j] + rec[1]);
        float nn = tanhCl(gates[gate + 2 * hidden + j] + inputBias[2 * hidden + j] + r * rec[2]);
        h = (1.0f - z) * nn + z * hp;
        gates[gate + j] = r;
        gates[gate + hidden + j] = z;
        gates[gate + 2 * hidden + j] = nn;
        news[at * hidden + j] = rec[2];
      }
      finish(steps, hidden, t, sequence, n, j, at, valid, h, states, state, out);
    });
  }

  @Override
  public void gruStepBackward(int rows, int steps, int hidden, int t, int sequence, float[] lengths,
      float[] news, float[] states, float[] dy, float[] stateGradient, float[] gates, float[] hgates, float[] carry,
      float[] stepGradients) {
    int width = 3 * hidden;
    overUnits(rows, steps, hidden, t, 3, lengths, (n, j, at, gate, valid) -> {
      int id = n * hidden + j;
      float dh = stateGradient(steps, hidden, t, sequence, stateGradient, dy, carry, n, j, at, valid);
      if (!valid) {
        zero(gates, gate, 3, hidden, j);
        zero(hgates, gate, 3, hidden, j);
        zero(stepGradients, n * width, 3, hidden, j);
        carry[id] = dh;
        return;
      }
      float r = gates[gate + j];
      float z = gates[gate + hidden + j];
      float nn = gates[gate + 2 * hidden + j];
      float hp = t > 0 ? states[at * hidden + j] : 0.0f;
      float dan = dh * (1.0f - z) * slope(TANH, nn);
      float dar = dan * news[at * hidden + j] * slope(SIGMOID, r);
      float daz = dh * (hp - nn) * slope(SIGMOID, z);
      gates[gate + j] = dar;
      gates[gate + hidden + j] = daz;
      gates[gate + 2 * hidden + j] = dan;
      hgates[gate + j] = dar;
      hgates[gate + hidden + j] = daz;
      hgates[gate + 2 * hidden + j] = dan * r;
      stepGradients[n * width + j] = dar;
      stepGradients[n * width + hidden + j] = daz;
      stepGradients[n * width + 2 * hidden + j] = dan * r;
      carry[id] = dh * z;
    });
  }

  @Override
  public void embeddingForward(int rows, int steps, int vocabulary, int dims, float[] ids, float[] weights,
      float[] out) {
    for (int p = 0; p < rows * steps; p++) {
      int v = (int) ids[p];
      for (int d = 0; d < dims; d++) {
        out[p * dims + d] = v > 0 && v < vocabulary ? weights[v * dims + d] : 0.0f;
      }
    }
  }

  @Override
  public void embeddingBackward(int positions, int vocabulary, int dims, float scale, float[] ids, float[] dy,
      float[] dw) {
    java.util.Arrays.fill(dw, 0, vocabulary * dims, 0.0f);
    for (int p = 0; p < positions; p++) {
      int v = (int) ids[p];
      if (v > 0 && v < vocabulary) {
        for (int d = 0; d < dims; d++) {
          dw[v * dims + d] += dy[p * dims + d];
        }
      }
    }
    for (int i = dims; i < vocabulary * dims; i++) {
      dw[i] = scale * dw[i];
    }
  }
}

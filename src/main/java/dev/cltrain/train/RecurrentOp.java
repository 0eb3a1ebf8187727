package dev.cltrain.train;

import dev.cltrain.backend.Backend;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Recurrent;
import java.util.Arrays;
import java.util.List;

/**
 * A recurrent layer's op (LSTM or GRU, G gates per unit), kernels/recurrent.cl; n = rows · T positions.
 * <pre>
 * forward   gates = x·W_ihᵀ (n × G·H), every step at once                      matmul_transpose_b
 *           per step t = 0 … T − 1: product = h_{t−1}·W_hhᵀ (t &gt; 0)         matmul_transpose_b
 *                                   the gates and the cell, h_t                lstm_step | gru_step
 * backward  per step t = T − 1 … 0: d(gates) through time                     lstm_step_backward | gru_step_backward
 *                                   d(rec)_t·W_hh for step t − 1 (t &gt; 0)    matmul
 *           dW_ih = d(gates)ᵀ·x / rows;  dW_hh = d(rec)ᵀ·h_prev / rows         matmul_transpose_a
 *           db_ih = Σ d(gates) / rows;   db_hh = Σ d(rec) / rows               column_sum
 *           g_in = d(gates)·W_ih  (not first)                                 matmul
 * </pre>
 * d(rec), the gradient of the recurrent pre-activations, is d(gates) for an LSTM and GRU's hgates (n's times r).
 * Its steps are masked by the row lengths {@link #maskWith} gives (an embedding's), else every step counts.
 * The step kernels do only elementwise work: the recurrent products run as the tuned matmuls, on two rows-sized
 * buffers, {@link #product} and {@link #state}, that hold one step's operand and product.
 */
final class RecurrentOp<B> implements LayerOp<B> {
  private final Backend<B, ?> backend;
  private final Recurrent r;
  private final boolean lstm;
  private final B inputWeights;
  private final B recurrentWeights;
  private final B inputBias;
  private final B recurrentBias;
  /** rows · T · G·H: the input projection, then the gates, then (backward) their gradients. */
  private final B gates;
  /** rows · T · H: LSTM's cells c_t, GRU's W_hn·h + b_hn. */
  private final B second;
  /** rows · T · H: the state each step reads, h_{t−1}. */
  private final B states;
  private final B out;
  /** rows · G·H: forward h_{t−1}·W_hhᵀ; backward step t's d(rec), the operand of d(rec)·W_hh. */
  private final B product;
  /** rows · H: forward h_t, the operand of the next step's product; backward d(rec)_{t+1}·W_hh. */
  private final B state;
  /** The rows' lengths: T each, or an embedding's ({@link #maskWith}). */
  private B lengths;
  /** Training only: the parameters' gradients, LSTM's dcell, the carry (rows · H) and GRU's hgates. */
  private final B inputWeightGradient;
  private final B recurrentWeightGradient;
  private final B inputBiasGradient;
  private final B recurrentBiasGradient;
  private final B dcell;
  private final B carry;
  private final B hgates;
  private final long floats;

  RecurrentOp(Backend<B, ?> backend, Recurrent r, int capacity, boolean training) {
    this.backend = backend;
    this.r = r;
    this.lstm = r.cell() == Recurrent.Cell.LSTM;
    this.inputWeights = backend.upload(r.inputWeights());
    this.recurrentWeights = backend.upload(r.recurrentWeights());
    this.inputBias = backend.upload(r.inputBias());
    this.recurrentBias = backend.upload(r.recurrentBias());
    int positions = capacity * r.steps();
    this.gates = backend.allocate(positions * r.gateRows());
    this.second = backend.allocate(positions * r.hidden());
    this.states = backend.allocate(positions * r.hidden());
    this.out = backend.allocate(capacity * r.output().size());
    this.product = backend.allocate(capacity * r.gateRows());
    this.state = backend.allocate(capacity * r.hidden());
    float[] all = new float[capacity];
    Arrays.fill(all, r.steps());
    this.lengths = backend.upload(all);
    this.inputWeightGradient = training ? backend.allocate(r.gateRows() * r.features()) : null;
    this.recurrentWeightGradient = training ? backend.allocate(r.gateRows() * r.hidden()) : null;
    this.inputBiasGradient = training ? backend.allocate(r.gateRows()) : null;
    this.recurrentBiasGradient = training ? backend.allocate(r.gateRows()) : null;
    this.dcell = training && lstm ? backend.allocate(capacity * r.hidden()) : null;
    this.carry = training ? backend.allocate(capacity * r.hidden()) : null;
    this.hgates = training && !lstm ? backend.allocate(positions * r.gateRows()) : null;
    this.floats = floats(r, capacity, training);
  }

  /**
   * {@return floats the op of {@code r} allocates: parameters, gates, the second and state buffers, output,
   * product and state, lengths; training: the gradients, carry (and LSTM's dcell, GRU's hgates)}
   */
  static long floats(Recurrent r, long capacity, boolean training) {
    long positions = capacity * r.steps();
    long forward = r.parameterCount() + positions * r.gateRows() + 2 * positions * r.hidden()
        + capacity * r.output().size() + capacity * (r.gateRows() + r.hidden()) + capacity;
    boolean lstm = r.cell() == Recurrent.Cell.LSTM;
    return forward + (training ? r.parameterCount() + capacity * r.hidden() * (lstm ? 2 : 1)
        + (lstm ? 0 : positions * r.gateRows()) : 0);
  }

  /** {@return the op's largest buffer for {@code capacity} rows: the gates (or the output, or an input)} */
  static long largestBuffer(Recurrent r, long capacity) {
    return Math.max(capacity * r.steps() * r.gateRows(), Math.max(capacity * r.output().size(),
        (long) r.gateRows() * Math.max(r.features(), r.hidden())));
  }

  /**
   * Masks the steps from here on: a step at or past a row's length (an embedding's, computed by its forward pass
   * before this op's) carries the state and gives 0 in a sequence output.
   *
   * @param rowLengths the rows' lengths, one float per row
   */
  void maskWith(B rowLengths) {
    this.lengths = rowLengths;
  }

  @Override
  public B forward(B in, int rows, long step) {
    int steps = r.steps();
    int hidden = r.hidden();
    int sequence = r.sequence() ? 1 : 0;
    backend.matmulTransposeB(rows * steps, r.gateRows(), r.features(), 1.0f, in, inputWeights, gates);
    for (int t = 0; t < steps; t++) {
      if (t > 0) {
        backend.matmulTransposeB(rows, r.gateRows(), hidden, 1.0f, state, recurrentWeights, product);
      }
      if (lstm) {
        backend.lstmStep(rows, steps, hidden, t, sequence, inputBias, recurrentBias, lengths, product, gates, second,
            states, state, out);
      } else {
        backend.gruStep(rows, steps, hidden, t, sequence, inputBias, recurrentBias, lengths, product, gates, second,
            states, state, out);
      }
    }
    return out;
  }

  @Override
  public void backward(int rows, long step, float perSample, B in, B g, B gIn) {
    int steps = r.steps();
    int hidden = r.hidden();
    int sequence = r.sequence() ? 1 : 0;
    for (int t = steps - 1; t >= 0; t--) {
      if (lstm) {
        backend.lstmStepBackward(rows, steps, hidden, t, sequence, lengths, second, g, state, gates, dcell, carry,
            product);
      } else {
        backend.gruStepBackward(rows, steps, hidden, t, sequence, lengths, second, states, g, state, gates, hgates,
            carry, product);
      }
      if (t > 0) {
        backend.matmul(rows, hidden, r.gateRows(), 1.0f, product, recurrentWeights, state);
      }
    }
    int positions = rows * steps;
    B rec = lstm ? gates : hgates;
    backend.matmulTransposeA(r.gateRows(), r.features(), positions, perSample, gates, in, inputWeightGradient);
    backend.matmulTransposeA(r.gateRows(), hidden, positions, perSample, rec, states, recurrentWeightGradient);
    backend.columnSum(positions, r.gateRows(), perSample, gates, inputBiasGradient);
    backend.columnSum(positions, r.gateRows(), perSample, rec, recurrentBiasGradient);
    if (gIn != null) {
      backend.matmul(positions, r.features(), r.gateRows(), 1.0f, gates, inputWeights, gIn);
    }
  }

  @Override
  public List<B> parameters() {
    return List.of(inputWeights, recurrentWeights, inputBias, recurrentBias);
  }

  @Override
  public List<B> gradients() {
    return inputWeightGradient == null ? List.of()
        : List.of(inputWeightGradient, recurrentWeightGradient, inputBiasGradient, recurrentBiasGradient);
  }

  /** W_ih and W_hh decayed, the biases not (as a dense layer's). */
  @Override
  public void addParameters(ParameterTable<B> table) {
    table.add(r.gateRows() * r.features(), true, inputWeights, inputWeightGradient, true);
    table.add(r.gateRows() * r.hidden(), true, recurrentWeights, recurrentWeightGradient, false);
    table.add(r.gateRows(), false, inputBias, inputBiasGradient, false);
    table.add(r.gateRows(), false, recurrentBias, recurrentBiasGradient, false);
  }

  @Override
  public long floats() {
    return floats;
  }

  @Override
  public Layer current() {
    return LayerOps.current(backend, r, parameters());
  }
}

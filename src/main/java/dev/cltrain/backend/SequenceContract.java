package dev.cltrain.backend;

/**
 * The kernel contract's part for sequence1d.cl and recurrent.cl: 1-D convolution and pooling over steps, the
 * recurrent layers' steps (LSTM, GRU) and embeddings. One method per kernel of those files, written and documented
 * as {@link Kernels} says (it extends this interface, as it does every family's); a kernel added to one of them
 * gets its method here.
 *
 * @param <B> a float buffer, as {@link Kernels}'
 * @param <I> an int buffer, as {@link Kernels}'
 */
public interface SequenceContract<B, I> extends KernelLauncher {
  /**
   * sequence1d.cl: col(rows·outSteps, kernelSize·features) = each output step's window of kernelSize input steps
   * (zeros where the window reaches into the padding): the patches of a 1-D convolution over T×1×F samples.
   *
   * @param rows samples
   * @param steps T, the input's steps
   * @param features F, the input's features per step
   * @param kernelSize k, the window's steps (OpenCL C reserves the word kernel)
   * @param stride s
   * @param padLeft zero steps before the input
   * @param outSteps output steps
   * @param x the input, rows × steps·features
   * @param col receives the windows, rows·outSteps × kernelSize·features
   */
  default void im2col1d(int rows, int steps, int features, int kernelSize, int stride, int padLeft, int outSteps,
      B x, B col) {
    launch("im2col1d", Range.items((long) rows * outSteps), rows, steps, features, kernelSize, stride, padLeft,
        outSteps, x, col);
  }

  /**
   * sequence1d.cl: dx = the sum of every window value's gradient back at the input step it was read from (the
   * adjoint of {@link #im2col1d}), each element's contributions in ascending k; 0 where no window reads.
   *
   * @param rows samples
   * @param steps T, the input's steps
   * @param features F, the input's features per step
   * @param kernelSize k, the window's steps
   * @param stride s
   * @param padLeft zero steps before the input
   * @param outSteps output steps
   * @param col the windows' gradient, rows·outSteps × kernelSize·features
   * @param dx receives the input's gradient, rows × steps·features (overwritten)
   */
  default void col2im1d(int rows, int steps, int features, int kernelSize, int stride, int padLeft, int outSteps,
      B col, B dx) {
    launch("col2im1d", Range.items((long) rows * steps), rows, steps, features, kernelSize, stride, padLeft,
        outSteps, col, dx);
  }

  /**
   * sequence1d.cl: y = the maximum of each window of pool steps (stride pool; the steps past the last whole
   * window are left out), per feature, the first maximum kept.
   *
   * @param rows samples
   * @param steps T, the input's steps
   * @param features F, features per step
   * @param pool P, the window's steps and the stride
   * @param x the input, rows × steps·features
   * @param y receives rows × (steps / pool)·features
   */
  default void maxPool1d(int rows, int steps, int features, int pool, B x, B y) {
    launch("max_pool1d", Range.items((long) rows * (steps / pool)), rows, steps, features, pool, x, y);
  }

  /**
   * sequence1d.cl: dx = dy at each window's first maximum (as {@link #maxPool1d} finds it), else 0; every dx
   * element written.
   *
   * @param rows samples
   * @param steps T, the input's steps
   * @param features F, features per step
   * @param pool P, the window's steps and the stride
   * @param x the forward pass's input
   * @param dy the output's gradient, rows × (steps / pool)·features
   * @param dx receives the input's gradient, rows × steps·features (overwritten)
   */
  default void maxPool1dBackward(int rows, int steps, int features, int pool, B x, B dy, B dx) {
    launch("max_pool1d_backward", Range.items((long) rows * steps), rows, steps, features, pool, x, dy, dx);
  }

  /**
   * recurrent.cl: lengths(n) = the index of the first 0 id of row n (padding), else steps.
   *
   * @param rows samples
   * @param steps ids per row
   * @param ids the rows' token ids, rows × steps
   * @param lengths receives each row's length, as a float
   */
  default void sequenceLengths(int rows, int steps, B ids, B lengths) {
    launch("sequence_lengths", Range.items(rows), rows, steps, ids, lengths);
  }

  /**
   * recurrent.cl: one LSTM step t of every row: a = gates + b_ih + product + b_hh per gate (i, f, g, o), product
   * being h_{t−1}·W_hhᵀ (a matmul before the step); c = σ(a_f)·c_{t−1} + σ(a_i)·tanh(a_g), h = σ(a_o)·tanh(c); a
   * step at or past the row's length carries c and h.
   *
   * @param rows samples
   * @param steps T
   * @param hidden H
   * @param t the step, 0 to T − 1 (the steps before it done)
   * @param sequence 1: out holds every step's h (0 past the length), 0: the last step's
   * @param inputBias b_ih, 4H
   * @param recurrentBias b_hh, 4H
   * @param lengths each row's length (float)
   * @param product rows × 4H: h_{t−1}·W_hhᵀ (read at t &gt; 0 only; the state is 0 before step 0)
   * @param gates rows × T × 4H: x·W_ihᵀ in; step t's slice gets the activated gates (0 past the length)
   * @param cells rows × T × H: receives c_t
   * @param states rows × T × H: h_{t−1} per step; receives h_t at step t + 1 (and 0 at step 0)
   * @param state rows × H: receives h_t, the next step's product operand
   * @param out receives h: rows × T × H with sequence, else rows × H at the last step
   */
  default void lstmStep(int rows, int steps, int hidden, int t, int sequence, B inputBias, B recurrentBias,
      B lengths, B product, B gates, B cells, B states, B state, B out) {
    launch("lstm_step", Range.grid(hidden, rows), rows, steps, hidden, t, sequence, inputBias,
        recurrentBias, lengths, product, gates, cells, states, state, out);
  }

  /**
   * recurrent.cl: backpropagation through LSTM step t (run from T − 1 down to 0): dh = stateGradient + carry +
   * dy_t, stateGradient being dgates_{t+1}·W_hh (a matmul after step t + 1); step t's gates become the gradients of
   * their pre-activations, copied to stepGradients; dcell and carry pass to step t − 1.
   *
   * @param rows samples
   * @param steps T
   * @param hidden H
   * @param t the step
   * @param sequence as the forward pass's
   * @param lengths each row's length
   * @param cells the forward pass's c
   * @param dy the output's gradient (rows × T × H with sequence, else rows × H)
   * @param stateGradient rows × H: dgates_{t+1}·W_hh (read before the last step only)
   * @param gates the forward pass's activated gates in, step t's gradients out (steps after t: gradients)
   * @param dcell rows × H: c_t's gradient in (read past the last step only), c_{t−1}'s out
   * @param carry rows × H: the state's gradient passed by a masked step, in and out
   * @param stepGradients rows × 4H: receives step t's gate gradients, the next product's operand
   */
  default void lstmStepBackward(int rows, int steps, int hidden, int t, int sequence, B lengths, B cells, B dy,
      B stateGradient, B gates, B dcell, B carry, B stepGradients) {
    launch("lstm_step_backward", Range.grid(hidden, rows), rows, steps, hidden, t, sequence, lengths,
        cells, dy, stateGradient, gates, dcell, carry, stepGradients);
  }

  /**
   * recurrent.cl: one GRU step t of every row, product being h_{t−1}·W_hhᵀ (a matmul before the step): r, z =
   * σ(gates + b_i + product + b_h), n = tanh(gates_n + b_in + r·(product_n + b_hn)), h = (1 − z)·n + z·h_{t−1}; a
   * step at or past the row's length carries h.
   *
   * @param rows samples
   * @param steps T
   * @param hidden H
   * @param t the step
   * @param sequence 1: out holds every step's h (0 past the length), 0: the last step's
   * @param inputBias b_ih, 3H
   * @param recurrentBias b_hh, 3H
   * @param lengths each row's length
   * @param product rows × 3H: h_{t−1}·W_hhᵀ (read at t &gt; 0 only)
   * @param gates rows × T × 3H: x·W_ihᵀ in; step t's slice gets r, z, n
   * @param news rows × T × H: receives W_hn·h_{t−1} + b_hn
   * @param states rows × T × H: h_{t−1} per step; receives h_t at step t + 1 (and 0 at step 0)
   * @param state rows × H: receives h_t, the next step's product operand
   * @param out receives h, as {@link #lstmStep}'s
   */
  default void gruStep(int rows, int steps, int hidden, int t, int sequence, B inputBias, B recurrentBias,
      B lengths, B product, B gates, B news, B states, B state, B out) {
    launch("gru_step", Range.grid(hidden, rows), rows, steps, hidden, t, sequence, inputBias,
        recurrentBias, lengths, product, gates, news, states, state, out);
  }

  /**
   * recurrent.cl: backpropagation through GRU step t: dh = stateGradient + carry + dy_t, stateGradient being
   * hgates_{t+1}·W_hh (a matmul after step t + 1); gates get the gradients of the input pre-activations, hgates
   * (and stepGradients) those of the recurrent ones (n's times r); carry = dh·z.
   *
   * @param rows samples
   * @param steps T
   * @param hidden H
   * @param t the step
   * @param sequence as the forward pass's
   * @param lengths each row's length
   * @param news the forward pass's W_hn·h + b_hn
   * @param states the forward pass's h_{t−1}
   * @param dy the output's gradient
   * @param stateGradient rows × H: hgates_{t+1}·W_hh (read before the last step only)
   * @param gates the forward pass's r, z, n in, step t's input-side gradients out
   * @param hgates rows × T × 3H: receives step t's recurrent-side gradients
   * @param carry rows × H: dh·z (a masked step: dh) for step t − 1, in and out
   * @param stepGradients rows × 3H: receives step t's recurrent-side gradients, the next product's operand
   */
  default void gruStepBackward(int rows, int steps, int hidden, int t, int sequence, B lengths, B news, B states,
      B dy, B stateGradient, B gates, B hgates, B carry, B stepGradients) {
    launch("gru_step_backward", Range.grid(hidden, rows), rows, steps, hidden, t, sequence, lengths, news,
        states, dy, stateGradient, gates, hgates, carry, stepGradients);
  }

  /**
   * recurrent.cl: out(n, t, d) = weights(id, d) for id = ids(n, t); 0 for id 0 (padding).
   *
   * @param rows samples
   * @param steps ids per row
   * @param vocabulary V
   * @param dims D
   * @param ids rows × steps integer ids in [0, V), as floats
   * @param weights V × D
   * @param out receives rows × steps × D
   */
  default void embeddingForward(int rows, int steps, int vocabulary, int dims, B ids, B weights, B out) {
    launch("embedding_forward", Range.items((long) rows * steps * dims), rows, steps, vocabulary, dims, ids, weights,
        out);
  }

  /**
   * recurrent.cl: dw(v, d) = scale · Σ dy(p, d) over the positions p with id v, in position order; row 0 is 0.
   *
   * @param positions rows · steps
   * @param vocabulary V
   * @param dims D
   * @param scale what the sums are scaled by (1 / batch rows)
   * @param ids the positions' ids
   * @param dy the output's gradient, positions × D
   * @param dw receives the weights' gradient, V × D (overwritten)
   */
  default void embeddingBackward(int positions, int vocabulary, int dims, float scale, B ids, B dy, B dw) {
    launch("embedding_backward", Range.items(dims), positions, vocabulary, dims, scale, ids, dy, dw);
  }
}

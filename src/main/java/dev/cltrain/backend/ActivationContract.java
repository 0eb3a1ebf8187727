package dev.cltrain.backend;

/**
 * The kernel contract's part for activation.cl and loss.cl: the activations, their derivatives, the output deltas
 * and the losses. One method per kernel of those files, written and documented as {@link Kernels} says (it extends
 * this interface, as it does every family's); a kernel added to one of them gets its method here.
 *
 * @param <B> a float buffer, as {@link Kernels}'
 * @param <I> an int buffer, as {@link Kernels}'
 */
public interface ActivationContract<B, I> extends KernelLauncher {
  /**
   * activation.cl: a(rows,cols) = f(z + bias), bias broadcast over rows; z and a may be the same buffer.
   *
   * @param rows rows of z and a
   * @param cols columns of z and a, and the length of bias
   * @param activation the activation code of f
   * @param z the pre-activations, rows×cols
   * @param bias the biases, cols
   * @param a receives the activations, rows×cols
   */
  default void biasActivation(int rows, int cols, int activation, B z, B bias, B a) {
    launch("bias_activation", Range.items((long) rows * cols), rows, cols, activation, z, bias, a);
  }

  /**
   * activation.cl: dz(count) = dz ⊙ f'(a), in place (dz holds dz_next · Wᵀ on entry).
   *
   * @param count elements of a and dz
   * @param activation the activation code of f
   * @param a the layer's output, from which f' is taken
   * @param dz the incoming gradient on entry, the layer's delta on return
   */
  default void activationDelta(int count, int activation, B a, B dz) {
    launch("activation_delta", Range.items(Kernels.lanes(count)), count, activation, a, dz);
  }

  /**
   * activation.cl: p(rows,cols) = softmax(z + bias) along each row, max subtracted first.
   *
   * @param rows rows of z and p
   * @param cols columns of z and p (the classes), and the length of bias
   * @param z the pre-activations, rows×cols
   * @param bias the biases, cols
   * @param p receives the probabilities, rows×cols, each row summing to 1
   */
  default void biasSoftmax(int rows, int cols, B z, B bias, B p) {
    launch("bias_softmax", Range.items(rows), rows, cols, z, bias, p);
  }

  /**
   * loss.cl: dz(count) = (a − y) · f'(a).
   *
   * @param count elements of a, y and dz (rows · cols)
   * @param activation the activation code of the output layer's f
   * @param a the output layer's activations
   * @param y the targets
   * @param dz receives the output layer's delta
   */
  default void mseDelta(int count, int activation, B a, B y, B dz) {
    launch("mse_delta", Range.items(count), count, activation, a, y, dz);
  }

  /**
   * loss.cl: dz(count) = p − y.
   *
   * @param count elements of p, y and dz (rows · cols)
   * @param p the softmax probabilities
   * @param y the targets (one-hot)
   * @param dz receives the output layer's delta
   */
  default void xentDelta(int count, B p, B y, B dz) {
    launch("xent_delta", Range.items(count), count, p, y, dz);
  }

  /**
   * loss.cl: loss[slot] = mean over count of ½(a − y)².
   *
   * @param count elements of a and y (rows · cols)
   * @param slot the element of loss written; every batch of an epoch has its own, read back once
   * @param a the output layer's activations
   * @param y the targets
   * @param loss receives the mean at index slot; other elements are left alone
   */
  default void mseLoss(int count, int slot, B a, B y, B loss) {
    launch("mse_loss", Range.reduceGroup(), count, slot, a, y, loss);
  }

  /**
   * loss.cl: loss[slot] = mean over rows of −Σ y·log(max(p, FLT_MIN)).
   *
   * @param rows rows of p and y
   * @param cols columns of p and y (the classes)
   * @param slot the element of loss written; every batch of an epoch has its own, read back once
   * @param p the softmax probabilities, rows×cols
   * @param y the targets, rows×cols
   * @param loss receives the mean at index slot; other elements are left alone
   */
  default void xentLoss(int rows, int cols, int slot, B p, B y, B loss) {
    launch("xent_loss", Range.reduceGroup(), rows, cols, slot, p, y, loss);
  }

  /**
   * loss.cl: correct[slot] = rows whose argmax (one column: side of 0.5) matches the target's.
   *
   * @param rows rows of a and y
   * @param cols columns of a and y; with 1, a row is correct when a and y are on the same side of 0.5
   * @param slot the element of correct written; every batch of an epoch has its own, read back once
   * @param a the predictions, rows×cols
   * @param y the targets, rows×cols
   * @param correct receives the count, as a float, at index slot; other elements are left alone
   */
  default void countCorrect(int rows, int cols, int slot, B a, B y, B correct) {
    launch("count_correct", Range.reduceGroup(), rows, cols, slot, a, y, correct);
  }
}

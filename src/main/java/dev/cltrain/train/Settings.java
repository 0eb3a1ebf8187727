package dev.cltrain.train;

import dev.cltrain.nn.Optimizer;

import dev.cltrain.nn.NumpyRandom;

/**
 * How a trainer trains, apart from the network and the data.
 *
 * @param optimizer how gradients become weight updates
 * @param batchSize rows per backprop iteration; 0, or at least the training set's rows, means the whole
 *     set in one batch (the seed's full batch, never shuffled)
 * @param shuffler  the seeded generator that reshuffles the training set every epoch (mini-batches only);
 *     each trainer takes its own copy, so a device and the reference draw the same orders
 */
public record Settings(Optimizer optimizer, int batchSize, NumpyRandom shuffler) {
  /**
   * The seed's settings: plain gradient descent at rate η on the full batch.
   *
   * @param learningRate η
   * @return sgd at that rate, full batch (the shuffler, seeded 0, is never drawn from)
   */
  public static Settings fullBatchSgd(float learningRate) {
    return new Settings(Optimizer.sgd(learningRate), 0, new NumpyRandom(0));
  }
}

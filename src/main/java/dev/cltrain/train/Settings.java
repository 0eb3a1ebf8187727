package dev.cltrain.train;

import dev.cltrain.nn.Augment;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.nn.Shape;

import dev.cltrain.nn.NumpyRandom;

/**
 * How a trainer trains, apart from the network and the data.
 *
 * @param optimizer how gradients become weight updates
 * @param batchSize rows per backprop iteration; 0, or at least the training set's rows, means the whole
 *     set in one batch (the seed's full batch, never shuffled)
 * @param shuffler  the seeded generator that reshuffles the training set every epoch (mini-batches only);
 *     each trainer takes its own copy, so a device and the reference draw the same orders
 * @param augment   the training rows' augmentation ({@code kernels/augment.cl}), or null for none
 * @param image     the training rows' image shape, which augment flips and shifts (null without augment)
 * @param frozen    the first layers of the network's layer list that are not trained (0 for none): no gradient,
 *     no optimizer step ({@link dev.cltrain.Training#freeze})
 */
public record Settings(Optimizer optimizer, int batchSize, NumpyRandom shuffler, Augment augment, Shape image,
    int frozen) {
  /**
   * Settings without augmentation.
   *
   * @param optimizer how gradients become weight updates
   * @param batchSize rows per backprop iteration (0: the whole set)
   * @param shuffler  the seeded generator of the epochs' row orders
   */
  public Settings(Optimizer optimizer, int batchSize, NumpyRandom shuffler) {
    this(optimizer, batchSize, shuffler, null, null, 0);
  }

  /**
   * Settings that train every layer.
   *
   * @param optimizer how gradients become weight updates
   * @param batchSize rows per backprop iteration (0: the whole set)
   * @param shuffler  the seeded generator of the epochs' row orders
   * @param augment   the augmentation, or null
   * @param image     the rows' image shape
   */
  public Settings(Optimizer optimizer, int batchSize, NumpyRandom shuffler, Augment augment, Shape image) {
    this(optimizer, batchSize, shuffler, augment, image, 0);
  }

  /**
   * @param optimizer how gradients become weight updates
   * @param batchSize rows per backprop iteration (0: the whole set)
   * @param shuffler  the seeded generator of the epochs' row orders
   * @param augment   the augmentation, or null
   * @param image     the rows' image shape (checked by {@link Augment#check} when augment is given)
   * @param frozen    the first layers not trained, at least 0 (the trainer checks it against the network)
   */
  public Settings {
    if (frozen < 0) {
      throw dev.cltrain.core.InputException.parameter("freeze", "must be at least 0, got " + frozen);
    }
    if (augment != null) {
      augment.check(image);
    }
  }

  /**
   * @param with the augmentation, or null
   * @param shape the rows' image shape
   * @return these settings with that augmentation
   */
  public Settings augmented(Augment with, Shape shape) {
    return new Settings(optimizer, batchSize, shuffler, with, shape, frozen);
  }

  /**
   * @param layers the first layers of the network's layer list not to train (0 for none)
   * @return these settings with those layers frozen
   */
  public Settings freezing(int layers) {
    return new Settings(optimizer, batchSize, shuffler, augment, image, layers);
  }

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

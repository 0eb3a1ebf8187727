package dev.cltrain;

import dev.cltrain.core.InputException;
import dev.cltrain.device.Device;
import dev.cltrain.device.DeviceChoice;
import dev.cltrain.device.TrainerState;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.TrainingData;
import dev.cltrain.nn.Augment;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.nn.Regularization;
import dev.cltrain.nn.Standardization;
import java.nio.file.Path;

/**
 * A training run to make: the starting network, the data and how to train. Each setter returns a new,
 * immutable {@code Training}; {@link #run()} trains and returns the result, {@link #open()} gives a
 * {@link TrainingRun} to stop from another thread (e.g. on a signal).
 *
 * <pre>{@code
 * TrainingData xor = Data.builtin("xor");
 * Network start = Network.builder(2, 4, 1).seed(0).build();
 * TrainingResult result = Training.of(start, xor)
 *     .optimizer(Optimizer.sgd(0.5f))
 *     .epochs(5000)
 *     .device(Devices.choose("auto"))
 *     .run();
 * float[] out = result.model().predict(1, 0);
 * }</pre>
 *
 * <p>Given the builder rather than the network, the run draws the weights and shuffles with one generator, as
 * {@code cltrain train} does; this saves the model that
 * {@code cltrain train --data DIR --layers 784,128,10 --activation relu --loss xent --optimizer adam
 * --batch-size 128 --epochs 5 --seed 0 --save FILE} saves, byte for byte (input scale 1/255 and class names
 * included):
 *
 * <pre>{@code
 * TrainingData fashion = Data.idx(Path.of("/usr/share/datasets/fashion-mnist"));
 * Network.Builder net = Network.builder(784, 128, 10).hidden(Activation.RELU).loss(Loss.XENT).seed(0);
 * Model model = Training.of(net, fashion).optimizer(Optimizer.adam(0.001f)).batchSize(128).epochs(5).run().model();
 * model.save(Path.of("fashion.json"));
 * }</pre>
 *
 * <p>Defaults: plain gradient descent at 0.1 (the seed's), the whole set as one batch, 1 epoch, statistics
 * every epoch, shuffling seeded with 0 (or, for {@link #of(Network.Builder, TrainingData)}, by the generator
 * that drew the weights, as {@code cltrain train --seed} does), {@code --device auto}, no verification,
 * profiling or checkpoints. The trained model records the data's input scale and class names (and any
 * {@link #standardize standardization}), as a model saved by {@code cltrain train} does.
 *
 * <p>Every bad value is refused, with an {@link InputException}, by the method it is given to.
 *
 * <p>Thread-safe: immutable.
 */
public final class Training {
  final Network initial;
  final TrainingData data;
  final Optimizer optimizer;
  final int batchSize;
  final NumpyRandom shuffler;
  final int epochs;
  final int statsEvery;
  final DeviceChoice device;
  final boolean verify;
  final boolean profile;
  final boolean finalOutputs;
  final Path checkpoint;
  final int checkpointEvery;
  final ObjectNode checkpointOptions;
  final TrainerState resume;
  final EpochListener listener;
  final LearningRateSchedule schedule;
  final EarlyStopping earlyStopping;
  /** The training rows' augmentation, or null for none. */
  final Augment augment;
  /** The first layers not trained ({@link #freeze}), 0 for none. */
  final int frozen;
  /** The outputs of the new head the initial network has ({@link #newHead}), 0 for none. */
  final int newHead;

  private Training(Network initial, TrainingData data, Optimizer optimizer, int batchSize, NumpyRandom shuffler,
      int epochs, int statsEvery, DeviceChoice device, boolean verify, boolean profile, boolean finalOutputs,
      Path checkpoint, int checkpointEvery, ObjectNode checkpointOptions, TrainerState resume,
      EpochListener listener, LearningRateSchedule schedule, EarlyStopping earlyStopping, Augment augment, int frozen,
      int newHead) {
    this.augment = augment;
    this.frozen = frozen;
    this.newHead = newHead;
    this.schedule = schedule;
    this.earlyStopping = earlyStopping;
    this.initial = initial;
    this.data = data;
    this.optimizer = optimizer;
    this.batchSize = batchSize;
    this.shuffler = shuffler;
    this.epochs = epochs;
    this.statsEvery = statsEvery;
    this.device = device;
    this.verify = verify;
    this.profile = profile;
    this.finalOutputs = finalOutputs;
    this.checkpoint = checkpoint;
    this.checkpointEvery = checkpointEvery;
    this.checkpointOptions = checkpointOptions;
    this.resume = resume;
    this.listener = listener;
  }

  /**
   * A run that trains {@code initial} on {@code data}'s training set (its test set and validation split are
   * evaluated alongside). What the data says of its inputs goes into the network, and so into the trained
   * model, exactly as {@code cltrain train} records it (the same code): the input scale (1/255 for IDX
   * pixels, so that {@link Model#predict} takes raw pixels), the class names, and the network's own
   * standardization applied to every set (a network loaded from a model trained with {@code --standardize}).
   *
   * <p>Shuffling uses a generator of its own, {@link #seed} (default 0), as {@code cltrain train --init-model}
   * does; {@link #of(Network.Builder, TrainingData)} draws the weights and shuffles with one generator, as
   * {@code cltrain train --seed} does.
   *
   * @param initial the network before the first epoch; its widths must fit the data's inputs and outputs, and
   *                its input scale be 1 (taken from the data) or the data's
   * @param data    the data, e.g. from {@link Data}
   * @return a run with the defaults above
   * @throws InputException when the network does not fit the data
   */
  public static Training of(Network initial, TrainingData data) {
    InputException.require(initial, "the initial network");
    InputException.require(data, "the training data");
    Network network = ModelRecord.start(initial, data);
    TrainingData seen = network.standardization() == null ? data : data.standardized(network.standardization());
    return new Training(network, seen, Optimizer.sgd(0.1f), 0, new NumpyRandom(0), 1, 1, null, false, false,
        false, null, 0, null, null, null, LearningRateSchedule.CONSTANT, null, null, 0, 0);
  }

  /**
   * A run whose initial weights are drawn by {@code builder} from {@code np.random.seed(builder's seed)}, and
   * whose mini-batches are then shuffled by the same generator, going on where the draws ended, as NumPy's one
   * global generator would: what {@code cltrain train --seed S} does, so that the same seed, layers and options
   * give the same model, bit for bit, from either entry point. {@link #seed} or {@link #shuffleWith} afterwards
   * replace the shuffling generator.
   *
   * @param builder the network to draw, e.g. {@code Network.builder(784, 128, 10).hidden(Activation.RELU)
   *                .loss(Loss.XENT).seed(0)}
   * @param data    the data
   * @return a run with the defaults of {@link #of(Network, TrainingData)}, shuffling with the generator that drew
   *     the weights
   * @throws InputException when the network does not fit the data
   */
  public static Training of(Network.Builder builder, TrainingData data) {
    InputException.require(builder, "the network builder");
    NumpyRandom random = builder.generator();
    return of(builder.build(random), data).shuffleWith(random);
  }

  /**
   * Standardizes each input column with the training rows' mean and standard deviation, as
   * {@code cltrain train --standardize}: every set is standardized for training, and the model keeps the
   * standardization and applies it to raw inputs in {@link Model#predict}, eval and predict. A network that has
   * one already (a model trained so) keeps its own, which {@link #of} applied.
   *
   * @return this run on standardized inputs
   */
  public Training standardize() {
    if (initial.standardization() != null) {
      return this;
    }
    DataSet train = data.train();
    Standardization st = train.standardization();
    return new Training(initial.withStandardization(st), data.standardized(st), optimizer, batchSize, shuffler,
        epochs, statsEvery, device, verify, profile, finalOutputs, checkpoint, checkpointEvery, checkpointOptions,
        resume, listener, schedule, earlyStopping, augment, frozen, newHead);
  }

  private Training copy(Optimizer optimizer, int batchSize, NumpyRandom shuffler, int epochs, int statsEvery,
      DeviceChoice device, boolean verify, boolean profile, boolean finalOutputs, Path checkpoint,
      int checkpointEvery, ObjectNode checkpointOptions, TrainerState resume, EpochListener listener) {
    return new Training(initial, data, optimizer, batchSize, shuffler, epochs, statsEvery, device, verify, profile,
        finalOutputs, checkpoint, checkpointEvery, checkpointOptions, resume, listener, schedule, earlyStopping,
        augment, frozen, newHead);
  }

  /**
   * @param optimizer the update rule and its hyper-parameters, e.g. {@link Optimizer#adam(float)}
   * @return this run with that optimizer
   */
  public Training optimizer(Optimizer optimizer) {
    return copy(InputException.require(optimizer, "the optimizer"), batchSize, shuffler, epochs, statsEvery, device, verify, profile,
        finalOutputs, checkpoint, checkpointEvery, checkpointOptions, resume, listener);
  }

  /**
   * The optimizer's weight decay λ: L2 added to the weights' gradients for sgd, momentum and adam
   * ({@code --weight-decay}), the decoupled factor w·(1 − ηλ) for adamw. Biases do not decay unless
   * {@link #decayAll}. It changes the optimizer already set, so call it after {@link #optimizer}:
   * <pre>{@code
   * Training run = Training.of(Network.builder(2, 4, 1).build(), Data.builtin("xor"))
   *     .optimizer(Optimizer.adam(0.001f)).weightDecay(1e-4f);
   * }</pre>
   *
   * @param lambda λ, finite and at least 0
   * @return this run with that weight decay
   * @throws InputException when λ is negative or not finite
   */
  public Training weightDecay(float lambda) {
    return optimizer(optimizer.withWeightDecay(lambda));
  }

  /**
   * Whether weight decay reaches biases too ({@code --decay-all}); by default only weights decay. Call it after
   * {@link #optimizer} and {@link #weightDecay}:
   * <pre>{@code
   * Training run = Training.of(Network.builder(2, 4, 1).build(), Data.builtin("xor"))
   *     .optimizer(Optimizer.adamw(0.001f, 0.01f)).decayAll(true);
   * }</pre>
   *
   * @param on true to decay every parameter
   * @return this run with that choice
   * @throws InputException when {@code on} and the optimizer has no weight decay
   */
  public Training decayAll(boolean on) {
    Regularization r = optimizer.regularization();
    return optimizer(optimizer.withRegularization(new Regularization(on, r.clipNorm(), r.labelSmoothing())));
  }

  /**
   * Gradient clipping by global norm ({@code --clip-norm}, torch.nn.utils.clip_grad_norm_): each step's
   * gradients, after the data-parallel sum, scaled by min(1, C / (‖g‖ + 1e-6)), ‖g‖ the L2 norm of all of them
   * (a sum in a fixed order, the same bits on every device). Call it after {@link #optimizer}:
   * <pre>{@code
   * Training run = Training.of(Network.builder(2, 4, 1).build(), Data.builtin("xor"))
   *     .optimizer(Optimizer.adam(0.001f)).clipNorm(1.0f);
   * }</pre>
   *
   * @param maxNorm C, positive and finite; 0 for no clipping
   * @return this run with that clipping
   * @throws InputException when C is negative or not finite
   */
  public Training clipNorm(float maxNorm) {
    Regularization r = optimizer.regularization();
    return optimizer(optimizer.withRegularization(new Regularization(r.decayAll(), maxNorm, r.labelSmoothing())));
  }

  /**
   * Label smoothing for cross-entropy ({@code --label-smoothing}, torch.nn.CrossEntropyLoss's): the training
   * targets become (1 − E)·y + E/K for K classes, so the gradient is p − that and the training loss is the
   * smoothed one; held-out sets are evaluated on their own labels. Refused for an MSE network when the run
   * opens. Call it after {@link #optimizer}:
   * <pre>{@code
   * TrainingData two = Data.classes(new float[][] {{0, 1}, {1, 0}}, new int[] {0, 1}, 2);
   * Training run = Training.of(Network.builder(2, 4, 2).loss(Loss.XENT).build(), two)
   *     .optimizer(Optimizer.adam(0.001f)).labelSmoothing(0.1f);
   * }</pre>
   *
   * @param epsilon E in [0, 1); 0 for none
   * @return this run with that smoothing
   * @throws InputException when E is outside [0, 1)
   */
  public Training labelSmoothing(float epsilon) {
    Regularization r = optimizer.regularization();
    return optimizer(optimizer.withRegularization(new Regularization(r.decayAll(), r.clipNorm(), epsilon)));
  }

  /**
   * @param rows rows per backprop iteration; 0 (the default), or at least the training set's rows, means the
   *             whole set in one batch, never shuffled
   * @return this run with that batch size
   * @throws InputException when {@code rows} is negative
   */
  public Training batchSize(int rows) {
    if (rows < 0) {
      throw new InputException("the batch size must be positive (or 0 for the whole set), got " + rows);
    }
    return copy(optimizer, rows, shuffler, epochs, statsEvery, device, verify, profile, finalOutputs, checkpoint,
        checkpointEvery, checkpointOptions, resume, listener);
  }

  /**
   * @param seed {@code np.random.seed} of a generator of its own that reshuffles the training rows every epoch
   *             (for a run {@link #of(Network.Builder, TrainingData) of a builder} this replaces the generator
   *             that drew the weights, so the run no longer matches {@code cltrain train --seed})
   * @return this run shuffling with a generator seeded so
   * @throws InputException when the seed is outside 0..2³²−1
   */
  public Training seed(long seed) {
    if (seed < 0 || seed > 0xFFFFFFFFL) {
      throw new InputException("the seed must be between 0 and 4294967295, got " + seed);
    }
    return shuffleWith(new NumpyRandom(seed));
  }

  /**
   * @param generator the generator that reshuffles the training rows every epoch, as it stands now (a copy is
   *                  taken); the CLI passes the one that drew the initial weights, as NumPy would go on
   * @return this run shuffling with that generator
   */
  public Training shuffleWith(NumpyRandom generator) {
    return copy(optimizer, batchSize, InputException.require(generator, "the generator").copy(), epochs, statsEvery, device, verify, profile, finalOutputs,
        checkpoint, checkpointEvery, checkpointOptions, resume, listener);
  }

  /**
   * @param count passes over the training data in total (a resumed run goes on to this count)
   * @return this run with that many epochs
   * @throws InputException when {@code count} is not positive
   */
  public Training epochs(int count) {
    if (count <= 0) {
      throw new InputException("the number of epochs must be positive, got " + count);
    }
    return copy(optimizer, batchSize, shuffler, count, statsEvery, device, verify, profile, finalOutputs,
        checkpoint, checkpointEvery, checkpointOptions, resume, listener);
  }

  /**
   * @param every compute loss, accuracy and held-out figures (and check for divergence) on epochs
   *              0, every, 2·every, ...; others only train (mini-batch epochs always measure their loss)
   * @return this run measuring that often
   * @throws InputException when {@code every} is not positive
   */
  public Training statsEvery(int every) {
    if (every <= 0) {
      throw new InputException("statistics must be taken every 1 or more epochs, got " + every);
    }
    return copy(optimizer, batchSize, shuffler, epochs, every, device, verify, profile, finalOutputs, checkpoint,
        checkpointEvery, checkpointOptions, resume, listener);
  }

  /**
   * @param choice where to train, e.g. {@code Devices.choose("auto")}; an {@code auto} choice falls back to the
   *               Java reference if its OpenCL device fails
   * @return this run on that device
   */
  public Training device(DeviceChoice choice) {
    return copy(optimizer, batchSize, shuffler, epochs, statsEvery, InputException.require(choice, "the device choice"), verify,
        profile, finalOutputs, checkpoint, checkpointEvery, checkpointOptions, resume, listener);
  }

  /**
   * @param device where to train; failing there is a {@link dev.cltrain.core.DeviceException}, not a fallback
   * @return this run on that device
   */
  public Training device(Device device) {
    return device(DeviceChoice.of(InputException.require(device, "the device")));
  }

  /**
   * @param on run the Java reference in lockstep and compare weights and loss
   *           ({@link TrainingResult#verification()})
   * @return this run, verified or not
   */
  public Training verify(boolean on) {
    return copy(optimizer, batchSize, shuffler, epochs, statsEvery, device, on, profile, finalOutputs, checkpoint,
        checkpointEvery, checkpointOptions, resume, listener);
  }

  /**
   * @param on time every kernel ({@link TrainingResult#profile()}); on OpenCL this keeps an event per launch
   * @return this run, profiled or not
   */
  public Training profile(boolean on) {
    return copy(optimizer, batchSize, shuffler, epochs, statsEvery, device, verify, on, finalOutputs, checkpoint,
        checkpointEvery, checkpointOptions, resume, listener);
  }

  /**
   * @param on keep the final outputs for every training row in {@link TrainingResult#train()}
   * @return this run, keeping them or not
   */
  public Training finalOutputs(boolean on) {
    return copy(optimizer, batchSize, shuffler, epochs, statsEvery, device, verify, profile, on, checkpoint,
        checkpointEvery, checkpointOptions, resume, listener);
  }

  /**
   * Writes a {@link Checkpoint} atomically every {@code every} epochs, after the last epoch and when the run
   * is stopped early.
   *
   * @param file    where to write it
   * @param every   epochs between checkpoints
   * @param options what the checkpoint records as its options (the CLI keeps its command line there, so that
   *                {@code train --resume FILE} needs nothing else), or null for none
   * @return this run with checkpoints
   * @throws InputException when {@code every} is not positive
   */
  public Training checkpoint(Path file, int every, ObjectNode options) {
    if (every <= 0) {
      throw new InputException("checkpoints must be written every 1 or more epochs, got " + every);
    }
    return copy(optimizer, batchSize, shuffler, epochs, statsEvery, device, verify, profile, finalOutputs,
        InputException.require(file, "the checkpoint file"), every, options, resume, listener);
  }

  /**
   * @param state where a previous run stopped ({@link Checkpoint#state()}): this run goes on from there and
   *              computes the same bits as a run that never stopped
   * @return this run, resuming
   */
  public Training resume(TrainerState state) {
    return copy(optimizer, batchSize, shuffler, epochs, statsEvery, device, verify, profile, finalOutputs,
        checkpoint, checkpointEvery, checkpointOptions, InputException.require(state, "the state to resume"), listener);
  }

  /**
   * The learning rate epoch by epoch (default constant): computed on the host per epoch from
   * {@link LearningRateSchedule#rate} and passed to the same kernels on every device, so verification and
   * resumed runs see the same rates.
   *
   * @param schedule the schedule, with its warm-up
   * @return this run with that schedule
   */
  public Training schedule(LearningRateSchedule schedule) {
    return new Training(initial, data, optimizer, batchSize, shuffler, epochs, statsEvery, device, verify, profile,
        finalOutputs, checkpoint, checkpointEvery, checkpointOptions, resume, listener, InputException.require(schedule, "the schedule"),
        earlyStopping, augment, frozen, newHead);
  }

  /**
   * Early stopping and the best model (see {@link EarlyStopping}); statistics are then taken every epoch.
   * {@link TrainingRun#earlyStopping()} says afterwards which epoch was best and whether the run stopped early.
   *
   * @param stopping patience, monitored figure and best-model file; null for none
   * @return this run with early stopping
   * @throws InputException when the monitored figure needs a set the data lacks (e.g. val_loss, no validation)
   */
  public Training earlyStopping(EarlyStopping stopping) {
    String missing = stopping == null ? null : stopping.missing(data.validation() != null, data.test() != null);
    if (missing != null) {
      throw InputException.parameter("monitor", missing);
    }
    return new Training(initial, data, optimizer, batchSize, shuffler, epochs, statsEvery, device, verify, profile,
        finalOutputs, checkpoint, checkpointEvery, checkpointOptions, resume, listener, schedule, stopping, augment,
        frozen, newHead);
  }

  /**
   * @param listener hears every epoch (and batch) and can stop the run
   * @return this run with that listener
   */
  public Training listener(EpochListener listener) {
    return copy(optimizer, batchSize, shuffler, epochs, statsEvery, device, verify, profile, finalOutputs,
        checkpoint, checkpointEvery, checkpointOptions, resume, listener);
  }

  /** {@return the network before the first epoch} */
  public Network initial() {
    return initial;
  }

  /** {@return the data} */
  public TrainingData data() {
    return data;
  }

  /**
   * Augments the training rows on the device as each batch is gathered: a random horizontal flip and a random
   * translation (see {@link Augment}), drawn per epoch and per sample from {@code augment}'s seed, so that every
   * device and the reference train on the same images. Validation, test and evaluation rows are never augmented.
   * The trained model's facts record it ({@link TrainingFacts#augment()}).
   *
   * <pre>{@code
   * TrainingData fashion = Data.idx(Path.of("/usr/share/datasets/fashion-mnist"));
   * Network.Builder net = Network.builder(784, 128, 10).hidden(Activation.RELU).loss(Loss.XENT).seed(0);
   * Training t = Training.of(net, fashion).batchSize(128).augment(Augment.parse("flip,crop:2", 0));
   * }</pre>
   *
   * @param augment the augmentation, or null for none
   * @return this run with that augmentation
   * @throws InputException when the rows are not images: the data has no image shape (IDX images) and the
   *     network's input is not one (a network with convolutions, e.g. from --input-shape)
   */
  public Training augment(Augment augment) {
    if (augment != null) {
      augment.check(imageShape());
    }
    return new Training(initial, data, optimizer, batchSize, shuffler, epochs, statsEvery, device, verify, profile,
        finalOutputs, checkpoint, checkpointEvery, checkpointOptions, resume, listener, schedule, earlyStopping,
        augment, frozen, newHead);
  }

  /**
   * Freezes the first {@code layers} layers of the network ({@code --freeze}), e.g. the features of a pretrained
   * network under a {@link Network#withNewHead new head}. Layers are counted as the items of
   * {@link Network#layers()}, from the input, each once whether or not it has parameters (a convolution, a
   * pooling, a dropout, a dense layer; an activation belongs to its layer). A frozen layer takes no optimizer
   * step, no weight decay and keeps its optimizer state; the backward pass stops at the lowest trained layer
   * (no gradient is computed for the frozen ones), and the gradient clipping norm counts the trained layers'
   * gradients only. Such a run trains layer by layer (not in one train_small launch). The trained model's facts
   * record it ({@link TrainingFacts#freeze()}).
   *
   * <pre>{@code
   * Network net = Network.builder(2, 4, 1).seed(0).build();   // layers 0 and 1: dense, dense
   * Training t = Training.of(net, Data.builtin("xor")).freeze(1); // trains only the output layer
   * }</pre>
   *
   * @param layers the first layers not to train; 0 (the default) trains every layer
   * @return this run with those layers frozen
   * @throws InputException naming "freeze" when {@code layers} is negative, past the last layer, or leaves no
   *     layer with parameters to train ({@link Network#firstTrainable})
   */
  public Training freeze(int layers) {
    if (layers != 0) {
      initial.firstTrainable(layers);
    }
    return new Training(initial, data, optimizer, batchSize, shuffler, epochs, statsEvery, device, verify, profile,
        finalOutputs, checkpoint, checkpointEvery, checkpointOptions, resume, listener, schedule, earlyStopping,
        augment, layers, newHead);
  }

  /** {@return the first layers not trained, 0 for none} */
  public int frozen() {
    return frozen;
  }

  /**
   * Records in the trained model's facts ({@link TrainingFacts#newHead()}) that the initial network's output layer
   * is a fresh one of {@code outputs} units ({@link Network#withNewHead}, {@link Model#withNewHead}), as
   * {@code cltrain train --new-head K} does; training is the same either way.
   *
   * <pre>{@code
   * Network net = Network.builder(2, 4, 3).loss(Loss.XENT).build().withNewHead(2, 0);
   * TrainingData two = Data.classes(new float[][] {{0, 1}, {1, 0}}, new int[] {0, 1}, 2);
   * Training t = Training.of(net, two).newHead(2).freeze(1);
   * }</pre>
   *
   * @param outputs the new head's outputs; 0 for none
   * @return this run, recording it
   * @throws InputException naming "newHead" when the initial network does not have {@code outputs} outputs
   */
  public Training newHead(int outputs) {
    if (outputs != 0 && outputs != initial.outputs()) {
      throw InputException.parameter("newHead", outputs + " outputs, but the network has " + initial.outputs());
    }
    return new Training(initial, data, optimizer, batchSize, shuffler, epochs, statsEvery, device, verify, profile,
        finalOutputs, checkpoint, checkpointEvery, checkpointOptions, resume, listener, schedule, earlyStopping,
        augment, frozen, outputs);
  }

  /** {@return the training rows' augmentation, or null} */
  public Augment augment() {
    return augment;
  }

  /**
   * {@return the image shape of a training row: the network's input when it is an image (a network with
   * convolutions or pooling), else the data's (IDX images), else null}
   */
  public dev.cltrain.nn.Shape imageShape() {
    dev.cltrain.nn.Shape in = initial.input();
    return in.height() * (long) in.width() > 1 ? in : data.imageShape();
  }

  /** {@return the optimizer} */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** {@return rows per batch; 0 for the whole set} */
  public int batchSize() {
    return batchSize;
  }

  /** {@return a copy of the generator that reshuffles the rows, as it stands before the first epoch} */
  public NumpyRandom shuffler() {
    return shuffler.copy();
  }

  /** {@return epochs in total} */
  public int epochs() {
    return epochs;
  }

  /** {@return backprop iterations per epoch: 1 for a full batch, else ⌈rows / batch size⌉} */
  public int batchesPerEpoch() {
    return dev.cltrain.train.MemoryPlan.batchesPerEpoch(data.train().rows(), batchSize);
  }

  /**
   * Opens the trainer (and the reference judge, when verifying) on the device; the caller closes the run.
   *
   * @return the open run, ready to {@link TrainingRun#run()}
   * @throws dev.cltrain.core.DeviceException when an explicitly chosen device cannot be used
   * @throws InputException  when a resumed state does not fit this network
   */
  public TrainingRun open() {
    return new TrainingRun(this);
  }

  /**
   * Opens, runs and closes: trains every epoch.
   *
   * @return the trained model and the run's figures
   * @throws dev.cltrain.core.DivergedException when the loss or a weight becomes NaN or infinite
   * @throws dev.cltrain.core.DeviceException when an explicitly chosen device cannot be used
   */
  public TrainingResult run() {
    try (TrainingRun run = open()) {
      return run.run();
    }
  }

  /**
   * Refuses, before any weight is drawn, a dense network of these widths whose weights (drawn, and trained: two
   * copies) together with the data's arrays need more bytes than the Java heap's limit ({@code -Xmx}); without the
   * check the JVM allocates for half a minute and then runs out of memory.
   *
   * @param widths the layer widths, input first
   * @param data   the training data, already loaded
   * @param origin what names the network in the message, e.g. "--layers 2,30000,30000,1"
   * @throws InputException naming the bytes needed and the heap's limit
   */
  public static void checkHeap(int[] widths, TrainingData data, String origin) {
    long parameters = dev.cltrain.train.MemoryPlan.parameters(widths);
    dev.cltrain.train.MemoryPlan.checkHeap(dev.cltrain.train.MemoryPlan.heapBytes(parameters, data),
        origin + ": the data and the network (" + parameters + " parameters, drawn and trained)");
  }
}

package dev.cltrain.device;

import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import java.util.List;

/**
 * Everything a trainer needs to go on exactly where it stopped: with it, training resumed on the same device
 * computes the same bits as training that never stopped.
 *
 * <p>A snapshot: the arrays are copies taken from the device, not shared with a trainer. Share it read-only.
 *
 * @param epoch          epochs completed
 * @param batch          batches of the next epoch already done (0 at an epoch boundary)
 * @param step           optimizer steps taken (Adam's bias correction counts them)
 * @param network        the weights and biases now
 * @param optimizerState per layer, the optimizer's buffers: the weights' (velocity, or m then v), then the
 *                       biases' in the same order; empty lists for sgd. With features, the convolutions'
 *                       entries come first (in stage order, weights k·k·C·filters and biases filters values
 *                       each), then the dense layers'; pooling and dropout have none
 * @param shuffler       the generator that draws each epoch's row order
 * @param order          the unfinished epoch's row order when {@code batch > 0}, else null
 * @param lossSlots      the unfinished epoch's per-batch losses so far, else null
 * @param correctSlots   the unfinished epoch's per-batch correct counts so far, else null
 */
public record TrainerState(int epoch, int batch, long step, Network network, List<List<float[]>> optimizerState,
    NumpyRandom.State shuffler, int[] order, float[] lossSlots, float[] correctSlots) {}

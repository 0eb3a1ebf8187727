package dev.cltrain;

import dev.cltrain.device.Trainer;

import java.util.Map;

/**
 * What one epoch did, as an {@link EpochListener} hears it.
 *
 * <p>Thread-safe: an immutable value.
 *
 * @param epoch    0-based epoch number (the seed's "Epoch 0" is the first)
 * @param measured whether this epoch's figures were computed (every {@link Training#statsEvery} epochs); when
 *                 false, loss and accuracy are NaN for a full batch and {@code heldOut} is empty
 * @param loss     the training loss: for a full batch, of the weights the epoch started from (the seed's
 *                 printed loss); for mini-batches, the mean over the epoch's batches
 * @param accuracy the fraction of training rows predicted right (NaN for regression targets)
 * @param heldOut  the test set ("Test") and validation split ("Validation"), when there are any, evaluated with
 *                 the weights after this epoch, in that order
 * @param seconds  seconds since training started (the resumed part, after a resume)
 */
public record EpochReport(int epoch, boolean measured, float loss, float accuracy,
    Map<String, Trainer.Evaluation> heldOut, double seconds) {}

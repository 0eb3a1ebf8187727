package dev.cltrain.cli;

import dev.cltrain.Data;
import dev.cltrain.Model;
import dev.cltrain.nn.InputScale;
import dev.cltrain.nn.Loss;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --input-scale} and {@code --loss}, shared by eval, predict and export: what a model file may not say (an
 * ONNX graph with no Div or Mul on its input, or one ending in logits), stated on the command line.
 */
final class ModelFileOptions {
  /** --input-scale's help, also train's (with --init-model). */
  static final String INPUT_SCALE_HELP = "What the model's training inputs were multiplied by, for an ONNX model "
      + "whose graph does not say it (no Div or Mul on its input): 1/255 for pixels / 255, 1 for raw values; a "
      + "number or a fraction. Kept when the model is saved.";

  @Option(names = "--input-scale", paramLabel = "S|1/N", description = INPUT_SCALE_HELP)
  String inputScale;

  @Option(names = "--loss", paramLabel = "xent|mse", description = "Read the model with this loss: xent makes an "
      + "ONNX model ending in logits (no Softmax) a classifier, softmax on its outputs, as PyTorch's "
      + "CrossEntropyLoss takes them. Without it such a model is an mse regression, or a classifier on data with "
      + "class labels (eval: an IDX folder, a CSV of the inputs and a label).")
  String loss;

  /**
   * Loads the model and applies these options; without --loss, data with class labels makes a logits model a
   * classifier ({@link Data#readingLabels}). The model's note, if any, goes to {@code err}.
   *
   * @param file the model file
   * @param data the data it will meet (eval's --data), or null
   * @param err  where the note line goes
   * @return the model
   */
  Model load(Path file, String data, PrintWriter err) {
    Float scale = inputScale == null ? null : InputScale.parse(inputScale, "--input-scale");
    Loss declared = loss == null ? null : Loss.parse(loss, "--loss");
    Model model = Model.load(file);
    if (scale != null) {
      model = model.withInputScale(scale);
    }
    if (declared != null) {
      model = model.withLoss(declared);
    } else if (data != null) {
      model = Data.readingLabels(model, data);
    }
    if (model.note() != null) {
      err.println(dev.cltrain.cmd.OptionNames.text(model.note()));
    }
    return model;
  }
}

package dev.cltrain.cli;

import dev.cltrain.cmd.OutputFiles;

import dev.cltrain.core.InputException;
import dev.cltrain.Model;
import dev.cltrain.TrainingFacts;
import dev.cltrain.nn.Architecture;
import dev.cltrain.onnx.Onnx;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cltrain export}: a saved model as ONNX (or an ONNX model as cltrain's model JSON). */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Write a saved model as a standard ONNX file (opset " + Onnx.OPSET + ") for ONNX Runtime and other "
        + "runtimes, or an ONNX model as cltrain's model JSON.",
        "The ONNX graph takes raw rows as 'cltrain predict' does (input \"input\" [batch, inputs], the model's input "
            + "scale and standardization are nodes of the graph) and gives \"output\" [batch, outputs] (class "
            + "probabilities for an xent model). Dropout is kept as inference-time Dropout nodes, which compute "
            + "nothing."})
final class ExportCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "FILE",
      description = "A model saved by 'cltrain train --save' (JSON), or an ONNX file.")
  Path model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--onnx", paramLabel = "FILE.onnx", description = "Write the model as ONNX to this file.")
    Path onnx;

    @Option(names = "--json", paramLabel = "FILE.json", description = "Write the model as cltrain's model JSON to this file.")
    Path json;
  }

  @CommandLine.Mixin
  ModelFileOptions modelFileOptions;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Path written = target.onnx != null ? target.onnx : target.json;
    String option = target.onnx != null ? "--onnx" : "--json";
    new OutputFiles().input("--model", model).output(option, written).check();
    if (target.json != null && Onnx.hasOnnxName(target.json)) {
      throw new InputException("--json " + target.json + ": the name ends in .onnx; use --onnx to write ONNX");
    }
    Model loaded = modelFileOptions.load(model, null, spec.commandLine().getErr());
    if (target.onnx != null) {
      loaded.saveOnnx(target.onnx);
    } else {
      dev.cltrain.io.AtomicFiles.writeString(target.json, loaded.toJson());
    }
    out.println("model:       " + model + " (" + Architecture.summary(loaded.network()) + ", "
        + loaded.network().loss().id + ")");
    TrainingFacts facts = loaded.facts();
    if (!facts.equals(TrainingFacts.UNKNOWN)) {
      out.println("trained:     " + describe(facts));
    }
    out.println("wrote:       " + written + (target.onnx != null ? " (ONNX, opset " + Onnx.OPSET + ", input \""
        + Onnx.INPUT + "\" [batch, " + loaded.inputs() + "], output \"" + Onnx.OUTPUT + "\" [batch, "
        + loaded.outputs() + "])" : " (model JSON)"));
    return 0;
  }

  private static String describe(TrainingFacts f) {
    StringBuilder b = new StringBuilder();
    if (f.epochs() >= 0) {
      b.append(f.epochs()).append(f.epochs() == 1 ? " epoch" : " epochs");
    }
    if (f.data() != null) {
      b.append(b.length() > 0 ? " on " : "").append(f.data());
    }
    if (f.dataShape() != null) {
      b.append(" (").append(f.dataShape()).append(")");
    }
    if (!Float.isNaN(f.finalLoss())) {
      b.append(b.length() > 0 ? ", " : "").append("final loss ").append(Format.fixed(f.finalLoss(), 4));
    }
    if (f.augment() != null) {
      b.append(b.length() > 0 ? ", " : "").append("--augment ").append(f.augment());
    }
    return b.toString().strip();
  }
}

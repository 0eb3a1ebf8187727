package dev.cltrain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.Data;
import dev.cltrain.core.InputException;

/** {@link WorkloadOptions} as a checkpoint records them ({@code "options"}), and read back for {@code --resume}. */
final class WorkloadJson {
  private WorkloadJson() {}

  /**
   * {@code w} as JSON, for a checkpoint: what was given (null for a default), file paths made absolute so
   * that a resume from another folder finds the same data. --init-model is left out: the checkpoint holds the
   * weights.
   */
  static ObjectNode toJson(WorkloadOptions w) {
    // the node factory, not an ObjectMapper: every train builds these options, and a mapper costs a tenth of a second to start
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("data", Data.id(w.data()));
    if (w.skipBadFiles != null) { // only when given, as --net
      o.put("skipBadFiles", w.skipBadFiles);
    }
    o.put("targets", w.targets);
    o.put("test", Data.id(w.test));
    o.put("validationSplit", w.validationSplit);
    if (w.csv.label != null) { // only when given, as --net
      w.csv.label.forEach(o.putArray("label")::add);
    }
    if (w.csv.ignore != null) {
      w.csv.ignore.forEach(o.putArray("ignore")::add);
    }
    if (w.csv.missing != null) {
      o.put("missing", w.csv.missing);
    }
    if (w.text.column != null) { // the text options only when given, as --net
      o.put("textColumn", w.text.column);
    }
    if (w.text.tokens != null) {
      o.put("tokens", w.text.tokens);
    }
    if (w.text.vocabSize != null) {
      o.put("vocabSize", w.text.vocabSize);
    }
    if (w.text.seqLen != null) {
      o.put("seqLen", w.text.seqLen);
    }
    if (w.net != null) { // only when given: the options of a dense run are recorded as before
      o.put("net", w.net);
    }
    if (w.inputShape != null) {
      o.put("inputShape", w.inputShape);
    }
    o.put("layers", w.layers);
    o.put("activation", w.activation);
    o.put("loss", w.loss);
    o.put("output", w.output);
    o.put("standardize", w.standardize);
    o.put("init", w.init);
    o.put("optimizer", w.optimizer);
    o.put("lr", w.learningRate);
    o.put("momentum", w.momentum);
    o.put("beta1", w.beta1);
    o.put("beta2", w.beta2);
    o.put("eps", w.epsilon);
    o.put("weightDecay", w.weightDecay);
    if (w.decayAll != null) { // these three only when given: earlier runs' checkpoints keep their bytes
      o.put("decayAll", w.decayAll);
    }
    if (w.clipNorm != null) {
      o.put("clipNorm", w.clipNorm);
    }
    if (w.labelSmoothing != null) {
      o.put("labelSmoothing", w.labelSmoothing);
    }
    o.put("batchSize", w.batchSize);
    o.put("seed", w.seed);
    if (w.augment != null) { // only when given: the options of every other run are recorded as before
      o.put("augment", w.augment);
    }
    if (w.freeze != null) { // these two only when given, as augment
      o.put("freeze", w.freeze);
    }
    if (w.newHead != null) { // recorded for the model's facts: the checkpoint's weights hold the head
      o.put("newHead", w.newHead);
    }
    return o;
  }

  /** The options a checkpoint recorded with {@link #toJson}; a wrong type is an {@link InputException}. */
  static WorkloadOptions fromJson(JsonNode o) {
    WorkloadOptions w = new WorkloadOptions();
    w.data = text(o, "data");
    if (w.data == null || w.data.isBlank()) { // not the default table: the data the checkpoint was trained on
      throw new InputException("the field \"options.data\" is " + (w.data == null ? "missing" : "empty"));
    }
    w.skipBadFiles = o.hasNonNull("skipBadFiles") ? o.get("skipBadFiles").asBoolean() : null;
    w.targets = o.hasNonNull("targets") ? integer(o, "targets") : null;
    w.test = text(o, "test");
    w.validationSplit = o.hasNonNull("validationSplit") ? number(o, "validationSplit") : null;
    w.csv.label = texts(o, "label");
    w.csv.ignore = texts(o, "ignore");
    w.csv.missing = text(o, "missing");
    w.text.column = text(o, "textColumn");
    w.text.tokens = text(o, "tokens");
    w.text.vocabSize = o.hasNonNull("vocabSize") ? integer(o, "vocabSize") : null;
    w.text.seqLen = o.hasNonNull("seqLen") ? integer(o, "seqLen") : null;
    w.net = text(o, "net");
    w.inputShape = text(o, "inputShape");
    w.augment = text(o, "augment");
    w.freeze = o.hasNonNull("freeze") ? integer(o, "freeze") : null;
    w.newHead = o.hasNonNull("newHead") ? integer(o, "newHead") : null;
    w.fromCheckpoint = true;
    w.layers = text(o, "layers");
    w.activation = text(o, "activation");
    w.loss = text(o, "loss");
    w.output = text(o, "output");
    w.standardize = o.hasNonNull("standardize") ? o.get("standardize").asBoolean() : null;
    w.init = text(o, "init");
    w.optimizer = text(o, "optimizer");
    w.learningRate = o.hasNonNull("lr") ? decimal(o, "lr") : null;
    w.momentum = o.hasNonNull("momentum") ? decimal(o, "momentum") : null;
    w.beta1 = o.hasNonNull("beta1") ? decimal(o, "beta1") : null;
    w.beta2 = o.hasNonNull("beta2") ? decimal(o, "beta2") : null;
    w.epsilon = o.hasNonNull("eps") ? decimal(o, "eps") : null;
    w.weightDecay = o.hasNonNull("weightDecay") ? decimal(o, "weightDecay") : null;
    w.decayAll = o.hasNonNull("decayAll") ? o.get("decayAll").asBoolean() : null;
    w.clipNorm = o.hasNonNull("clipNorm") ? decimal(o, "clipNorm") : null;
    w.labelSmoothing = o.hasNonNull("labelSmoothing") ? decimal(o, "labelSmoothing") : null;
    w.batchSize = o.hasNonNull("batchSize") ? integer(o, "batchSize") : null;
    w.seed = o.hasNonNull("seed") ? o.get("seed").asLong() : null;
    return w;
  }

  /**
   * The {@code "epochs"} a checkpoint's options recorded, or {@code fallback} when they record none.
   *
   * @throws InputException naming the field when it is not a positive count
   */
  static int epochsFromJson(JsonNode o, int fallback) {
    JsonNode epochs = o.get("epochs");
    if (epochs == null || epochs.isNull()) {
      return fallback;
    }
    if (!epochs.isIntegralNumber() || !epochs.canConvertToInt() || epochs.asInt() < 1) {
      throw new InputException("\"options.epochs\" is not a positive count: " + epochs);
    }
    return epochs.asInt();
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new InputException("checkpoint option " + field + " is not text: " + v);
    }
    return v.asText();
  }

  private static java.util.List<String> texts(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    java.util.List<String> list = new java.util.ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw new InputException("checkpoint option " + field + " is not a list of text: " + v);
      }
      list.add(e.asText());
    }
    if (!v.isArray()) {
      throw new InputException("checkpoint option " + field + " is not a list of text: " + v);
    }
    return list;
  }

  private static int integer(JsonNode o, String field) {
    if (!o.get(field).canConvertToInt()) {
      throw new InputException("checkpoint option " + field + " is not an integer: " + o.get(field));
    }
    return o.get(field).asInt();
  }

  /** A float option, read from its decimal text so it comes back as the same float. */
  private static float decimal(JsonNode o, String field) {
    number(o, field);
    return Float.parseFloat(o.get(field).asText());
  }

  private static double number(JsonNode o, String field) {
    if (!o.get(field).isNumber()) {
      throw new InputException("checkpoint option " + field + " is not a number: " + o.get(field));
    }
    return o.get(field).asDouble();
  }
}

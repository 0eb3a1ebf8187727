package dev.cltrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Text end to end on the reference: train on a CSV of texts, save, and predict and evaluate raw text with the
 * vocabulary the model file keeps; bad text options exit 2 with one line.
 */
class TextCliTest {
  private static final String EMAILS = """
      text,label
      "free money now, click here",spam
      meeting at noon tomorrow,ham
      win free money prize now,spam
      lunch tomorrow at noon?,ham
      "claim your free prize, money waiting",spam
      project notes for the meeting,ham
      cheap money free offer,spam
      see you at the meeting tomorrow,ham
      """;

  @TempDir
  Path tmp;

  /** An embedding and a GRU over the ids; predict and eval read raw text with the vocabulary the model keeps. */
  @Test
  void aTextModelPredictsRawTextWithItsStoredVocabulary() throws IOException {
    Path data = Files.writeString(tmp.resolve("emails.csv"), EMAILS);
    Path model = tmp.resolve("m.json");
    Cli train = Cli.run("train", "--data", data.toString(), "--tokens", "words", "--vocab-size", "12",
        "--seq-len", "6", "--net", "embedding:12:4,gru:6,dense:2", "--optimizer", "adam", "--lr", "0.05", "--epochs", "40",
        "--device", "reference", "--save", model.toString());
    assertEquals(0, train.exit(), train.err());
    JsonNode text = new ObjectMapper().readTree(model.toFile()).get("text");
    assertEquals("words", text.get("tokens").asText());
    assertEquals(6, text.get("seqLen").asInt());
    List<String> words = new ArrayList<>();
    text.get("vocabulary").forEach(n -> words.add(n.asText()));
    assertEquals(List.of("free", "money", "meeting", "at", "tomorrow", "now", "noon", "prize", "the", "click"), words,
        "V − 2 = 10 tokens, most frequent first, ties by first appearance");

    Cli one = Cli.run("predict", "--model", model.toString(), "--text", "FREE money, now!");
    assertEquals(0, one.exit(), one.err());
    Cli ids = Cli.run("predict", "--model", model.toString(), "--input", "2,3,7,0,0,0");
    assertEquals(0, ids.exit(), ids.err());
    assertEquals(ids.out(), one.out(), "the text is the ids free = 2, money = 3, now = 7, then padding");

    Cli rows = Cli.run("predict", "--model", model.toString(), "--data", data.toString());
    assertEquals(0, rows.exit(), rows.err());
    List<String> lines = rows.out().lines().toList();
    assertEquals(9, lines.size(), "a header and one line per text: " + rows.out());
    List<String> truth = EMAILS.lines().skip(1).map(l -> l.substring(l.lastIndexOf(',') + 1)).toList();
    int right = 0;
    for (int r = 0; r < 8; r++) {
      right += lines.get(r + 1).endsWith("," + truth.get(r)) ? 1 : 0;
    }
    Cli eval = Cli.run("eval", "--model", model.toString(), "--data", data.toString());
    assertEquals(0, eval.exit(), eval.err());
    assertTrue(eval.out().contains("(" + right + " of 8)"), "eval reads the texts as predict does: " + right
        + " right\n" + eval.out());
  }

  /** A text run resumed from its checkpoint ends in the uninterrupted run's model, the vocabulary included. */
  @Test
  void aTextRunResumesToTheSameModel() throws IOException {
    Path data = Files.writeString(tmp.resolve("emails.csv"), EMAILS);
    List<String> run = List.of("--data", data.toString(), "--tokens", "words", "--vocab-size", "12", "--seq-len", "6",
        "--net", "embedding:12:3,lstm:4,dense:2", "--optimizer", "adam", "--lr", "0.05", "--batch-size", "4", "--device",
        "reference");
    Path full = tmp.resolve("full.json");
    Path checkpoint = tmp.resolve("ck.json");
    Path resumed = tmp.resolve("resumed.json");
    List<String> args = new ArrayList<>(List.of("train", "--epochs", "6", "--save", full.toString()));
    args.addAll(run);
    assertEquals(0, Cli.run(args.toArray(String[]::new)).exit());
    args = new ArrayList<>(List.of("train", "--epochs", "3", "--checkpoint", checkpoint.toString()));
    args.addAll(run);
    assertEquals(0, Cli.run(args.toArray(String[]::new)).exit());
    Cli resume = Cli.run("train", "--resume", checkpoint.toString(), "--epochs", "6", "--device", "reference",
        "--save", resumed.toString());
    assertEquals(0, resume.exit(), resume.err());
    ObjectMapper json = new ObjectMapper();
    JsonNode a = json.readTree(full.toFile());
    JsonNode b = json.readTree(resumed.toFile());
    assertEquals(a.get("text"), b.get("text"));
    assertEquals(a.get("layers"), b.get("layers"), "the same weights to the bit");
  }

  private void assertOneLine(Cli run, String phrase) {
    assertEquals(2, run.exit(), run.err());
    assertEquals(1, run.err().lines().count(), run.err());
    assertTrue(run.err().contains(phrase), "expected '" + phrase + "': " + run.err());
    assertFalse(run.err().contains("Exception"), run.err());
  }

  @Test
  void badTextOptionsExitTwoWithOneLine() throws IOException {
    Path data = Files.writeString(tmp.resolve("emails.csv"), EMAILS);
    String d = data.toString();
    assertOneLine(Cli.run("train", "--data", d, "--seq-len", "0", "--device", "reference"), "--seq-len must be at least 1");
    assertOneLine(Cli.run("train", "--data", d, "--vocab-size", "2", "--device", "reference"),
        "--vocab-size must be at least 3");
    assertOneLine(Cli.run("train", "--data", d, "--text-column", "5", "--device", "reference"),
        "--text-column 5: " + d + " has 2 columns");
    assertOneLine(Cli.run("train", "--data", d, "--tokens", "bytes", "--device", "reference"), "--tokens must be");
    Path empty = Files.writeString(tmp.resolve("empty.csv"), "text,label\nok,a\n\"  \",b\n");
    assertOneLine(Cli.run("train", "--data", empty.toString(), "--tokens", "chars", "--device", "reference"),
        empty + ":3: an empty text (no character but white space)");
    Path model = tmp.resolve("xor.json");
    assertEquals(0, Cli.run("train", "--epochs", "1", "--device", "reference", "--save", model.toString()).exit());
    assertOneLine(Cli.run("predict", "--model", model.toString(), "--text", "hello"), "takes numbers, not text");
    assertOneLine(Cli.run("train", "--data", d, "--vocab-size", "12", "--seq-len", "6", "--net", "embedding:5:2,gru:2,dense:2",
        "--device", "reference"), "--vocab-size gives 12 ids (padding and unknown counted), more than the "
        + "network's embedding of 5 ids takes");
  }
}

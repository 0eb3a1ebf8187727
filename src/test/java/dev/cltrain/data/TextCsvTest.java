package dev.cltrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.nn.Tokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CSV of texts and class labels read as rows of token ids ({@link TextCsv}); ids are exact. */
class TextCsvTest {
  @TempDir
  Path tmp;

  private Path csv(String name, String text) throws IOException {
    return Files.writeString(tmp.resolve(name), text);
  }

  private static TextCsv.Options words(String column, int vocab, int seqLen) {
    return new TextCsv.Options(column, Tokens.WORDS, vocab, seqLen);
  }

  @Test
  void theHeadersTextColumnIsReadWithQuotedCommasAndTheLastColumnIsTheLabel() throws IOException {
    Path f = csv("a.csv", "id,text,label\n1,\"b a, a, a\",spam\n2,b c,ham\n");
    TrainingData d = TextCsv.load(f, words(null, 10, 4), CsvLayout.DEFAULT, 0, 0, 0);
    assertEquals(List.of("a", "b", "c"), d.vocabulary().words(), "a three times, b twice, c once");
    assertArrayEquals(new float[] {3, 2, 2, 2, 3, 4, 0, 0}, d.train().x());
    assertEquals(List.of("ham", "spam"), d.classNames());
    assertArrayEquals(new float[] {0, 1, 1, 0}, d.train().y(), "spam is class 1, ham class 0");
  }

  @Test
  void aColumnByNumberNeedsNoHeaderAndIntegerLabelsStayIntegers() throws IOException {
    Path f = csv("b.csv", "1,x y\n0,y\n");
    TrainingData d = TextCsv.load(f, words("2", 5, 2), new CsvLayout(List.of("1"), null, false), 0, 0, 0);
    assertArrayEquals(new float[] {3, 2, 2, 0}, d.train().x(), "y = 2 (twice), x = 3");
    assertArrayEquals(new float[] {0, 1, 1, 0}, d.train().y());
  }

  @Test
  void theVocabularyIsBuiltFromTheTrainingRowsOnly() throws IOException {
    StringBuilder s = new StringBuilder("text,label\n");
    for (int r = 0; r < 10; r++) {
      s.append("common w").append(r).append(',').append(r % 2).append('\n');
    }
    Path f = csv("c.csv", s.toString());
    TrainingData d = DataSets.load(new DataOptions(f.toString(), 1, true, 0, null, 0.2, 7)
        .withText(words(null, 100, 2)));
    assertEquals(8, d.train().rows());
    assertEquals(2, d.validation().rows());
    assertEquals(9, d.vocabulary().words().size(), "common and the eight training rows' words");
    for (int r = 0; r < 2; r++) {
      assertArrayEquals(new float[] {2, 1}, d.validation().inputRow(r), "a validation row's own word is unknown");
    }
    Path test = csv("t.csv", "text,label\nw0 common,1\n");
    TrainingData withTest = DataSets.load(new DataOptions(f.toString(), 1, true, 0, test.toString(), 0, 0)
        .withText(words(null, 100, 2)));
    assertArrayEquals(new float[] {3, 2}, withTest.test().x(), "the test set is read with the training vocabulary");
  }

  @Test
  void badTextInputIsOneInputErrorNamingWhere() throws IOException {
    Path empty = csv("e.csv", "text,label\nfine,0\n \"...\" ,1\n");
    InputException e = assertThrows(InputException.class,
        () -> TextCsv.load(empty, words(null, 10, 3), CsvLayout.DEFAULT, 0, 0, 0));
    assertTrue(e.getMessage().contains(empty + ":3: an empty text"), e.getMessage());
    Path two = csv("f.csv", "a b,0\n");
    assertEquals("textColumn", assertThrows(InputException.class,
        () -> TextCsv.load(two, words("3", 10, 3), CsvLayout.DEFAULT, 0, 0, 0)).parameter());
    assertEquals("textColumn", assertThrows(InputException.class,
        () -> TextCsv.load(two, words(null, 10, 3), CsvLayout.DEFAULT, 0, 0, 0)).parameter(), "no header, no column");
    assertEquals("label", assertThrows(InputException.class,
        () -> TextCsv.load(two, words("2", 10, 3), CsvLayout.DEFAULT, 0, 0, 0)).parameter(), "the label is the text");
    assertEquals("loss", assertThrows(InputException.class, () -> DataSets.load(
        new DataOptions(two.toString(), 1, false, 0, null, 0, 0).withText(words("1", 10, 3)))).parameter());
  }

  /**
   * scripts/text_torch.py tokenizes by the same rules: its --ids (no torch import) gives the ids this reader
   * gives, on texts with case, punctuation, digits, accents, ties, unknowns, padding and truncation. Skipped
   * without python3.
   */
  @Test
  void thePyTorchScriptGivesTheSameIds() throws IOException, InterruptedException {
    Path f = csv("s.csv", "text,label\n\"Free MONEY!! now, 100% free\",spam\nCafé naïve x2 (money),ham\n"
        + "a b c d e f g h,ham\n\"quoted \"\"free\"\" money, twice money\",spam\n");
    for (String rule : List.of("words", "chars")) {
      Process p;
      try {
        p = new ProcessBuilder("python3", "scripts/text_torch.py", "--ids", f.toString(), "--tokens", rule,
            "--vocab-size", "9", "--seq-len", "6").redirectErrorStream(true).start();
      } catch (IOException e) {
        assumeTrue(false, "no python3");
        return;
      }
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), out);
      TrainingData d = TextCsv.load(f, new TextCsv.Options(null, Tokens.parse(rule), 9, 6), CsvLayout.DEFAULT, 0, 0,
          0);
      StringBuilder java = new StringBuilder();
      for (int r = 0; r < d.train().rows(); r++) {
        float[] row = d.train().inputRow(r);
        for (int i = 0; i < row.length; i++) {
          java.append(i == 0 ? "" : ",").append((int) row[i]);
        }
        java.append('\n');
      }
      assertEquals(java.toString(), out, rule);
    }
  }
}

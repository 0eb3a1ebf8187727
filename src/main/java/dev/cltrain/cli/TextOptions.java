package dev.cltrain.cli;

import dev.cltrain.data.TextCsv;
import dev.cltrain.nn.Tokens;
import picocli.CommandLine.Option;

/**
 * {@code train}'s text options: {@code --text-column}, {@code --tokens}, {@code --vocab-size} and
 * {@code --seq-len}. Any of them makes the CSV one of texts and class labels ({@link TextCsv}); the defaults
 * are {@link TextCsv.Options}'. Eval and predict read the text column of a model trained so with
 * {@link Column}.
 */
final class TextOptions {
  static final String COLUMN_HELP = "A CSV of texts: the text column, by number (1 for the first) or header name "
      + "(default: the column named 'text' in the header).";

  @Option(names = "--text-column", paramLabel = "COLUMN", description = COLUMN_HELP
      + " Each text becomes --seq-len token ids (0 padding at the end, 1 unknown, 2.. the vocabulary).")
  String column;

  @Option(names = "--tokens", paramLabel = Tokens.NAMES, description = "Text: chars (every character a token) or "
      + "words (lower-cased runs of letters and digits). Default: words.")
  String tokens;

  @Option(names = "--vocab-size", paramLabel = "V", description = "Text: ids in all, padding and unknown counted; "
      + "the V − 2 most frequent training tokens (ties by first appearance) get their own. Default: "
      + TextCsv.Options.DEFAULT_VOCAB_SIZE + ".")
  Integer vocabSize;

  @Option(names = "--seq-len", paramLabel = "T", description = "Text: token ids per row, the first T tokens, "
      + "padded with 0 at the end. Default: " + TextCsv.Options.DEFAULT_SEQ_LEN + ".")
  Integer seqLen;

  /** {@return whether any text option was given} */
  boolean given() {
    return column != null || tokens != null || vocabSize != null || seqLen != null;
  }

  /** {@return the options, or null when none was given} */
  TextCsv.Options options() {
    if (!given()) {
      return null;
    }
    return new TextCsv.Options(column, tokens == null ? TextCsv.Options.DEFAULT_TOKENS : Tokens.parse(tokens),
        vocabSize == null ? TextCsv.Options.DEFAULT_VOCAB_SIZE : vocabSize,
        seqLen == null ? TextCsv.Options.DEFAULT_SEQ_LEN : seqLen);
  }

  /** Eval's and predict's {@code --text-column}: where a text model's texts are. */
  static final class Column {
    @Option(names = "--text-column", paramLabel = "COLUMN", description = COLUMN_HELP)
    String column;
  }
}

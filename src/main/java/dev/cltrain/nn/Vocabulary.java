package dev.cltrain.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cltrain.core.InputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A text's way into a network: the token rule, the sequence length T and the vocabulary, kept with a model so
 * that it takes raw text. A text becomes T token ids stored as floats: id {@value #PADDING} is padding,
 * {@value #UNKNOWN} a token not in the vocabulary, and 2..V−1 the vocabulary's tokens, most frequent first in the
 * texts it was built from, ties broken by first appearance. A text of more than T tokens keeps its first T; a
 * shorter one is padded with 0 at the end.
 *
 * @param tokens the token rule
 * @param seqLen T, the ids per row, at least 1
 * @param words  the vocabulary's tokens: {@code words.get(i)} has id i + 2
 */
public record Vocabulary(Tokens tokens, int seqLen, List<String> words) {
  /** The padding id. */
  public static final int PADDING = 0;
  /** The unknown token's id. */
  public static final int UNKNOWN = 1;
  /** The ids that are not tokens of the vocabulary: padding and unknown. */
  public static final int RESERVED = 2;

  /**
   * Checks the length and copies the words.
   *
   * @param tokens the token rule
   * @param seqLen T, at least 1
   * @param words  the tokens of ids 2.., distinct
   * @throws InputException naming {@code seqLen} when it is below 1, or when a token is given twice
   */
  public Vocabulary {
    InputException.require(tokens, "the token rule");
    checkSeqLen(seqLen);
    words = List.copyOf(words);
    if (new java.util.HashSet<>(words).size() != words.size()) {
      throw new InputException("a vocabulary holds a token twice");
    }
  }

  /**
   * @param seqLen a sequence length
   * @throws InputException naming {@code seqLen} unless it is at least 1
   */
  public static void checkSeqLen(int seqLen) {
    if (seqLen < 1) {
      throw InputException.parameter("seqLen", "must be at least 1, got " + seqLen);
    }
  }

  /**
   * @param vocabSize a vocabulary size V, counting padding and unknown
   * @throws InputException naming {@code vocabSize} unless it is at least 3
   */
  public static void checkVocabSize(int vocabSize) {
    if (vocabSize < RESERVED + 1) {
      throw InputException.parameter("vocabSize", "must be at least " + (RESERVED + 1)
          + " (padding, unknown and one token), got " + vocabSize);
    }
  }

  /**
   * The vocabulary of at most {@code vocabSize} ids (padding and unknown among them) of the tokens of
   * {@code texts}: the most frequent first, ties broken by first appearance in {@code texts}' order.
   *
   * @param tokens    the token rule
   * @param vocabSize V, at least 3
   * @param seqLen    T, at least 1
   * @param texts     the training texts, in order
   * @return the vocabulary (fewer than V ids when the texts hold fewer distinct tokens)
   * @throws InputException naming {@code vocabSize} or {@code seqLen} when out of range
   */
  public static Vocabulary build(Tokens tokens, int vocabSize, int seqLen, Iterable<String> texts) {
    checkVocabSize(vocabSize);
    checkSeqLen(seqLen);
    Map<String, int[]> counts = new LinkedHashMap<>(); // in order of first appearance
    for (String text : texts) {
      for (String t : tokens.split(text)) {
        counts.computeIfAbsent(t, k -> new int[1])[0]++;
      }
    }
    List<Map.Entry<String, int[]>> byCount = new ArrayList<>(counts.entrySet());
    byCount.sort((a, b) -> Integer.compare(b.getValue()[0], a.getValue()[0])); // stable: ties keep first appearance
    List<String> words = new ArrayList<>();
    for (int i = 0; i < byCount.size() && words.size() < vocabSize - RESERVED; i++) {
      words.add(byCount.get(i).getKey());
    }
    return new Vocabulary(tokens, seqLen, words);
  }

  /** {@return the model JSON's "text" object: tokens, seqLen, vocabulary (the tokens of ids 2..)} */
  public ObjectNode toNode() {
    ObjectNode text = JsonNodeFactory.instance.objectNode();
    text.put("tokens", tokens.id);
    text.put("seqLen", seqLen);
    ArrayNode array = text.putArray("vocabulary");
    words.forEach(array::add);
    return text;
  }

  /**
   * Reads {@link #toNode()}'s object.
   *
   * @param text   the object
   * @param inputs the network's inputs, which T must equal
   * @param where  where it is, to begin every message with
   * @return the vocabulary
   * @throws InputException when a field is malformed or T is not {@code inputs}
   */
  public static Vocabulary fromNode(JsonNode text, int inputs, String where) {
    JsonNode seqLen = text.path("seqLen");
    if (!seqLen.isInt() || seqLen.intValue() != inputs) {
      throw new InputException(where + ".seqLen must be the network's " + inputs + " inputs, found " + seqLen);
    }
    JsonNode array = text.path("vocabulary");
    if (!array.isArray()) {
      throw new InputException(where + ".vocabulary must be an array of tokens");
    }
    List<String> tokens = new ArrayList<>();
    for (JsonNode n : array) {
      if (!n.isTextual()) {
        throw new InputException(where + ".vocabulary holds a value that is not text: " + n);
      }
      tokens.add(n.asText());
    }
    try {
      return new Vocabulary(Tokens.parse(text.path("tokens").asText("")), seqLen.intValue(), tokens);
    } catch (InputException e) {
      throw new InputException(where + ": " + e.getMessage());
    }
  }

  /** {@return V: the ids, padding and unknown included} */
  public int size() {
    return words.size() + RESERVED;
  }

  /**
   * The ids of a text: its first T tokens' ids, then padding to T.
   *
   * @param text   the text
   * @param out    where the T ids go, from {@code offset}
   * @param offset the first of them
   * @return how many tokens the text has (before truncation)
   */
  public int encode(String text, float[] out, int offset) {
    return encoder().encode(text, out, offset);
  }

  /**
   * @param text the text
   * @return its T ids
   * @throws InputException when it has no token
   */
  public float[] encode(String text) {
    float[] row = new float[seqLen];
    if (isEmpty(text, encode(text, row, 0))) {
      throw new InputException(noTokens("the text '" + text + "'"));
    }
    return row;
  }

  /**
   * @param text   a text
   * @param tokens its tokens
   * @return whether it is empty: blank (only white space, even for {@link Tokens#CHARS}) or without a token
   */
  public static boolean isEmpty(String text, int tokens) {
    return tokens == 0 || text.isBlank();
  }

  /**
   * @param what the text's place, e.g. "FILE:LINE, column C"
   * @return the message for a text without a token there
   */
  public String noTokens(String what) {
    return what + ": an empty text (" + (tokens == Tokens.WORDS ? "no word" : "no character but white space") + ")";
  }

  /** {@return an encoder of many texts, which looks tokens up in one index} */
  public Encoder encoder() {
    return new Encoder();
  }

  /** {@link #encode(String, float[], int)} for many texts, with the token index built once. */
  public final class Encoder {
    private final Map<String, Integer> ids = new HashMap<>();

    private Encoder() {
      for (int i = 0; i < words.size(); i++) {
        ids.put(words.get(i), i + RESERVED);
      }
    }

    /**
     * @param text   the text
     * @param out    where the T ids go, from {@code offset}
     * @param offset the first of them
     * @return how many tokens the text has (before truncation)
     */
    public int encode(String text, float[] out, int offset) {
      List<String> split = tokens.split(text);
      for (int i = 0; i < seqLen; i++) {
        out[offset + i] = i < split.size() ? ids.getOrDefault(split.get(i), UNKNOWN) : PADDING;
      }
      return split.size();
    }
  }
}

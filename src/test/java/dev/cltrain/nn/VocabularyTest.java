package dev.cltrain.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The token rules and the vocabulary of issue 27's shared contract: ids 0 padding, 1 unknown, 2.. most frequent
 * first with ties by first appearance; padding at the end, truncation keeping the first T tokens. Exact: ids are
 * small integers stored as floats.
 */
class VocabularyTest {
  @Test
  void wordsAreLowerCasedRunsOfLettersAndDigitsAndCharsAreEveryCodePoint() {
    assertEquals(List.of("free", "money", "now", "100", "x2"), Tokens.WORDS.split("FREE money, now!! 100% x2"));
    assertEquals(List.of("café", "naïve"), Tokens.WORDS.split("Café--naïve"));
    assertEquals(List.of(), Tokens.WORDS.split(" ,.!? "));
    assertEquals(List.of("a", "b", " ", "!"), Tokens.CHARS.split("Ab !"));
    assertEquals(List.of("x", "\uD83D\uDE00"), Tokens.CHARS.split("x\uD83D\uDE00"), "a surrogate pair is one token");
  }

  @Test
  void theMostFrequentComeFirstAndTiesKeepFirstAppearance() {
    Vocabulary v = Vocabulary.build(Tokens.WORDS, 100, 4, List.of("b a c", "a b d", "c"));
    // b, a and c twice each, first seen in that order; d once
    assertEquals(List.of("b", "a", "c", "d"), v.words());
    assertEquals(6, v.size(), "V counts padding and unknown");
  }

  @Test
  void theVocabularyKeepsVMinusTwoTokensAndTheRestAreUnknown() {
    Vocabulary v = Vocabulary.build(Tokens.WORDS, 4, 5, List.of("x y y z z z"));
    assertEquals(List.of("z", "y"), v.words());
    assertArrayEquals(new float[] {3, 3, 1, 2, 1}, v.encode("y y x z never"), "z = 2, y = 3, the rest 1");
  }

  @Test
  void aShortTextIsPaddedAtTheEndAndALongOneKeepsItsFirstTTokens() {
    Vocabulary v = new Vocabulary(Tokens.CHARS, 3, List.of("a", "b", "c"));
    assertArrayEquals(new float[] {2, 0, 0}, v.encode("a"));
    assertArrayEquals(new float[] {4, 3, 2}, v.encode("cbaab"));
    float[] row = {9, 9, 9, 9, 9};
    assertEquals(5, v.encode("abcab", row, 1), "the token count before truncation");
    assertArrayEquals(new float[] {9, 2, 3, 4, 9}, row, "only the T ids from the offset are written");
  }

  @Test
  void badSizesAndAnEmptyTextAreInputErrorsNamingTheParameter() {
    assertEquals("seqLen", assertThrows(InputException.class,
        () -> Vocabulary.build(Tokens.WORDS, 10, 0, List.of("a"))).parameter());
    assertEquals("vocabSize", assertThrows(InputException.class,
        () -> Vocabulary.build(Tokens.WORDS, 2, 5, List.of("a"))).parameter());
    Vocabulary v = new Vocabulary(Tokens.WORDS, 2, List.of("a"));
    assertTrue(assertThrows(InputException.class, () -> v.encode("?!")).getMessage().contains("empty text"));
    assertEquals("tokens", assertThrows(InputException.class, () -> Tokens.parse("bytes")).parameter());
  }

  @Test
  void aModelFileKeepsTheVocabularyAndAModelWithoutOneHasNoTextField() {
    Network plain = Network.builder(3, 2).loss(Loss.XENT).seed(0).build();
    assertFalse(ModelJson.toJson(plain).contains("\"text\""), "a model of numbers is written as before");
    Vocabulary v = new Vocabulary(Tokens.WORDS, 3, List.of("free", "money", "\"quoted\", comma"));
    Network text = plain.withVocabulary(v).withClassNames(List.of("ham", "spam"));
    Network back = ModelJson.parse(ModelJson.toJson(text), "m.json");
    assertEquals(v, back.vocabulary());
    assertEquals(ModelJson.toJson(text), ModelJson.toJson(back), "the round trip keeps every byte");
    assertNull(ModelJson.parse(ModelJson.toJson(plain), "m.json").vocabulary());
    String wrongLength = ModelJson.toJson(text).replace("\"seqLen\" : 3", "\"seqLen\" : 4");
    assertTrue(assertThrows(InputException.class, () -> ModelJson.parse(wrongLength, "m.json")).getMessage()
        .contains("\"text\".seqLen"), "a T other than the inputs is refused, naming the field");
  }
}

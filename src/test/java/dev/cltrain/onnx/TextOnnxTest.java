package dev.cltrain.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.Tokens;
import dev.cltrain.nn.Vocabulary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An exported text model keeps its vocabulary in the ONNX metadata ({@value OnnxMetadata#TEXT}), and imports with it. */
class TextOnnxTest {
  @Test
  void theVocabularyTravelsInTheMetadata() {
    Network plain = Network.builder(4, 3).loss(Loss.XENT).seed(0).build();
    assertFalse(OnnxMetadata.of(plain, Map.of()).containsKey(OnnxMetadata.TEXT), "numbers: no text entry");
    Vocabulary v = new Vocabulary(Tokens.CHARS, 4, List.of("a", "é", ",", "\""));
    Network text = plain.withVocabulary(v);
    Network back = Onnx.fromBytes(Onnx.toBytes(text, Map.of()), "text.onnx");
    assertEquals(v, back.vocabulary());
    assertNull(OnnxMetadata.vocabulary(Map.of(OnnxMetadata.TEXT, "{\"tokens\":\"chars\",\"seqLen\":5}"), 4),
        "a malformed entry is no vocabulary (metadata are read leniently)");
  }
}

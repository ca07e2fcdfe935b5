package dev.recap.plugins.captioners;

import dev.recap.api.torchscript.TorchScriptArchive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A TorchScript captioning model in the {@link TorchScriptCaptioner} contract that Recap writes
 * itself (with {@link TorchScriptArchive}) for tests: it says "a <colour> shape" for the
 * {@link TinyScenes}, naming the colour whose template is nearest to the per-channel peak of the
 * normalized image. Weights are set in Java, not trained.
 */
final class ColourCaptionModel {

  static final List<String> VOCAB = List.of("<pad>", "<start>", "<end>", "<unk>", "a", "red", "green", "blue", "yellow", "shape");
  /** Per-channel peaks (0-255) of a scene of each colour: object channel high, others at the grey background. */
  static final int[][] TEMPLATES = {{230, 115, 115}, {115, 200, 115}, {115, 115, 240}, {240, 220, 115}};
  private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

  static final String FORWARD = ""
      + "  def forward(self: __torch__.ColourCaptioner,\n"
      + "    images: Tensor,\n"
      + "    tokens: Tensor) -> Tensor:\n"
      + "    peak = torch.amax(images, [2, 3])\n"
      + "    colour = torch.add(torch.matmul(peak, self.colour), self.colour_bias)\n"
      + "    transition = torch.embedding(self.transition, tokens)\n"
      + "    gate = torch.embedding(self.gate, tokens)\n"
      + "    return torch.add(transition, torch.mul(gate, torch.unsqueeze(colour, 1)))\n";

  private ColourCaptionModel() {}

  /** Writes {@code model.pt} and {@code tokenizer.json} into {@code dir}. */
  static void write(Path dir) throws IOException {
    int v = VOCAB.size();
    int a = VOCAB.indexOf("a");
    int shape = VOCAB.indexOf("shape");
    float[] transition = new float[v * v];
    java.util.Arrays.fill(transition, -100f);
    for (int from = 0; from < v; from++) {
      transition[from * v + 2] = 10f; // default: end
    }
    transition[1 * v + a] = 20f; // start -> a
    for (int c = 5; c <= 8; c++) {
      transition[a * v + c] = 0f; // a -> colour, decided by the image
      transition[c * v + shape] = 20f; // colour -> shape
    }
    transition[a * v + 2] = -100f;
    float[] gate = new float[v];
    gate[a] = 1f;
    float[] colour = new float[3 * v];
    float[] bias = new float[v];
    for (int c = 0; c < 4; c++) {
      double norm = 0;
      for (int ch = 0; ch < 3; ch++) {
        float t = (TEMPLATES[c][ch] / 255f - MEAN[ch]) / STD[ch];
        colour[ch * v + 5 + c] = t;
        norm += t * t;
      }
      bias[5 + c] = (float) (-norm / 2); // nearest template = argmax of p.t - |t|^2 / 2
    }
    new TorchScriptArchive("ColourCaptioner", FORWARD)
        .parameter("colour", new TorchScriptArchive.Tensor(colour, 3, v))
        .parameter("colour_bias", new TorchScriptArchive.Tensor(bias, v))
        .parameter("transition", new TorchScriptArchive.Tensor(transition, v, v))
        .parameter("gate", new TorchScriptArchive.Tensor(gate, v, 1))
        .write(dir.resolve("model.pt"));
    Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson(), StandardCharsets.UTF_8);
  }

  static String tokenizerJson() {
    StringBuilder added = new StringBuilder();
    StringBuilder vocab = new StringBuilder();
    for (int i = 0; i < VOCAB.size(); i++) {
      String w = VOCAB.get(i);
      if (i < 4) {
        added.append(added.length() == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"content\":\"").append(w)
            .append("\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}");
      }
      vocab.append(i == 0 ? "" : ",").append('"').append(w).append("\":").append(i);
    }
    return "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[" + added + "],"
        + "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Whitespace\"},\"post_processor\":null,\"decoder\":null,"
        + "\"model\":{\"type\":\"WordLevel\",\"vocab\":{" + vocab + "},\"unk_token\":\"<unk>\"}}";
  }
}

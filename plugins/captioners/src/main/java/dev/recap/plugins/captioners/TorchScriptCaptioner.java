package dev.recap.plugins.captioners;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.recap.api.Extensions;
import dev.recap.api.PluginConfig;
import dev.recap.api.caption.Caption;
import dev.recap.api.caption.CaptionRequest;
import dev.recap.api.caption.Captioner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * The captioner {@code torchscript}: runs an external captioning model exported as TorchScript,
 * with DJL's PyTorch engine, and a local HuggingFace {@code tokenizer.json}. Nothing is
 * downloaded.
 *
 * <p>The model contract: {@code forward(images: Tensor, tokens: Tensor) -> Tensor} with
 * {@code images} float32 {@code [B, 3, imageSize, imageSize]} (RGB scaled to [0, 1], then
 * normalized with CLIP's means 0.4815, 0.4578, 0.4082 and deviations 0.2686, 0.2613, 0.2758),
 * {@code tokens} int64 {@code [B, T]} (ids of the tokenizer, starting with the start token), and
 * the result float32 logits {@code [B, T, V]} for the next token at every position. Decoding is
 * greedy in Recap, up to {@code maxLength} tokens, stopping at the end token; the caption is the
 * tokenizer's decoding of the generated ids without special tokens. {@link dev.recap.api.torchscript.TorchScriptArchive}
 * writes models in this contract from Java.
 *
 * <p>Config keys (defaults): {@code model} (required: the {@code .pt} file), {@code tokenizer}
 * (required: the {@code tokenizer.json}), {@code imageSize} (64), {@code maxLength} (16), {@code
 * startToken} ({@code <start>}), {@code endToken} ({@code <end>}).
 */
@Extension
public final class TorchScriptCaptioner implements Captioner {

  @Override
  public String id() {
    return "torchscript";
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public Session open(PluginConfig config, long seed, Extensions extensions) throws IOException {
    Path modelFile = existing(config, "model");
    Path tokenizerFile = existing(config, "tokenizer");
    int imageSize = config.getInt("imageSize", 64);
    int maxLength = config.getInt("maxLength", 16);
    if (imageSize < 1 || maxLength < 2) {
      throw new IllegalArgumentException("config keys 'imageSize' (" + imageSize + ") and 'maxLength' (" + maxLength + ") must be at least 1 and 2");
    }
    HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerFile, Map.of("maxLength", "512"));
    long start = tokenId(tokenizer, config.getString("startToken", "<start>"), "startToken", tokenizerFile);
    long end = tokenId(tokenizer, config.getString("endToken", "<end>"), "endToken", tokenizerFile);
    Model model = Model.newInstance("torchscript-captioner", extensions.device(), "PyTorch");
    String name = modelFile.getFileName().toString();
    try {
      model.load(modelFile.toAbsolutePath().getParent(), name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name);
    } catch (MalformedModelException | IOException e) {
      model.close();
      tokenizer.close();
      throw new IOException("config key 'model': " + modelFile + " is not a loadable TorchScript module: " + e.getMessage(), e);
    }
    return new TorchScriptSession(model, tokenizer, imageSize, maxLength, start, end);
  }

  private static Path existing(PluginConfig config, String key) throws IOException {
    Path p = Path.of(config.requireString(key));
    if (!Files.isRegularFile(p)) {
      throw new IOException("config key '" + key + "': file " + p.toAbsolutePath() + " does not exist");
    }
    return p;
  }

  private static long tokenId(HuggingFaceTokenizer tokenizer, String token, String key, Path file) {
    long[] ids = tokenizer.encode(token, false, false).getIds();
    if (ids.length != 1) {
      throw new IllegalArgumentException("config key '" + key + "': '" + token + "' is not one token of " + file + " (it encodes to " + Arrays.toString(ids) + ")");
    }
    return ids[0];
  }

  private record TorchScriptSession(Model model, HuggingFaceTokenizer tokenizer, int imageSize, int maxLength, long start, long end)
      implements Session {

    @Override
    public List<Caption> caption(List<CaptionRequest> batch) {
      if (batch.isEmpty()) {
        return List.of();
      }
      int b = batch.size();
      int pixels = 3 * imageSize * imageSize;
      float[] images = new float[b * pixels];
      for (int i = 0; i < b; i++) {
        ImagePixels.writeChw(batch.get(i).image(), imageSize, images, i * pixels);
      }
      long[][] seqs = new long[b][maxLength];
      boolean[] done = new boolean[b];
      int length = 1;
      for (long[] s : seqs) {
        s[0] = start;
      }
      try (NDManager m = model.getNDManager().newSubManager()) {
        ParameterStore ps = new ParameterStore(m, false);
        NDArray x = m.create(images, new Shape(b, 3, imageSize, imageSize));
        while (length < maxLength) {
          long[] flat = new long[b * length];
          for (int i = 0; i < b; i++) {
            System.arraycopy(seqs[i], 0, flat, i * length, length);
          }
          NDArray logits = model.getBlock().forward(ps, new NDList(x, m.create(flat, new Shape(b, length))), false).head();
          if (logits.getShape().dimension() != 3 || logits.getShape().get(0) != b || logits.getShape().get(1) != length) {
            throw new IllegalStateException("TorchScript captioner: forward returned shape " + logits.getShape()
                + ", the contract is logits [B, T, V] = [" + b + ", " + length + ", V]");
          }
          long[] next = logits.get(":, -1, :").argMax(-1).toLongArray();
          boolean all = true;
          for (int i = 0; i < b; i++) {
            seqs[i][length] = done[i] ? end : next[i];
            done[i] |= next[i] == end;
            all &= done[i];
          }
          length++;
          if (all) {
            break;
          }
        }
      }
      List<Caption> out = new ArrayList<>(b);
      for (int i = 0; i < b; i++) {
        int stop = 1;
        while (stop < length && seqs[i][stop] != end) {
          stop++;
        }
        String text = tokenizer.decode(Arrays.copyOfRange(seqs[i], 1, stop), true).strip();
        out.add(text.isEmpty()
            ? Caption.none(batch.get(i).key(), "the TorchScript model ended the caption before any word")
            : Caption.of(batch.get(i).key(), text));
      }
      return out;
    }

    @Override
    public void close() {
      model.close();
      tokenizer.close();
    }
  }
}

package dev.recap.plugins.vit;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the DJL parameter names of a {@link VisionTransformer} to OpenCLIP's {@code visual.*}
 * state-dict names. DJL names a child parameter {@code <NN><child>_<param>} with a running child
 * number {@code NN}, nested with {@code _}; e.g. {@code 05resblock2_02attn_01out_proj_weight} is
 * {@code visual.transformer.resblocks.2.attn.out_proj.weight}.
 *
 * <p>Layouts agree with OpenCLIP tensor for tensor (linear weights {@code [out, in]},
 * {@code in_proj_weight} packs q, k, v), so values export unchanged. Not produced here:
 * {@code visual.proj} (the CLIP model's image projection, owned by the trainer; OpenCLIP stores
 * it as {@code [width, embed]}, i.e. the transpose of a DJL linear weight).
 */
final class OpenClipNames {

  private record Rule(Pattern pattern, String replacement) {}

  private static final List<Rule> RULES = List.of(
      rule("class_embedding", "visual.class_embedding"),
      rule("positional_embedding", "visual.positional_embedding"),
      rule("\\d+conv1_weight", "visual.conv1.weight"),
      rule("\\d+ln_pre_(weight|bias)", "visual.ln_pre.$1"),
      rule("\\d+ln_post_(weight|bias)", "visual.ln_post.$1"),
      rule("\\d+resblock(\\d+)_\\d+(ln_1|ln_2)_(weight|bias)", "visual.transformer.resblocks.$1.$2.$3"),
      rule("\\d+resblock(\\d+)_\\d+attn_(in_proj_weight|in_proj_bias)", "visual.transformer.resblocks.$1.attn.$2"),
      rule("\\d+resblock(\\d+)_\\d+attn_\\d+out_proj_(weight|bias)", "visual.transformer.resblocks.$1.attn.out_proj.$2"),
      rule("\\d+resblock(\\d+)_\\d+mlp_\\d+(c_fc|c_proj)_(weight|bias)", "visual.transformer.resblocks.$1.mlp.$2.$3"));

  private OpenClipNames() {}

  private static Rule rule(String regex, String replacement) {
    return new Rule(Pattern.compile(regex), replacement);
  }

  /** The OpenCLIP name, or {@code djlName} unchanged when it is not a ViT tower parameter. */
  static String of(String djlName) {
    for (Rule rule : RULES) {
      Matcher m = rule.pattern().matcher(djlName);
      if (m.matches()) {
        return m.replaceFirst(rule.replacement());
      }
    }
    return djlName;
  }
}

package dev.recap.plugins.mci;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Maps the DJL parameter names of an {@link MciTower} to the state-dict names of Apple's MobileCLIP
 * image encoder ({@code mobileclip/image_encoder.py}: {@code image_encoder.model.*}, the FastViT of
 * {@code mobileclip/models/mci.py}), so a tower's values export unchanged.
 *
 * <p>DJL names a child parameter {@code <NN><child>_<param>} with a running child number
 * {@code NN}, nested with {@code _}, e.g. {@code 08stage3_02block0_01norm_running_mean}. The
 * reference keeps stages and the downsampling between them in one list, {@code network}: stage
 * 0, downsample 0, stage 1, downsample 1, stage 2, downsample 2, the stage-4 positional encoding,
 * stage 3, i.e. {@code network.7.0.norm.running_mean} for that example. Inside, the names are
 * the reference's: MobileOne's {@code rbr_conv.K} / {@code rbr_scale} / {@code rbr_skip} /
 * {@code reparam_conv} with {@code se.reduce} / {@code se.expand}, RepLKNet's
 * {@code lkb_origin} / {@code small_conv} / {@code lkb_reparam} with timm's squeeze-excite
 * ({@code se.fc1} / {@code se.fc2}), the attention block's {@code token_mixer.qkv} and
 * {@code token_mixer.proj}, and the {@code head_proj} of {@code projectionDim} as
 * {@code head.proj}.
 */
final class MobileClipNames {

  /** What every name starts with: the image encoder of MobileCLIP's CLIP, around the FastViT. */
  static final String PREFIX = "image_encoder.model.";

  /** Parameter names (the last part of a DJL name), longest first so that {@code qkv_weight} wins over {@code weight}. */
  private static final List<String> PARAMETERS = List.of("layer_scale_1", "layer_scale_2", "running_mean", "running_var",
      "layer_scale", "qkv_weight", "proj_weight", "proj_bias", "head_proj", "weight", "bias");

  private static final Pattern CHILD = Pattern.compile("\\d\\d[A-Za-z_0-9]+");
  private static final Pattern NUMBERED = Pattern.compile("(rbr_conv|stage|downsample|block|conv)(\\d+)");

  private MobileClipNames() {}

  /** The MobileCLIP name, or {@code djlName} unchanged when it is not an MCi tower parameter. */
  static String of(String djlName) {
    String parameter = null;
    for (String p : PARAMETERS) {
      if (djlName.equals(p) || djlName.endsWith("_" + p)) {
        parameter = p;
        break;
      }
    }
    if (parameter == null) {
      return djlName;
    }
    String path = djlName.length() == parameter.length() ? "" : djlName.substring(0, djlName.length() - parameter.length() - 1);
    List<String> children = new ArrayList<>();
    if (!path.isEmpty()) {
      for (String part : path.split("_(?=\\d\\d)")) {
        if (!CHILD.matcher(part).matches()) {
          return djlName;
        }
        children.add(part.substring(2));
      }
    }
    List<String> out = new ArrayList<>();
    boolean timmSqueezeExcite = false;
    for (int i = 0; i < children.size(); i++) {
      String child = children.get(i);
      var numbered = NUMBERED.matcher(child);
      int index = numbered.matches() ? Integer.parseInt(numbered.group(2)) : -1;
      String kind = numbered.matches() ? numbered.group(1) : child;
      if (i == 0) {
        switch (kind) {
          case "patch_embed", "conv_exp" -> out.add(kind);
          case "stage" -> {
            // stage 3's positional encoding is its own entry of the reference's network list
            boolean positional = children.size() > 1 && children.get(1).equals("pos_emb");
            out.add("network." + (index == 3 ? (positional ? 6 : 7) : 2 * index));
            if (positional) {
              i++;
            }
          }
          case "downsample" -> out.add("network." + (2 * index + 1) + ".proj");
          default -> {
            return djlName;
          }
        }
        continue;
      }
      String parent = children.get(i - 1);
      if (kind.equals("conv") && index >= 0 && parent.equals("patch_embed")) {
        out.add(Integer.toString(index)); // the stem's three MobileOne blocks
      } else if (kind.equals("block") && index >= 0) {
        out.add(Integer.toString(index));
      } else if (kind.equals("rbr_conv") && index >= 0) {
        out.add("rbr_conv." + index);
      } else if (child.equals("lkb")) {
        out.add("0");
        timmSqueezeExcite = true;
      } else if (child.equals("pw")) {
        out.add("1");
        timmSqueezeExcite = false;
      } else if (timmSqueezeExcite && parent.equals("se")) {
        out.add(child.equals("reduce") ? "fc1" : child.equals("expand") ? "fc2" : child);
      } else {
        out.add(child);
      }
    }
    switch (parameter) {
      case "qkv_weight" -> out.add("token_mixer.qkv.weight");
      case "proj_weight" -> out.add("token_mixer.proj.weight");
      case "proj_bias" -> out.add("token_mixer.proj.bias");
      case "head_proj" -> out.add("head.proj");
      default -> out.add(parameter);
    }
    return PREFIX + String.join(".", out);
  }
}

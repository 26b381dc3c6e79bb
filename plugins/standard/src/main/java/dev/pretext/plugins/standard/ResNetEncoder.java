package dev.pretext.plugins.standard;

import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.graph.Ops;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

/**
 * A ResNet of basic blocks (He et al. 2016), laid out as torchvision's: a stem, then stages of
 * blocks {@code conv3×3-BN-ReLU-conv3×3-BN + shortcut, ReLU}; every stage after the first halves
 * the resolution in its first block (stride 2), whose shortcut is then a 1×1 stride-2 convolution
 * with batch norm (also when only the width changes). Global average pooling of the last stage is
 * the representation. The {@code cifar} stem is one 3×3 convolution (stride 1) with BN and ReLU;
 * the {@code imagenet} stem a 7×7 stride-2 convolution, BN, ReLU and 3×3 stride-2 max pooling.
 *
 * <p>Padding is explicit, k/2 on every side, as in PyTorch, not SAME: libnd4j's SAME with stride 2
 * pads only after the image when the side is even, so a 3×3 stride-2 convolution on 28 × 28 centres
 * on odd pixels while the 1×1 shortcut samples even ones (a pixel off). Explicit padding gives
 * ⌈h/2⌉ for even and odd sides (28 → 14 → 7 → 4) with both branches on the same pixels.
 */
final class ResNetEncoder implements Encoder {

  /** The first layers, before the stages. */
  enum Stem {
    /** 3×3 convolution, stride 1, BN, ReLU: the CIFAR ResNets' (small images keep their size). */
    CIFAR(3, 1),
    /** 7×7 convolution, stride 2, BN, ReLU, then 3×3 max pooling, stride 2: ImageNet's (÷ 4). */
    IMAGENET(7, 2);

    final int kernel;
    final int stride;

    Stem(int kernel, int stride) {
      this.kernel = kernel;
      this.stride = stride;
    }
  }

  /** Validated settings. */
  record Settings(List<Integer> widths, List<Integer> blocks, Stem stem) {
    Settings {
      widths = List.copyOf(widths);
      blocks = List.copyOf(blocks);
      if (widths.isEmpty() || widths.stream().anyMatch(w -> w < 1 || w > 4096)) {
        throw new IllegalArgumentException("widths must list 1 to n values in 1..4096, got " + widths);
      }
      if (blocks.size() != widths.size() || blocks.stream().anyMatch(b -> b < 1 || b > 64)) {
        throw new IllegalArgumentException("blocks must list one value in 1..64 per stage (" + widths.size()
            + "), got " + blocks);
      }
    }

    /** Read with range checks: errors name the key by its path in the suite, at its file and line. */
    static Settings from(dev.pretext.toolkit.Settings s) {
      List<Integer> widths = s.intListIn("widths", 1, 4096);
      List<Integer> blocks = s.intListIn("blocks", 1, 64);
      if (blocks.size() != widths.size()) {
        throw s.bad("blocks", "must list one number of blocks per stage, as many as widths (" + widths.size()
            + "), got " + blocks.size() + ": " + blocks);
      }
      Stem stem = Stem.valueOf(s.oneOf("stem", "cifar", "imagenet").toUpperCase(Locale.ROOT));
      return new Settings(widths, blocks, stem);
    }
  }

  /** One basic block's weights; {@code shortcut} is null for an identity shortcut. */
  private record Block(int stride, SDVariable conv1, Ops.BatchNormWeights bn1, SDVariable conv2,
      Ops.BatchNormWeights bn2, SDVariable shortcut, Ops.BatchNormWeights shortcutBn) {}

  private final Settings settings;

  ResNetEncoder(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Representation build(GraphBuilder g, SDVariable images, ImageShape shape) {
    return Encoder.buildOnce(this, g, images, shape);
  }

  @Override
  public EncoderModule create(GraphBuilder g, ImageShape shape) {
    long in = settings.widths().get(0);
    SDVariable stem = kernel(g, "stem_w", settings.stem().kernel, shape.channels(), in);
    Ops.BatchNormWeights stemBn = norm(g, "stem_bn", in);
    List<List<Block>> stages = new ArrayList<>();
    for (int s = 0; s < settings.widths().size(); s++) {
      long out = settings.widths().get(s);
      List<Block> blocks = new ArrayList<>();
      for (int b = 0; b < settings.blocks().get(s); b++) {
        String name = "stage" + (s + 1) + "_block" + (b + 1) + "_";
        int stride = s > 0 && b == 0 ? 2 : 1;
        boolean project = stride != 1 || in != out;
        blocks.add(new Block(stride,
            kernel(g, name + "conv1_w", 3, in, out), norm(g, name + "bn1", out),
            kernel(g, name + "conv2_w", 3, out, out), norm(g, name + "bn2", out),
            project ? kernel(g, name + "shortcut_w", 1, in, out) : null,
            project ? norm(g, name + "shortcut_bn", out) : null));
        in = out;
      }
      stages.add(blocks);
    }
    return new Module(g, shape.channels(), stem, stemBn, stages);
  }

  /**
   * A {@code [k, k, in, out]} kernel, He-normal with fan-out (torchvision's ResNet init: std =
   * sqrt(2 / (k²·out))). Batch norm follows every convolution, so the scale changes no output.
   */
  private static SDVariable kernel(GraphBuilder g, String name, int k, long in, long out) {
    return g.normalVariable(name, Math.sqrt(2.0 / (k * k * out)), k, k, in, out);
  }

  /**
   * Batch norm with γ = 1 and β = 0 everywhere, the last one of each block included: PyTorch's
   * default ({@code zero_init_residual=False}); zero γ helps large-batch ImageNet runs (Goyal et al.
   * 2017), nothing measured here asks for it.
   */
  private static Ops.BatchNormWeights norm(GraphBuilder g, String name, long channels) {
    return Ops.batchNormWeights(g, name, new long[] {1, channels, 1, 1});
  }

  /** A k×k convolution of channels-last maps, padding k/2 on each side (⌈h/s⌉ outputs). */
  private static SDVariable conv(SameDiff sd, SDVariable x, SDVariable w, int k, int stride) {
    return sd.cnn().conv2d(x, w, Conv2DConfig.builder().kH(k).kW(k).sH(stride).sW(stride).pH(k / 2).pW(k / 2)
        .paddingMode(PaddingMode.VALID).dataFormat("NHWC").build());
  }

  /** The weights of one ResNet, applied to any image size with its channel count. */
  private final class Module implements EncoderModule {
    private final GraphBuilder g;
    private final long inputChannels;
    private final SDVariable stem;
    private final Ops.BatchNormWeights stemBn;
    private final List<List<Block>> stages;

    Module(GraphBuilder g, long inputChannels, SDVariable stem, Ops.BatchNormWeights stemBn,
        List<List<Block>> stages) {
      this.g = g;
      this.inputChannels = inputChannels;
      this.stem = stem;
      this.stemBn = stemBn;
      this.stages = stages;
    }

    @Override
    public long representationSize() {
      return settings.widths().get(settings.widths().size() - 1);
    }

    @Override
    public EncoderOutput apply(SDVariable images, ImageShape shape, String application) {
      if (shape.channels() != inputChannels) {
        throw new IllegalArgumentException("this resnet was made for " + inputChannels + "-channel images, not "
            + shape);
      }
      SameDiff sd = g.sameDiff();
      // Channels last inside, as conv4 (docs/architecture.md, "Where a step's time goes").
      SDVariable x = images.permute(0, 2, 3, 1);
      Stem kind = settings.stem();
      x = conv(sd, x, stem, kind.kernel, kind.stride);
      x = Ops.relu(sd, Ops.channelsLastBatchNorm(g, stemBn, x, application));
      if (kind == Stem.IMAGENET) {
        // Padded cells never win: libnd4j's max pooling skips them (and the input is ≥ 0 here).
        x = sd.cnn().maxPooling2d(x, Pooling2DConfig.builder().kH(3).kW(3).sH(2).sW(2).pH(1).pW(1)
            .paddingMode(PaddingMode.VALID).isNHWC(true).build());
      }
      List<SDVariable> maps = new ArrayList<>();
      for (List<Block> blocks : stages) {
        for (Block b : blocks) {
          x = block(sd, b, x, application);
        }
        // Channels first at the SPI boundary; a view nobody computes unless a head uses it.
        maps.add(x.permute(0, 3, 1, 2));
      }
      String name = EncoderModule.MAIN.equals(application) ? "representation" : "representation_" + application;
      return new EncoderOutput(x.mean(g.name(name), 1, 2), maps);
    }

    private SDVariable block(SameDiff sd, Block b, SDVariable x, String application) {
      SDVariable y = conv(sd, x, b.conv1(), 3, b.stride());
      y = Ops.relu(sd, Ops.channelsLastBatchNorm(g, b.bn1(), y, application));
      y = Ops.channelsLastBatchNorm(g, b.bn2(), conv(sd, y, b.conv2(), 3, 1), application);
      SDVariable shortcut = b.shortcut() == null ? x
          : Ops.channelsLastBatchNorm(g, b.shortcutBn(), conv(sd, x, b.shortcut(), 1, b.stride()), application);
      return Ops.relu(sd, y.add(shortcut));
    }
  }
}

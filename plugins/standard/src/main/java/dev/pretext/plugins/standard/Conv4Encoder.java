package dev.pretext.plugins.standard;

import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.graph.Ops;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

/**
 * A small CNN: blocks of 3×3 convolution (same padding, no bias), batch norm and ReLU, with 2×2
 * max pooling after the first {@code pooled-blocks} blocks, then global average pooling. The
 * representation is the pooled output of the last block.
 */
final class Conv4Encoder implements Encoder {

  /** Validated settings. */
  record Settings(List<Integer> channels, int pooledBlocks) {
    Settings {
      if (channels.isEmpty() || channels.stream().anyMatch(c -> c < 1 || c > 4096)) {
        throw new IllegalArgumentException("channels must list 1 to n values in 1..4096, got " + channels);
      }
      if (pooledBlocks < 0 || pooledBlocks > channels.size()) {
        throw new IllegalArgumentException("pooled-blocks must be in 0.." + channels.size() + ", got " + pooledBlocks);
      }
    }

    /** Read with range checks: errors name the key by its path in the suite, at its file and line. */
    static Settings from(dev.pretext.toolkit.Settings s) {
      List<Integer> channels = s.intListIn("channels", 1, 4096);
      return new Settings(channels, s.intIn("pooled-blocks", 0, channels.size(), "at most one per block"));
    }
  }

  private final Settings settings;

  Conv4Encoder(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Representation build(GraphBuilder g, SDVariable images, ImageShape shape) {
    return Encoder.buildOnce(this, g, images, shape);
  }

  @Override
  public EncoderModule create(GraphBuilder g, ImageShape shape) {
    List<SDVariable> kernels = new ArrayList<>();
    List<Ops.BatchNormWeights> norms = new ArrayList<>();
    long in = shape.channels();
    for (int i = 0; i < settings.channels().size(); i++) {
      long out = settings.channels().get(i);
      // He initialization for ReLU: std = sqrt(2 / fan_in).
      kernels.add(g.normalVariable("conv" + (i + 1) + "_w", Math.sqrt(2.0 / (9 * in)), 3, 3, in, out));
      norms.add(Ops.batchNormWeights(g, "bn" + (i + 1), new long[] {1, out, 1, 1}));
      in = out;
    }
    return new Module(g, shape.channels(), kernels, norms);
  }

  /** The weights of one conv4, applied to any image size with its channel count. */
  private final class Module implements EncoderModule {
    private final GraphBuilder g;
    private final long inputChannels;
    private final List<SDVariable> kernels;
    private final List<Ops.BatchNormWeights> norms;

    Module(GraphBuilder g, long inputChannels, List<SDVariable> kernels, List<Ops.BatchNormWeights> norms) {
      this.g = g;
      this.inputChannels = inputChannels;
      this.kernels = kernels;
      this.norms = norms;
    }

    @Override
    public long representationSize() {
      return settings.channels().get(settings.channels().size() - 1);
    }

    @Override
    public EncoderOutput apply(SDVariable images, ImageShape shape, String application) {
      if (shape.channels() != inputChannels) {
        throw new IllegalArgumentException("this conv4 was made for " + inputChannels + "-channel images, not "
            + shape);
      }
      SameDiff sd = g.sameDiff();
      // Channels last inside: libnd4j's batch norm, pooling and first convolution run 1.3-3.4x
      // faster on [N, H, W, C] than on [N, C, H, W] (docs/architecture.md, "Where a step's time goes").
      SDVariable x = images.permute(0, 2, 3, 1);
      int size = Math.min(shape.height(), shape.width());
      List<SDVariable> maps = new ArrayList<>();
      for (int i = 0; i < kernels.size(); i++) {
        x = sd.cnn().conv2d(x, kernels.get(i), Conv2DConfig.builder().kH(3).kW(3)
            .paddingMode(PaddingMode.SAME).dataFormat("NHWC").build());
        x = Ops.channelsLastBatchNorm(g, norms.get(i), x, application);
        x = Ops.relu(sd, x);
        // Channels first at the SPI boundary; a view nobody computes unless a dense head uses it.
        maps.add(x.permute(0, 3, 1, 2));
        if (i < settings.pooledBlocks() && size >= 2) {
          x = sd.cnn().maxPooling2d(x, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(true).build());
          size /= 2;
        }
      }
      String name = EncoderModule.MAIN.equals(application) ? "representation" : "representation_" + application;
      return new EncoderOutput(x.mean(g.name(name), 1, 2), maps);
    }
  }
}

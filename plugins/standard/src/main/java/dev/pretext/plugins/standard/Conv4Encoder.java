package dev.pretext.plugins.standard;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.api.graph.Ops;
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

    static Settings from(Config c) {
      try {
        return new Settings(c.getIntList("channels"), c.getInt("pooled-blocks"));
      } catch (IllegalArgumentException e) {
        throw new ConfigException.BadValue(c.origin(), "channels", e.getMessage());
      }
    }
  }

  private final Settings settings;

  Conv4Encoder(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Representation build(GraphBuilder g, SDVariable images, ImageShape shape) {
    SameDiff sd = g.sameDiff();
    // Channels last inside: libnd4j's batch norm, pooling and first convolution run 1.3-3.4x
    // faster on [N, H, W, C] than on [N, C, H, W] (docs/architecture.md, "Where a step's time goes").
    SDVariable x = images.permute(0, 2, 3, 1);
    long in = shape.channels();
    int size = Math.min(shape.height(), shape.width());
    for (int i = 0; i < settings.channels().size(); i++) {
      long out = settings.channels().get(i);
      // He initialization for ReLU: std = sqrt(2 / fan_in).
      SDVariable w = g.normalVariable("conv" + (i + 1) + "_w", Math.sqrt(2.0 / (9 * in)), 3, 3, in, out);
      x = sd.cnn().conv2d(x, w, Conv2DConfig.builder().kH(3).kW(3)
          .paddingMode(PaddingMode.SAME).dataFormat("NHWC").build());
      x = Ops.channelsLastBatchNorm(g, "bn" + (i + 1), x, out);
      x = Ops.relu(sd, x);
      if (i < settings.pooledBlocks() && size >= 2) {
        x = sd.cnn().maxPooling2d(x, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(true).build());
        size /= 2;
      }
      in = out;
    }
    SDVariable h = x.mean(g.name("representation"), 1, 2);
    return new Representation(h, in);
  }
}

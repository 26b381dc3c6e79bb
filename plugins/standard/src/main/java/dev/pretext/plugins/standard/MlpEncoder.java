package dev.pretext.plugins.standard;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.api.graph.Ops;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/** An MLP on the flattened image: linear, batch norm, ReLU per hidden layer; h is the last one. */
final class MlpEncoder implements Encoder {

  /** Validated settings. */
  record Settings(List<Integer> hidden) {
    Settings {
      if (hidden.isEmpty() || hidden.stream().anyMatch(c -> c < 1 || c > 65_536)) {
        throw new IllegalArgumentException("hidden must list 1 to n sizes in 1..65536, got " + hidden);
      }
    }

    static Settings from(Config c) {
      try {
        return new Settings(c.getIntList("hidden"));
      } catch (IllegalArgumentException e) {
        throw new ConfigException.BadValue(c.origin(), "hidden", e.getMessage());
      }
    }
  }

  private final Settings settings;

  MlpEncoder(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Representation build(GraphBuilder g, SDVariable images, ImageShape shape) {
    SDVariable x = images.reshape(-1, shape.size());
    long in = shape.size();
    for (int i = 0; i < settings.hidden().size(); i++) {
      long out = settings.hidden().get(i);
      x = Ops.linear(g, "fc" + (i + 1), x, in, out);
      x = Ops.batchNorm(g, "bn" + (i + 1), x, out);
      x = g.sameDiff().nn().relu(x, 0);
      in = out;
    }
    return new Representation(x.rename(g.name("representation")), in);
  }
}

package dev.pretext.plugins.standard;

import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.graph.Ops;
import java.util.ArrayList;
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

    /** Read with range checks: errors name the key by its path in the suite, at its file and line. */
    static Settings from(dev.pretext.toolkit.Settings s) {
      return new Settings(s.intListIn("hidden", 1, 65_536));
    }
  }

  private final Settings settings;

  MlpEncoder(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Representation build(GraphBuilder g, SDVariable images, ImageShape shape) {
    return Encoder.buildOnce(this, g, images, shape);
  }

  @Override
  public EncoderModule create(GraphBuilder g, ImageShape shape) {
    List<SDVariable[]> layers = new ArrayList<>();
    List<Ops.BatchNormWeights> norms = new ArrayList<>();
    long in = shape.size();
    for (int i = 0; i < settings.hidden().size(); i++) {
      long out = settings.hidden().get(i);
      layers.add(Ops.linearWeights(g, "fc" + (i + 1), in, out));
      norms.add(Ops.batchNormWeights(g, "bn" + (i + 1), new long[] {1, out}));
      in = out;
    }
    long inputSize = shape.size();
    long width = in;
    return new EncoderModule() {
      @Override
      public long representationSize() {
        return width;
      }

      @Override
      public EncoderOutput apply(SDVariable images, ImageShape other, String application) {
        if (other.size() != inputSize) {
          throw new IllegalArgumentException("this mlp's first layer takes " + inputSize + " values per image;"
              + " it cannot be applied to " + other + " images (" + other.size() + " values). Use an encoder"
              + " whose weights do not depend on the image size, such as conv4");
        }
        SDVariable x = images.reshape(-1, inputSize);
        for (int i = 0; i < layers.size(); i++) {
          x = x.mmul(layers.get(i)[0]).add(layers.get(i)[1]);
          x = Ops.batchNorm(g, norms.get(i), x, application);
          x = g.sameDiff().nn().relu(x, 0);
        }
        String name = EncoderModule.MAIN.equals(application) ? "representation" : "representation_" + application;
        return new EncoderOutput(x.rename(g.name(name)), List.of());
      }
    };
  }
}

package dev.pretext.api;

import dev.pretext.api.graph.GraphBuilder;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * An SPI 1.x encoder (one that implements only {@link Encoder#build}) as a module: {@link
 * Encoder#build} creates and applies its weights in one call, so the module can be applied once.
 */
final class BuildOnceModule implements EncoderModule {

  private final Encoder encoder;
  private final GraphBuilder graph;
  private Encoder.Representation applied;

  BuildOnceModule(Encoder encoder, GraphBuilder graph) {
    this.encoder = encoder;
    this.graph = graph;
  }

  @Override
  public EncoderOutput apply(SDVariable images, ImageShape shape, String application) {
    if (applied != null) {
      throw new UnsupportedOperationException(encoder.getClass().getName() + " implements only Encoder.build"
          + " (SPI 1.x), so it cannot be applied twice with the same weights; implement Encoder.create");
    }
    applied = encoder.build(graph, images, shape);
    return new EncoderOutput(applied.variable(), List.of());
  }

  @Override
  public long representationSize() {
    if (applied == null) {
      throw new IllegalStateException(encoder.getClass().getName() + " implements only Encoder.build (SPI 1.x):"
          + " its representation's width is known once the module is applied");
    }
    return applied.size();
  }
}

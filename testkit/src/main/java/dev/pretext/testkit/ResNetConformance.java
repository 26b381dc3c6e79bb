package dev.pretext.testkit;

import dev.pretext.api.Encoder;
import org.junit.jupiter.api.Tag;

/**
 * {@link PretextTaskConformance} on a tiny ResNet ({@link TestKit#smallResNet}) instead of the
 * small conv4: a task that works on one encoder must work on any encoder with the SPI's shape. A
 * ResNet step costs about twice a conv4 one, so the smoke run is shorter (24 steps of 32 images);
 * tagged {@code resnet-conformance} so a build can leave these out
 * ({@code -DexcludedGroups=resnet-conformance}).
 */
@Tag("resnet-conformance")
public abstract class ResNetConformance extends PretextTaskConformance {

  @Override
  protected Encoder encoder(long seed) {
    return TestKit.smallResNet(seed);
  }

  @Override
  protected int steps() {
    return 24;
  }

  @Override
  protected int batchSize() {
    return 32;
  }
}

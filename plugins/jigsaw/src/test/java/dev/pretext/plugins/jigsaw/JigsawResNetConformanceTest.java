package dev.pretext.plugins.jigsaw;

import dev.pretext.testkit.ResNetConformance;

/**
 * The testkit's conformance checks with {@code TestKit.smallResNet} (identity and projection
 * shortcuts) instead of conv4 (on tiles of 8 to 9 pixels a side: 4 to 5 in the second stage); a
 * shorter smoke run (24 steps of 32 images) keeps it cheap.
 */
class JigsawResNetConformanceTest extends ResNetConformance {

  @Override
  protected String taskType() {
    return "jigsaw";
  }
}

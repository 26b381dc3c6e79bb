package dev.pretext.plugins.colorization;

import com.typesafe.config.Config;
import dev.pretext.toolkit.Settings;
import java.util.List;

/**
 * The validated settings of the colorization task (see its {@code reference.conf}).
 *
 * @param gridSize ab bin width
 * @param neighbours bins of the soft-encoding
 * @param softSigma Gaussian width of the soft-encoding, ab units
 * @param rebalance whether pixel losses are weighted by rarity of their colour
 * @param lambda weight of the uniform distribution in the rebalancing mix
 * @param rebalanceSigma smoothing width of the empirical bin distribution, ab units
 * @param temperature of the annealed-mean decoding
 * @param outputStride the prediction's resolution is the image's divided by this
 * @param decoderChannels channel counts of the decoder's stages
 */
record ColorizationSettings(int gridSize, int neighbours, double softSigma, boolean rebalance,
    double lambda, double rebalanceSigma, double temperature, int outputStride,
    List<Integer> decoderChannels) {

  ColorizationSettings {
    decoderChannels = List.copyOf(decoderChannels);
  }

  /** Reads and checks every key, naming the first bad one in the message. */
  static ColorizationSettings from(Config c, String path) {
    Settings s = new Settings(c, path);
    return new ColorizationSettings(
        s.intIn("bins.grid-size", 5, 55, "ab units"),
        s.intIn("soft-encoding.neighbours", 1, 32),
        s.doubleInExclusiveMin("soft-encoding.sigma", 0, 100),
        c.getBoolean("rebalance.enabled"),
        s.doubleIn("rebalance.lambda", 0, 1),
        s.doubleInExclusiveMin("rebalance.sigma", 0, 100),
        s.doubleInExclusiveMin("decoding.temperature", 0, 10),
        s.intOneOf("output-stride", 1, 2, 4),
        c.getIntList("decoder.channels"));
  }
}

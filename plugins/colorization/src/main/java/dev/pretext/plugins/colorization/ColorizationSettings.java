package dev.pretext.plugins.colorization;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
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
    int gridSize = c.getInt("bins.grid-size");
    check(c, path, "bins.grid-size", gridSize >= 5 && gridSize <= 55, "must be in 5..55 ab units, got " + gridSize);
    int neighbours = c.getInt("soft-encoding.neighbours");
    check(c, path, "soft-encoding.neighbours", neighbours >= 1 && neighbours <= 32,
        "must be in 1..32, got " + neighbours);
    double softSigma = c.getDouble("soft-encoding.sigma");
    check(c, path, "soft-encoding.sigma", softSigma > 0 && softSigma <= 100, "must be in (0, 100], got " + softSigma);
    boolean rebalance = c.getBoolean("rebalance.enabled");
    double lambda = c.getDouble("rebalance.lambda");
    check(c, path, "rebalance.lambda", lambda >= 0 && lambda <= 1, "must be in [0, 1], got " + lambda);
    double rebalanceSigma = c.getDouble("rebalance.sigma");
    check(c, path, "rebalance.sigma", rebalanceSigma > 0 && rebalanceSigma <= 100,
        "must be in (0, 100], got " + rebalanceSigma);
    double temperature = c.getDouble("decoding.temperature");
    check(c, path, "decoding.temperature", temperature > 0 && temperature <= 10,
        "must be in (0, 10], got " + temperature);
    int stride = c.getInt("output-stride");
    check(c, path, "output-stride", stride == 1 || stride == 2 || stride == 4, "must be 1, 2 or 4, got " + stride);
    List<Integer> channels = c.getIntList("decoder.channels");
    return new ColorizationSettings(gridSize, neighbours, softSigma, rebalance, lambda, rebalanceSigma,
        temperature, stride, channels);
  }

  static void check(Config c, String path, String key, boolean ok, String problem) {
    if (!ok) {
      throw new ConfigException.BadValue(c.getValue(key).origin(), path + "." + key, problem);
    }
  }
}

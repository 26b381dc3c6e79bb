package dev.pretext.plugins.autoencoder;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How the denoising autoencoder corrupts its input (Vincent et al., 2010). Every pixel value (each
 * channel separately) is corrupted independently, with draws from the caller's generator so that
 * the same seed gives the same corruption.
 *
 * @param type the kind of noise
 * @param level the noise's standard deviation (gaussian) or the fraction of values it replaces
 *     (masking, salt-and-pepper); unused for none
 */
record Corruption(Type type, double level) {

  /** The kinds of noise. */
  enum Type {
    /** Adds N(0, level²), not clipped, so the noise has exactly the configured spread. */
    GAUSSIAN("gaussian"),
    /** Sets each value to 0 with probability level. */
    MASKING("masking"),
    /** Sets each value, with probability level, to 0 or 1 with equal chance. */
    SALT_AND_PEPPER("salt-and-pepper"),
    /** No corruption: a plain autoencoder. */
    NONE("none");

    final String key;

    Type(String key) {
      this.key = key;
    }

    static String known() {
      return Arrays.stream(values()).map(t -> t.key).collect(Collectors.joining(", "));
    }
  }

  private static final Set<String> KEYS = Set.of("type", "level");

  Corruption {
    double max = type == Type.GAUSSIAN ? 10 : 1;
    if (!(level >= 0 && level <= max)) {
      throw new IllegalArgumentException("level of " + type.key + " corruption must be between 0 and "
          + max + ", got " + level);
    }
  }

  /**
   * Reads {@code corruption { type, level }}. The suite validator skips the keys of objects that
   * have a {@code type} (it takes them for component slots), so unknown keys are rejected here.
   */
  static Corruption from(Config c, String path) {
    for (String key : c.root().keySet()) {
      if (!KEYS.contains(key)) {
        throw new ConfigException.BadValue(c.getValue(key).origin(), path + "." + key,
            "unknown key '" + key + "'; corruption has the keys " + new TreeSet<>(KEYS));
      }
    }
    String name = c.getString("type");
    Type type = Arrays.stream(Type.values()).filter(t -> t.key.equals(name)).findFirst()
        .orElseThrow(() -> new ConfigException.BadValue(c.getValue("type").origin(), path + ".type",
            "unknown corruption '" + name + "'; known: " + Type.known()));
    try {
      return new Corruption(type, c.getDouble("level"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.getValue("level").origin(), path + ".level", e.getMessage());
    }
  }

  /** A corrupted copy of {@code images}; the input is left as it is. */
  INDArray apply(INDArray images, Random random) {
    float[] v = images.dup('c').data().asFloat();
    switch (type) {
      case GAUSSIAN -> {
        for (int k = 0; k < v.length; k++) {
          v[k] += (float) (level * random.nextGaussian());
        }
      }
      case MASKING -> {
        for (int k = 0; k < v.length; k++) {
          if (random.nextDouble() < level) {
            v[k] = 0f;
          }
        }
      }
      case SALT_AND_PEPPER -> {
        for (int k = 0; k < v.length; k++) {
          if (random.nextDouble() < level) {
            v[k] = random.nextBoolean() ? 1f : 0f;
          }
        }
      }
      case NONE -> {
        return images.dup('c');
      }
    }
    return Nd4j.create(v, images.shape(), 'c');
  }
}

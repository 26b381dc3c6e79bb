package dev.pretext.api;

import com.typesafe.config.Config;
import java.util.Random;

/** What a component receives when it is created. */
public interface ComponentContext {

  /**
   * The component's settings: the suite's values over the defaults of the plugin's
   * {@code reference.conf}, already checked for unknown keys and wrong types.
   */
  Config config();

  /** Where the settings live in the suite (e.g. {@code suite.methods[2]}), for messages. */
  String configPath();

  /** The seed of this run; derive every source of randomness from it. */
  long seed();

  /**
   * A random generator seeded from {@link #seed()} and this component's position in the suite, so
   * that two components never share a stream.
   */
  Random random();

  /** The shape of the images the method trains on (after the dataset is loaded). */
  ImageShape imageShape();

  /** Creates other components by kind and type name, e.g. a task creating its loss. */
  ComponentRegistry components();
}
